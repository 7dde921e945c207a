// The gate's node-failure line: the write stall as measured, and "not disrupted" said in words, never "0.0 s".
import { sampleKafkaRun } from "../../reports/test/sample-run";
import { nodeFailureResult } from "../gate";

describe("the gate's node-failure check", () => {
  const run = sampleKafkaRun();

  it("names the longest write stall after the fault", () => {
    expect(nodeFailureResult(run)).toMatchObject({
      passed: true,
      detail: expect.stringMatching(/writes stalled 9\.0 s$/),
    });
  });

  it("names the kill it ran: held down for how long, or restarted by the kubelet", () => {
    const kill = { fault: "kill kafka-broker-2 (leader)", node: "kafka-broker-2", landedAt: 1_000 };
    const held = nodeFailureResult({ ...run, kills: [{ ...kill, mode: "hold-down", releasedAt: 10_000 }] });
    expect(held.detail).toMatch(/, kill \(held down 9\.0 s\): /);
    const restarted = nodeFailureResult({ ...run, kills: [{ ...kill, mode: "crash-restart" }] });
    expect(restarted.detail).toMatch(/, kill \(restarted by the kubelet\): /);
  });

  it("says 'writes not disrupted' when they were not, with no number", () => {
    const calm = { status: "not-disrupted" as const, ms: null, atMs: null, how: "acks never paused" };
    const result = nodeFailureResult({ ...run, recovery: run.recovery.map((r) => ({ ...r, writes: calm })) });
    expect(result.detail).toMatch(/; writes not disrupted$/);
    expect(result.detail).not.toMatch(/0\.0 s/);
  });

  it("gives the workers' shares when the load ran as workers (gate.workers)", () => {
    const workers = [
      { worker: "w0", acknowledged: 600, delivered: 500, ackedPerSec: 60, fraction: 0.6 },
      { worker: "w1", acknowledged: 400, delivered: 500, ackedPerSec: 40, fraction: 0.4, gone: { inFlight: 8 } },
    ];
    expect(nodeFailureResult({ ...run, workers }).detail).toMatch(
      /writes stalled 9\.0 s; workers: 2, shares of 100 msg\/s acknowledged: w0 60 msg\/s \(60%\), w1 40 msg\/s \(40%\), then gone with 8 in flight \(unknown\)$/,
    );
    expect(nodeFailureResult(run).detail).not.toContain("workers:");
  });
});
