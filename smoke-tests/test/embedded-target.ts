// The embedded default as a test target: brought up once per suite (idempotent: a healthy environment returns at
// once), read back through the same loader the commands use, and the drill sizes the live suites share.

import type { Target } from "../../contract/target";
import { up } from "../../embedded/environment";
import type { DrillOptions } from "../drills/run-drill";
import { failuresOf, type SystemRun } from "../reports/run-report";
import { loadSelectedTarget } from "../target-select/load";

export async function embeddedTarget(): Promise<Target> {
  await up({ progress: () => undefined });
  return loadSelectedTarget([], { ...process.env, MP_TARGET: "embedded" });
}

/** Drill sizes for the live suites: a few thousand messages around each fault, well inside the suites' timeouts. */
export const liveDrillOptions: DrillOptions = {
  // A killed Kafka leader is fenced after 9 s (broker.session.timeout.ms); 20 s leaves room on a busy 2-core machine.
  settings: {
    steadyMs: 3_000,
    faultMs: 20_000,
    afterMs: 2_000,
    rounds: 1,
    healthTimeoutMs: 120_000,
    recoveryBoundMs: 30_000,
  },
  workload: { messageBytes: 1024, batchSize: 20, inFlightBatches: 2, ratePerSec: 800 },
  publishers: 1,
  drainQuietMs: 60_000,
};

/**
 * What a drill on a safe setup must show: its fault took effect, writes were acknowledged again within the bound,
 * nothing acknowledged was lost and nothing unexpected was read (every line named, so a failure says which).
 */
export function expectSafeDrill(run: SystemRun): void {
  const c = run.ledger.counts;
  const lines = (run.verdict ?? []).map((v) => `${v.passed ? "✓" : "✗"} ${v.name}: ${v.detail}`);
  console.log(
    `${run.system}: ${c.acknowledged} acknowledged, lost ${c.lost}, unexpected ${c.unexpected}, ` +
      `re-delivered ${c.redelivered}, duplicate writes ${c.duplicateWrites}\n  ${lines.join("\n  ")}`,
  );
  expect(failuresOf(run)).toEqual([]);
  expect(run.verdict?.map((v) => [v.name, v.passed])).toEqual([
    ["fault took effect", true],
    ["writes acknowledged after the fault", true],
    ["recovery within the bound", true],
  ]);
  expect(run.ledger.counts.lost).toBe(0);
  expect(run.ledger.counts.unexpected).toBe(0);
}
