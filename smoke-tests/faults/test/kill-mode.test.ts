// Which kill a drill runs where, and what a report says it was: pure, from kill-mode.ts.
import { describeKill, type KillRecord, killModeFor, killsText, parseKillMode, releaseKill } from "../kill-mode";

describe("the kill mode a drill runs", () => {
  it("is hold-down unless asked otherwise, on both kinds of target: the same fault, so their drills compare", () => {
    expect(killModeFor(undefined, "kubernetes")).toBe("hold-down");
    expect(killModeFor(undefined, "embedded")).toBe("hold-down");
  });

  it("is the one asked for where the target offers it", () => {
    expect(killModeFor("crash-restart", "kubernetes")).toBe("crash-restart");
    expect(killModeFor("hold-down", "embedded")).toBe("hold-down");
  });

  it("crash-restart on the embedded default is refused, naming flag, value and rule", () => {
    expect(() => killModeFor("crash-restart", "embedded")).toThrow(
      "--kill = crash-restart: the embedded target offers only hold-down (a killed embedded node has nothing that restarts it but the drill)",
    );
  });

  it("the decoy (a deliberate break) runs on Kubernetes only, refused on the embedded default with the rule", () => {
    expect(killModeFor("decoy", "kubernetes")).toBe("decoy");
    expect(() => killModeFor("decoy", "embedded")).toThrow(
      "--kill = decoy: the embedded target offers only hold-down (the decoy runs beside a broker in its container)",
    );
  });

  it("--kill reads the three modes and refuses anything else, naming flag, value and rule", () => {
    expect(parseKillMode("hold-down")).toBe("hold-down");
    expect(parseKillMode("crash-restart")).toBe("crash-restart");
    expect(parseKillMode("decoy")).toBe("decoy");
    expect(() => parseKillMode("restart")).toThrow(
      "--kill = restart is not a kill mode: crash-restart, hold-down or decoy (a deliberate break)",
    );
  });
});

describe("what a report says a kill was", () => {
  const kill = (over: Partial<KillRecord> = {}): KillRecord => ({
    fault: "kill kafka-broker-2 (leader)",
    node: "kafka-broker-2",
    mode: "hold-down",
    landedAt: 1_000,
    ...over,
  });

  it("a decoy says the broker was untouched", () => {
    expect(describeKill(kill({ mode: "decoy" }))).toBe("kill (a decoy beside the broker, the broker untouched)");
  });

  it("held down for as long as from its landing to its release", () => {
    expect(describeKill(kill({ releasedAt: 19_240 }))).toBe("kill (held down 18.2 s)");
  });

  it("restarted by the kubelet, for a crash-restart kill", () => {
    expect(describeKill(kill({ mode: "crash-restart" }))).toBe("kill (restarted by the kubelet)");
  });

  it("held down and never let go, when the drill failed before its release", () => {
    expect(describeKill(kill())).toBe("kill (held down, never released by the drill)");
  });

  it("a run's kills in one phrase: one, several of one mode, or none", () => {
    expect(killsText([kill({ releasedAt: 10_000 })])).toBe("kill (held down 9.0 s)");
    const rounds = [9_100, 12_000, 8_700].map((ms, i) => kill({ landedAt: i * 100_000, releasedAt: i * 100_000 + ms }));
    expect(killsText(rounds)).toBe("3 kills (held down 9.1 s, 12.0 s, 8.7 s)");
    expect(killsText([kill({ mode: "crash-restart" }), kill({ mode: "crash-restart" })])).toBe(
      "2 kills (restarted by the kubelet)",
    );
    expect(killsText([])).toBeUndefined();
  });

  it("a release lets go the node's latest held kill, and only that one", () => {
    const first = kill({ landedAt: 1_000, releasedAt: 5_000 });
    const other = kill({ node: "kafka-broker-0", landedAt: 6_000 });
    const second = kill({ landedAt: 7_000 });
    expect(releaseKill([first, other, second], "kafka-broker-2", 9_000)).toEqual([
      first,
      other,
      { ...second, releasedAt: 9_000 },
    ]);
    expect(releaseKill([kill({ mode: "crash-restart" })], "kafka-broker-2", 9_000)).toEqual([
      kill({ mode: "crash-restart" }),
    ]);
  });
});
