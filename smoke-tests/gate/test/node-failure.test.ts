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

  it("says 'writes not disrupted' when they were not, with no number", () => {
    const calm = { status: "not-disrupted" as const, ms: null, atMs: null, how: "acks never paused" };
    const result = nodeFailureResult({ ...run, recovery: run.recovery.map((r) => ({ ...r, writes: calm })) });
    expect(result.detail).toMatch(/; writes not disrupted$/);
    expect(result.detail).not.toMatch(/0\.0 s/);
  });
});
