// A drill's named reasons: each can fail on its own, and says why.
import type { FaultRecovery, RecoveryMeasure } from "../../recovery/recovery";
import { drillVerdict } from "../run-drill";

const measure = (status: RecoveryMeasure["status"], ms: number | null): RecoveryMeasure => ({
  status,
  ms,
  atMs: ms,
  how: status === "not-recovered" ? "no acknowledged write after the fault" : "first ack",
});
const recovery = (writes: RecoveryMeasure): FaultRecovery => ({
  fault: { atMs: 3_000, kind: "fault", label: "kill kafka-1 (leader)" },
  heal: null,
  writes,
  consumers: measure("recovered", 12_000),
  cluster: measure("recovered", 15_000),
});
const tookEffect = [{ tookEffect: true, detail: "killed kafka-1: leader moved away from kafka-1" }];
const byName = (lines: ReturnType<typeof drillVerdict>) => Object.fromEntries(lines.map((l) => [l.name, l.passed]));

describe("a drill's verdict", () => {
  it("passes when the fault took effect and writes came back within the bound", () => {
    const lines = drillVerdict(tookEffect, [recovery(measure("recovered", 9_400))], 15_000);
    expect(lines.every((l) => l.passed)).toBe(true);
    expect(lines.find((l) => l.name === "recovery within the bound")?.detail).toBe(
      "slowest: kill kafka-1 (leader), 9400 ms ≤ 15000 ms",
    );
  });

  it("fails when the fault did not happen (the leader never moved), or when the scenario said nothing", () => {
    const stayed = [{ tookEffect: false, detail: "killed kafka-1: leader still on kafka-1 after 12 s" }];
    expect(byName(drillVerdict(stayed, [recovery(measure("recovered", 100))], 15_000))).toMatchObject({
      "fault took effect": false,
    });
    expect(byName(drillVerdict([], [recovery(measure("recovered", 100))], 15_000))).toMatchObject({
      "fault took effect": false,
    });
  });

  it("fails when no write was acknowledged after the fault", () => {
    const lines = drillVerdict(tookEffect, [recovery(measure("not-recovered", null))], 15_000);
    expect(byName(lines)).toMatchObject({
      "writes acknowledged after the fault": false,
      "recovery within the bound": false,
    });
  });

  it("fails on a recovery bound of 1 ms, naming the fault, the time and the bound", () => {
    const line = drillVerdict(tookEffect, [recovery(measure("recovered", 9_400))], 1).find(
      (l) => l.name === "recovery within the bound",
    );
    expect(line).toEqual({
      name: "recovery within the bound",
      passed: false,
      detail: "kill kafka-1 (leader): writes stalled 9400 ms, bound 1 ms",
    });
  });

  it("'not disrupted' after a fault that took effect passes, shown as such and not as 0 ms", () => {
    const lines = drillVerdict(tookEffect, [recovery(measure("not-disrupted", null))], 15_000);
    expect(lines.every((l) => l.passed)).toBe(true);
    expect(lines.find((l) => l.name === "writes acknowledged after the fault")?.detail).toBe(
      "kill kafka-1 (leader): not disrupted",
    );
    expect(lines.map((l) => l.detail).join(" ")).not.toMatch(/\b0 ms/);
  });

  it("a fault that did nothing fails 'fault took effect', and its 'not disrupted' passes nothing else", () => {
    const stayed = [{ tookEffect: false, detail: "killed kafka-1: leader still on kafka-1 after 12 s" }];
    const lines = drillVerdict(stayed, [recovery(measure("not-disrupted", null))], 15_000);
    expect(byName(lines)).toEqual({
      "fault took effect": false,
      "writes acknowledged after the fault": false,
      "recovery within the bound": false,
    });
    expect(lines[1]?.detail).toBe(
      "kill kafka-1 (leader): not disrupted, by a fault that did not take effect: nothing recovered",
    );
  });
});
