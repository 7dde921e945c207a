// The pool request the workers' tests share: two scripted workers on a Kafka assignment with no brokers behind it.
import type { Target } from "../../../contract/target";
import { Ledger } from "../../ledger/ledger";
import { TimelineRecorder } from "../../stats/timeline";
import type { WorkerLauncher } from "../launch";

export function scriptedPoolRequest(launch: WorkerLauncher) {
  return {
    count: 2,
    assignment: {
      runId: "run-1",
      target: {} as Target,
      system: "kafka" as const,
      harness: {},
      workload: { messageBytes: 100, batchSize: 3, inFlightBatches: 1 },
      publishers: 1,
    },
    ledger: new Ledger("run-1"),
    timeline: new TimelineRecorder(1000),
    launch,
    readyTimeoutMs: 30_000,
  };
}
