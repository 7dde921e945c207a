// The embedded default as a test target: brought up once per suite (idempotent: a healthy environment returns at
// once), read back through the same loader the commands use, and the drill sizes the live suites share.

import type { Target } from "../../contract/target";
import { up } from "../../embedded/environment";
import type { DrillOptions } from "../drills/run-drill";
import { loadSelectedTarget } from "../target-select/load";

export async function embeddedTarget(): Promise<Target> {
  await up({ progress: () => undefined });
  return loadSelectedTarget([], { ...process.env, MP_TARGET: "embedded" });
}

/** Drill sizes for the live suites: a few thousand messages around each fault, well inside the suites' timeouts. */
export const liveDrillOptions: DrillOptions = {
  settings: { steadyMs: 3_000, faultMs: 12_000, afterMs: 2_000, rounds: 1, healthTimeoutMs: 120_000 },
  workload: { messageBytes: 1024, batchSize: 20, inFlightBatches: 2, ratePerSec: 800 },
  publishers: 1,
  drainTimeoutMs: 60_000,
};
