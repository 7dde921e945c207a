import { judgeHarmless } from "../harmless-fault";
import type { DrillFigures } from "../summary";

// What kill-leader --kill decoy reported on the cluster: the checks caught the harmless fault.
const caught: DrillFigures = {
  scenario: "kill-leader",
  system: "kafka",
  target: "stack:cluster",
  passed: false,
  lost: 0,
  unexpected: 0,
  acknowledged: 20_000,
  writesRecoveredMs: null,
  writesNotDisrupted: true,
  faultTookEffect: false,
  effect: "killed kafka-broker-1: leader still on kafka-broker-1 after 20 s",
  platform: { alerts: ["no alert fired"], noticed: { passed: false, detail: "KafkaBrokerDown did not fire" } },
};

describe("the e2e's harmless fault", () => {
  it("passes when the fault did not take effect, writes were not disrupted and the platform noticed nothing", () => {
    expect(judgeHarmless([caught], true)).toBe(
      "kafka: fault took effect ✗, writes not disrupted, the platform noticed ✗ (KafkaBrokerDown did not fire)",
    );
  });

  it("fails, naming each, when a check let the harmless fault through", () => {
    const through = {
      ...caught,
      faultTookEffect: true,
      writesNotDisrupted: false,
      writesRecoveredMs: 9_000,
      platform: { alerts: [], noticed: { passed: true, detail: "KafkaBrokerDown fired" } },
    };
    expect(() => judgeHarmless([through], true)).toThrow(
      'a harmless fault was not caught: kafka: "fault took effect" passed (killed kafka-broker-1: leader still on kafka-broker-1 after 20 s); kafka: writes were disrupted (stalled 9.0 s); kafka: "the platform noticed" passed',
    );
  });

  it("a loss in a harmless run fails it", () => {
    expect(() => judgeHarmless([{ ...caught, lost: 1 }], true)).toThrow("kafka: lost 1, unexpected 0");
  });

  it("without a Prometheus the platform line is not asked for; with one, a missing line fails", () => {
    const { platform: _none, ...noView } = caught;
    expect(judgeHarmless([noView], false)).toBe("kafka: fault took effect ✗, writes not disrupted");
    expect(() => judgeHarmless([noView], true)).toThrow('"the platform noticed" was not judged');
  });
});
