// The load every node-failure drill runs (drill, compare, the gate's node-failure check, certificate rotation, e2e):
// several publishers with several batches each in flight, so a fault catches messages mid-air.
import type { DrillOptions } from "./run-drill";

export const drillLoad = { messageBytes: 1024, batchSize: 20, inFlightBatches: 4, publishers: 2 } as const;

/**
 * The drill load at `ratePerSec` (already raised to the stack's throughput floor where it has one). A publisher keeps
 * at least one batch in flight per partition of the topic: each lane then owns one partition (lanes.ts), so a stall on
 * a partition the fault's victim is no replica of is the client's, never a lane's that also writes to the victim's.
 */
export function drillWorkload(ratePerSec: number, partitions = 0): Pick<DrillOptions, "workload" | "publishers"> {
  const { publishers, ...workload } = drillLoad;
  return {
    workload: { ...workload, inFlightBatches: Math.max(workload.inFlightBatches, partitions), ratePerSec },
    publishers,
  };
}
