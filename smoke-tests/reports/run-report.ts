// The one data structure every report format renders: what a smoke run, drill, bench round or comparison produced.
// It is plain JSON, so report.json can be re-rendered (or re-checked) later without the brokers.
import { type SystemName, systemTitle } from "../../contract/systems";
import type { KillRecord } from "../faults/kill-mode";
import type { NodeStates } from "../faults/node-states";
import type { FullServiceRecord } from "../faults/restart-all";
import type { KafkaCheckResult } from "../ledger/kafka-checks";
import type { TotalQueueVerdict } from "../ledger/total-queue";
import type { PlatformView } from "../platform-view/view";
import type { FaultRecovery } from "../recovery/recovery";
import type { LatencySummary } from "../stats/histogram";
import type { FaultStalls } from "../stats/partition-stalls";
import type { Throughput } from "../stats/rate";
import type { Timeline } from "../stats/timeline";
import type { WorkerShare } from "../workers/shares";

/**
 * One reason a drill passes or fails, decided from what was observed: the fault took effect, writes were acknowledged
 * after it, the clients recovered within the bound. A report prints every line, passed or not.
 */
export interface VerdictLine {
  name: string;
  passed: boolean;
  detail: string;
}

/** One system's part of a run; a comparison has two. */
export interface SystemRun {
  system: SystemName;
  ledger: TotalQueueVerdict;
  /** Only for Kafka: the per-partition offset analyses. */
  kafka?: KafkaCheckResult;
  /** Publish → broker acknowledgement. */
  publishLatency: LatencySummary;
  /** Publish → consumer delivery. */
  endToEndLatency: LatencySummary;
  /** Acknowledged publishes. */
  published: Throughput;
  consumed: Throughput;
  timeline: Timeline;
  recovery: FaultRecovery[];
  /** Failures the drill decided beyond the ledger and Kafka checks (throughput floor missed, setting not in effect). */
  failures: string[];
  /** A drill's named reasons (fault took effect, writes after the fault, recovery bound); absent without a fault. */
  verdict?: VerdictLine[];
  /** Kafka: the client library the producers used and its durability settings. */
  client?: ClientUsed;
  /** Kafka: per partition, the longest write gap from the fault's landing to the end of the load, for each fault. */
  partitionStalls?: FaultStalls[];
  /** A drill's platform view: broker series and alerts from the target's Prometheus, or why there is none. */
  platform?: PlatformView;
  /** The kills the drill ran: held down (and for how long) or restarted by the kubelet (killsText says which). */
  kills?: KillRecord[];
  /** Kubernetes: each node's state (Ready, NotReady, cordoned, gone) over the drill, read about once a second. */
  nodes?: NodeStates;
  /** After a restart of the whole cluster (restart-all): each system's time from the landing to full service. */
  fullService?: FullServiceRecord[];
  /** A load run as several workers (--workers N): each one's share of the merged figures, and whether it was gone. */
  workers?: WorkerShare[];
}

export interface ClientUsed {
  name: string;
  settings: string;
  /** The producer ran idempotent (from its own settings): the Kafka checks then count duplicate writes as errors. */
  idempotent: boolean;
}

export interface RunReport {
  runId: string;
  /** "kill-leader", "smoke", "compare: kill-leader". */
  scenario: string;
  /** Target name: "embedded" or the stack. */
  target: string;
  /** ISO 8601. */
  startedAt: string;
  durationMs: number;
  /** The settings that shaped the run (message size, rates, fault durations, acks, queue type...). */
  settings: Record<string, string | number | boolean>;
  systems: SystemRun[];
}

/** Every reason a system's run failed: drill failures, its verdict lines, then ledger, then Kafka checks. */
export function failuresOf(run: SystemRun): string[] {
  const verdict = (run.verdict ?? []).filter((v) => !v.passed).map((v) => `${v.name}: ${v.detail}`);
  return [...run.failures, ...verdict, ...run.ledger.problems, ...(run.kafka?.problems ?? [])];
}

export function systemPassed(run: SystemRun): boolean {
  return failuresOf(run).length === 0;
}

export function reportPassed(report: RunReport): boolean {
  return report.systems.length > 0 && report.systems.every(systemPassed);
}

/** "Kafka (librdkafka)" when the run names its client, else the system's title: runs of one report stay apart. */
export function runTitle(run: SystemRun): string {
  return run.client ? `${systemTitle[run.system]} (${run.client.name})` : systemTitle[run.system];
}
