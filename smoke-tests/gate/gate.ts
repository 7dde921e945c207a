// The post-deploy gate: for each system, authentication, round trip, durability settings in effect, node-failure
// durability (hard-kill the leader under load, recover, drain, count) and throughput against floors. It returns
// one report; the CLI prints it on one screen, writes it as JSON and exits non-zero on any failure.

import { type GateSettings, nodeFailureRate, type ThroughputFloor } from "../../contract/gate-settings";
import type { SystemName } from "../../contract/systems";
import type { Target } from "../../contract/target";
import { refuseWorkersBeyondPartitions } from "../../contract/worker-partitions";
import { drillWorkload } from "../drills/drill-workload";
import { harnessFor } from "../drills/harness";
import { runDrill } from "../drills/run-drill";
import { scenarioNamed } from "../drills/scenarios";
import { killsText } from "../faults/kill-mode";
import type { FaultInjector } from "../faults/types";
import { failuresOf, type SystemRun } from "../reports/run-report";
import { loadWindowOf, sustainedOverLoad } from "../stats/sustained";
import { sharesText } from "../workers/shares";
import type { ProgressSample } from "../workload/workload";
import {
  type CheckResult,
  kafkaAuth,
  kafkaDurability,
  kafkaRoundTrip,
  rabbitAuth,
  rabbitDurability,
  rabbitRoundTrip,
} from "./checks";
import { distributionCheck } from "./distribution";
import { metricsCheck, metricsCheckApplies } from "./metrics";
import { plaintextRefusedCheck, tlsCheck, tlsOn } from "./tls";

export interface GateSystemResult {
  system: SystemName;
  checks: CheckResult[];
  nodeFailure?: SystemRun;
  throughput?: SystemRun;
}

export interface GateReport {
  target: string;
  startedAt: string;
  durationMs: number;
  settings: GateSettings;
  systems: GateSystemResult[];
  passed: boolean;
}

export type GateProgress = (line: string, sample?: ProgressSample) => void;

/** What one run adds that no stack setting says. */
export interface GateRunOptions {
  /** Kill this worker just after the node-failure check's fault lands (the drill that shows no acknowledgement leaves with a worker). */
  killWorkerAtFault?: number;
  /** Where settings.workers came from, for a refusal: the stack's gate.workers unless a flag replaced it. */
  workersField?: string;
}

export async function runGate(
  target: Target,
  faults: FaultInjector | undefined,
  settings: GateSettings,
  progress: GateProgress = () => undefined,
  options: GateRunOptions = {},
): Promise<GateReport> {
  // Before any check: the Kafka loads run on the target's first topic, whose partitions bound the workers.
  for (const system of settings.systems)
    refuseWorkersBeyondPartitions(
      system,
      settings.workers ?? 1,
      target.kafka.topics[0],
      options.workersField ?? "gate.workers",
    );
  const started = Date.now();
  const systems: GateSystemResult[] = [];
  for (const system of settings.systems) {
    const result: GateSystemResult = { system, checks: [] };
    systems.push(result);
    // Encryption first, from the outside, where the target says the system serves TLS: the certificates presented
    // and the plaintext ports refused. Every later check's clients verify the same CA.
    const encryption = [
      ...(tlsOn(target, system)
        ? [(t: Target) => tlsCheck(t, system), (t: Target) => plaintextRefusedCheck(t, system)]
        : []),
      // RabbitMQ's inter-node traffic (quorum-queue replication carries every message body), where it speaks TLS.
      ...(system === "rabbitmq" && target.rabbitmq.distribution?.tls ? [(t: Target) => distributionCheck(t)] : []),
    ];
    const quick = [
      ...encryption,
      // The platform's own view first, before the gate's own fault raises anything.
      ...(metricsCheckApplies(target) ? [(t: Target) => metricsCheck(t, system)] : []),
      ...(system === "kafka"
        ? [kafkaAuth, kafkaRoundTrip, kafkaDurability]
        : [rabbitAuth, rabbitRoundTrip, rabbitDurability]),
    ];
    for (const check of quick) {
      const r = await check(target);
      progress(`${system}: ${r.name} ${r.passed ? "ok" : "FAILED"} (${r.durationMs} ms)`);
      result.checks.push(r);
    }
    // A listener whose certificate the clients cannot verify refuses every client of the load checks: they would only
    // fail later, at their connect deadlines, without the report. Say so instead, and go on to the next system.
    const tlsFailed = result.checks.find((c) => c.name === "tls" && !c.passed);
    if (tlsFailed) {
      const load = [...(settings.nodeFailure ? ["node failure"] : []), "throughput"];
      for (const name of load) {
        result.checks.push({
          system,
          name,
          passed: false,
          detail: "not run: the tls check failed, so no client that verifies the server can connect",
          durationMs: 0,
        });
      }
      continue;
    }
    // The loads as workers merged into one ledger, where gate.workers asks for more than one.
    const workers =
      (settings.workers ?? 1) > 1
        ? { workers: { count: settings.workers as number, target, harness: { kafkaClient: settings.kafkaClient } } }
        : {};
    if (settings.nodeFailure) {
      progress(`${system}: node failure — kill the leader under load`);
      const d = settings.durability;
      result.nodeFailure = await runDrill(
        harnessFor(target, system, { kafkaClient: settings.kafkaClient }),
        faults,
        scenarioNamed("kill-leader"),
        {
          settings: {
            steadyMs: d.steadyMs,
            faultMs: d.faultMs,
            afterMs: d.afterMs,
            rounds: 1,
            healthTimeoutMs: 90_000,
            recoveryBoundMs: d.recoveryBoundMs,
          },
          // The drill load at no less than the stack's throughput floor: a fault must catch messages mid-air, at the
          // rate the stack promises, to prove anything.
          ...drillWorkload(nodeFailureRate(d.ratePerSec, settings, system)),
          drainQuietMs: d.drainQuietMs,
          ...(workers.workers && options.killWorkerAtFault !== undefined
            ? { workers: { ...workers.workers, killAtFault: options.killWorkerAtFault } }
            : workers),
          onProgress: (phase, s) => progress(`${system}: node failure [${phase}]`, s),
        },
      );
      result.checks.push(nodeFailureResult(result.nodeFailure));
    }
    progress(`${system}: throughput`);
    const tp = settings.throughput;
    result.throughput = await runDrill(
      harnessFor(target, system, { kafkaClient: settings.kafkaClient }),
      undefined,
      undefined,
      {
        settings: { steadyMs: tp.durationMs, faultMs: 0, afterMs: 0, rounds: 0, healthTimeoutMs: 0 },
        workload: { messageBytes: tp.messageBytes, batchSize: tp.batchSize, inFlightBatches: tp.inFlightBatches },
        publishers: tp.publishers,
        drainQuietMs: 30_000,
        ...workers,
        onProgress: (phase, s) => progress(`${system}: throughput [${phase}]`, s),
      },
    );
    result.checks.push(throughputResult(result.throughput, tp.floors[system]));
  }
  const passed = systems.every((s) => s.checks.every((c) => c.passed));
  return {
    target: target.name,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    settings,
    systems,
    passed,
  };
}

