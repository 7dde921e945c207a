// The load every node-failure drill runs (drill, compare, the gate's node-failure check, certificate rotation, e2e):
// several publishers with several batches each in flight, so a fault catches messages mid-air.
import type { DrillOptions } from "./run-drill";

export const drillLoad = { messageBytes: 1024, batchSize: 20, inFlightBatches: 4, publishers: 2 } as const;

/** The drill load at `ratePerSec` (already raised to the stack's throughput floor where it has one). */
export function drillWorkload(ratePerSec: number): Pick<DrillOptions, "workload" | "publishers"> {
  const { publishers, ...workload } = drillLoad;
  return { workload: { ...workload, ratePerSec }, publishers };
}
