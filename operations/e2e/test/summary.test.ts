import { formatE2e } from "../summary";

describe("the e2e summary", () => {
  const steps = [
    { name: "cluster up", ok: true, durationMs: 64_000, detail: "single-node" },
    { name: "isolate-node (cluster)", ok: false, durationMs: 90_000, detail: "kafka: peers still reach it" },
  ];
  const drill = {
    scenario: "isolate-node",
    system: "kafka" as const,
    passed: true,
    lost: 0,
    unexpected: 0,
    acknowledged: 1000,
    writesRecoveredMs: 9_500,
    faultTookEffect: true,
    effect: "isolated kafka-broker-1",
  };

  it("fails when a step failed, with each step's time", () => {
    const text = formatE2e(steps, []);
    expect(text.split("\n")[0]).toBe("e2e: FAIL in 154.0 s");
    expect(text).toMatch(/✗ isolate-node \(cluster\) +90\.0 s +kafka: peers still reach it/);
  });

  it("puts each drill on the cluster beside the same drill on the embedded default", () => {
    const text = formatE2e(steps.slice(0, 1), [
      { ...drill, target: "cluster" },
      { ...drill, target: "embedded", writesRecoveredMs: null, passed: false, faultTookEffect: false },
    ]);
    const row = text.split("\n").find((l) => l.includes("isolate-node kafka")) ?? "";
    expect(row).toMatch(/✓ 0 \/ 0 \/ 9\.5 s \/ yes\s+✗ 0 \/ 0 \/ never \/ NO/);
  });
});