export function nodeFailureResult(run: SystemRun): CheckResult {
  const c = run.ledger.counts;
  const problems = failuresOf(run);
  const rec = run.recovery[0];
  const writes = !rec
    ? "n/a"
    : rec.writes.status === "recovered"
      ? `writes stalled ${((rec.writes.ms as number) / 1000).toFixed(1)} s`
      : rec.writes.status === "not-disrupted"
        ? "writes not disrupted"
        : `writes ${rec.writes.status}`;
  return {
    system: run.system,
    name: "node failure",
    passed: problems.length === 0,
    detail:
      problems.length > 0
        ? problems.join("; ")
        : `${rec?.fault.label ?? "fault"}${run.kills ? `, ${killsText(run.kills)}` : ""}: ${c.acknowledged} acknowledged, lost ${c.lost}, unexpected ${c.unexpected}, re-delivered ${c.redelivered}, duplicate writes ${c.duplicateWrites}; ${writes}${run.workers ? `; ${sharesText(run.workers)}` : ""}`,
    durationMs: run.timeline.buckets.length * run.timeline.bucketMs,
  };
}

export function throughputResult(run: SystemRun, floor: ThroughputFloor): CheckResult {
  // The floor applies to the rate sustained with a bounded backlog: a broker buffering what consumers cannot take
  // is not sustaining its publish rate.
  const load = loadWindowOf(run.timeline);
  const s = sustainedOverLoad(run.timeline, load.fromMs, load.toMs);
  const rate = s.sustainedPerSec;
  // Every reason the run failed, the Kafka offset checks' included: a fast run that wrote garbage passes no floor.
  const problems = failuresOf(run);
  if (rate < floor.messagesPerSec)
    problems.push(`${rate.toFixed(0)} msg/s sustained is below the floor of ${floor.messagesPerSec} msg/s`);
  if (floor.publishP99Ms !== undefined && run.publishLatency.p99 > floor.publishP99Ms)
    problems.push(`publish p99 ${run.publishLatency.p99.toFixed(1)} ms is above ${floor.publishP99Ms} ms`);
  const l = run.publishLatency;
  const e = run.endToEndLatency;
  return {
    system: run.system,
    name: "throughput",
    passed: problems.length === 0,
    detail:
      `${rate.toFixed(0)} msg/s sustained (floor ${floor.messagesPerSec}): ${s.publishedPerSec.toFixed(0)} acknowledged, ` +
      `${s.consumedPerSec.toFixed(0)} consumed per second, backlog ${s.backlogEarly} → ${s.backlogEnd}` +
      `${s.growing ? " and growing: consumers did not keep up" : ", bounded"}; ` +
      `publish p50/p95/p99 ${l.p50.toFixed(1)}/${l.p95.toFixed(1)}/${l.p99.toFixed(1)} ms; ` +
      `end-to-end p50/p95/p99 ${e.p50.toFixed(1)}/${e.p95.toFixed(1)}/${e.p99.toFixed(1)} ms` +
      (run.workers ? `; ${sharesText(run.workers)}` : "") +
      (problems.length > 0 ? ` — ${problems.join("; ")}` : ""),
    durationMs: run.timeline.buckets.length * run.timeline.bucketMs,
  };
}
