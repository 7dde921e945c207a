// The post-deploy gate on the embedded default: every check passes on a healthy, durable cluster.

import { defaultGateSettings } from "../../contract/gate-settings";
import type { Target } from "../../contract/target";
import { EmbeddedFaults } from "../faults/embedded";
import { type GateReport, runGate } from "../gate/gate";
import { embeddedTarget } from "./embedded-target";

jest.setTimeout(300_000);

let target: Target;
let report: GateReport;

beforeAll(async () => {
  target = await embeddedTarget();
  report = await runGate(target, new EmbeddedFaults(), defaultGateSettings);
});

const failures = (r: GateReport) =>
  r.systems.flatMap((s) => s.checks.filter((c) => !c.passed).map((c) => `${s.system} ${c.name}: ${c.detail}`));

describe("smoke gate on the embedded default", () => {
  it("passes every check on both systems", () => {
    expect(failures(report)).toEqual([]);
    expect(report.passed).toBe(true);
  });

  it("runs authentication, round trip, durability settings, node failure and throughput for each system", () => {
    for (const s of report.systems) {
      expect(s.checks.map((c) => c.name)).toEqual([
        "authentication",
        "round trip",
        "durability settings",
        "node failure",
        "throughput",
      ]);
    }
  });

  it("loses no acknowledged message when the leader is killed under load", () => {
    for (const s of report.systems) {
      const c = s.nodeFailure?.ledger.counts;
      expect(c?.acknowledged).toBeGreaterThan(0);
      expect(c?.lost).toBe(0);
      expect(c?.unexpected).toBe(0);
    }
  });
});
