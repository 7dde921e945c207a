import type { RecoveryMeasure } from "../../../smoke-tests/recovery/recovery";
import { sampleKafkaRun, sampleReport } from "../../../smoke-tests/reports/test/sample-run";
import { drillFigures, formatE2e } from "../summary";

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
    writesNotDisrupted: false,
    faultTookEffect: true,
    effect: "isolated kafka-broker-1",
  };

  it("fails when a step failed, with each step's time", () => {
    const text = formatE2e(steps, []);
    expect(text.split("\n")[0]).toBe("e2e: FAIL in 154.0 s");
    expect(text).toMatch(/✗ isolate-node \(cluster\) +90\.0 s +kafka: peers still reach it/);
  });

  it("names each broker's node after the steps", () => {
    const placement = [
      {
        system: "kafka-broker",
        line: "kafka-broker: kafka-broker-0 mpk8s-1 (zone-a) · kafka-broker-1 mpk8s-2 (zone-b); one per node, one per zone",
        shared: [],
      },
      { system: "rabbitmq", line: "rabbitmq: rabbitmq-0 mpk8s-1 (zone-a); one per node, one per zone", shared: [] },
    ];
    const lines = formatE2e(steps, [], placement).split("\n");
    expect(lines.slice(-3)).toEqual([
      "",
      "placement: kafka-broker: kafka-broker-0 mpk8s-1 (zone-a) · kafka-broker-1 mpk8s-2 (zone-b); one per node, one per zone",
      "           rabbitmq: rabbitmq-0 mpk8s-1 (zone-a); one per node, one per zone",
    ]);
    expect(formatE2e(steps, [])).not.toContain("placement:");
  });

  it("puts each drill on the cluster beside the same drill on the embedded default", () => {
    const text = formatE2e(steps.slice(0, 1), [
      { ...drill, target: "cluster" },
      { ...drill, target: "embedded", writesRecoveredMs: null, passed: false, faultTookEffect: false },
    ]);
    const row = text.split("\n").find((l) => l.includes("isolate-node kafka")) ?? "";
    expect(row).toMatch(/✓ 0 \/ 0 \/ 9\.5 s \/ yes\s+✗ 0 \/ 0 \/ never \/ NO/);
  });

  it("shows a fault that left writes undisrupted as 'not disrupted', never as 0.0 s", () => {
    const text = formatE2e(steps.slice(0, 1), [
      { ...drill, target: "cluster", writesRecoveredMs: null, writesNotDisrupted: true, faultTookEffect: false },
    ]);
    const row = text.split("\n").find((l) => l.includes("isolate-node kafka")) ?? "";
    expect(row).toMatch(/✓ 0 \/ 0 \/ not disrupted \/ NO/);
    expect(text).not.toContain("0.0 s /");
  });

  it("takes 'not disrupted' and the stall from the report's write recovery", () => {
    const calm: RecoveryMeasure = { status: "not-disrupted", ms: null, atMs: null, how: "acks never paused" };
    const run = sampleKafkaRun();
    const [stalled] = drillFigures(sampleReport([run]));
    expect(stalled).toMatchObject({ writesRecoveredMs: run.recovery[0]?.writes.ms, writesNotDisrupted: false });
    const recovery = run.recovery.map((r) => ({ ...r, writes: calm }));
    const [quiet] = drillFigures(sampleReport([{ ...run, recovery }]));
    expect(quiet).toMatchObject({ writesRecoveredMs: null, writesNotDisrupted: true });
  });

  it("names under each column which kill it ran, so both columns show whether they are the same fault", () => {
    const text = formatE2e(steps.slice(0, 1), [
      { ...drill, scenario: "kill-leader", target: "cluster", kill: "kill (held down 18.2 s)" },
      { ...drill, scenario: "kill-leader", target: "embedded", kill: "kill (held down 19.0 s)" },
    ]);
    const lines = text.split("\n");
    const row = lines.findIndex((l) => l.includes("kill-leader kafka"));
    expect(lines[row + 1]).toMatch(/^ {29}kill \(held down 18\.2 s\) +kill \(held down 19\.0 s\)$/);
    // Where a drill kills nothing, no such line.
    const isolate = formatE2e(steps.slice(0, 1), [{ ...drill, target: "cluster" }]).split("\n");
    expect(isolate[isolate.findIndex((l) => l.includes("isolate-node kafka")) + 1]).toBe("");
  });

  it("takes the kill from the report's kills", () => {
    const run = sampleKafkaRun();
    const kills = [{ fault: "kill x", node: "x", mode: "crash-restart" as const, landedAt: 1 }];
    expect(drillFigures(sampleReport([{ ...run, kills }]))[0]?.kill).toBe("kill (restarted by the kubelet)");
    expect(drillFigures(sampleReport([run]))[0]?.kill).toBeUndefined();
  });
});

describe("the platform's view in the e2e summary", () => {
  const run = sampleKafkaRun();
  const noticed = { name: "the platform noticed", passed: false, detail: "KafkaNodeDown did not fire in its window" };
  const observed = {
    ...run,
    verdict: [...(run.verdict ?? []), noticed],
    platform: {
      kind: "observed" as const,
      source: "http://10.244.1.7:9090",
      series: [],
      alerts: [{ alertname: "KafkaNodeDown", subject: "pod=kafka-1", firedAtMs: 85_000, resolvedAtMs: 110_000 }],
      expected: ["KafkaNodeDown"],
      forSeconds: { KafkaNodeDown: 60 },
      resolutionWait: { waitedMs: 20_000, quiet: true },
    },
  };
  const absent = {
    ...run,
    platform: { kind: "absent" as const, reason: "platform view: no Prometheus in this target" },
  };

  it("prints each drill's alerts with their times and its 'platform noticed' line, failed ones marked", () => {
    const figures = [
      ...drillFigures({ ...sampleReport([observed]), target: "cluster" }),
      ...drillFigures({ ...sampleReport([absent]), target: "embedded" }),
    ];
    const text = formatE2e([], figures);
    expect(text).toContain(
      "cluster kill-leader kafka: KafkaNodeDown (pod=kafka-1) fired 1 min 25 s, resolved 1 min 50 s",
    );
    expect(text).toContain("    ✗ the platform noticed: KafkaNodeDown did not fire in its window");
    expect(text).toContain("embedded kill-leader kafka: platform view: no Prometheus in this target");
    expect(text.match(/the platform noticed/g)).toHaveLength(1);
  });

  it("a report without a platform view prints no such section", () => {
    expect(formatE2e([], drillFigures(sampleReport([run])))).not.toContain("the platform's view");
  });
});
