// One drill on one system: steady load → nemesis (fault and heal) → load after → drain → check. The shape of
// Strimzi's RecoveryST (break it, wait for the new identity, one shared send-and-receive proof) with Jepsen's
// accounting: the ledger decides, never a sleep.

import type { Health } from "../../contract/health";
import type { Target } from "../../contract/target";
import { defaultKillMode, type KillRecord, killModeFor, releaseKill } from "../faults/kill-mode";
import { type NodeReading, type NodeStates, watchNodeStates } from "../faults/node-states";
import type { FullServiceRecord } from "../faults/restart-all";
import type { FaultInjector, NodeControl, StackChanger } from "../faults/types";
import { checkKafka, type KafkaCheckOptions } from "../ledger/kafka-checks";
import { Ledger } from "../ledger/ledger";
import { newRunId } from "../ledger/message-id";
import { checkTotalQueue } from "../ledger/total-queue";
import { holdUntilFiring, observePlatform, type PlatformSource } from "../platform-view/observe";
import { type FaultRecovery, landedAt, measureRecoveries } from "../recovery/recovery";
import type { SystemRun, VerdictLine } from "../reports/run-report";
import { type FaultStalls, faultStalls, type PartitionPlacement } from "../stats/partition-stalls";
import { loadDurationMs } from "../stats/sustained";
import { type Timeline, TimelineRecorder } from "../stats/timeline";
import { launcherChoice, launcherFor } from "../workers/choose-launcher";
import { WorkerPool } from "../workers/pool";
import { workerShareOf } from "../workers/shares";
import { type Load, type ProgressSample, sleep, Workload, type WorkloadOptions } from "../workload/workload";
import type { HarnessOptions, SystemHarness } from "./harness";
import type { DrillSettings, NemesisContext, Scenario } from "./nemesis";
import { settleLeaders } from "./preferred-leaders";

export interface DrillOptions {
  runId?: string;
  settings: DrillSettings;
  workload: WorkloadOptions;
  publishers: number;
  /** After the load stops, how long the drain waits with no message consumed before it gives up (at most ten times that in all). */
  drainQuietMs: number;
  /** The Pulumi stack behind the target (MP_TARGET=stack:<name>), for scenarios that change it. */
  stack?: StackChanger;
  /** Whole-node faults where the target's nodes are this machine's, for node-freeze. */
  nodes?: NodeControl;
  /**
   * Reads the cluster's Nodes (a Kubernetes drill, from outside the cluster): each node's state is sampled through the
   * drill for the report's timeline; none when absent (embedded, and the in-cluster gate, which may not list Nodes).
   */
  readNodes?: () => Promise<NodeReading[]>;
  /** Where the platform's view is read after the drill (the target's Prometheus); none when absent. */
  platform?: PlatformSource;
  /** Called about once a second with the phase and live rates. */
  onProgress?: (phase: string, sample: ProgressSample) => void;
  /** The load as `count` workers (processes, or pods in a pod) merged into one ledger (workers/); absent or 1: in this process. */
  workers?: DrillWorkers;
}

/** How long after the first fault landed --kill-worker's worker is killed: inside the write stall of a kill. */
export const workerKillDelayMs = 2_000;

export interface DrillWorkers {
  /** Workers; each runs `publishers` publishers at the rate divided by `count`, and one consumer. */
  count: number;
  /** What each worker connects to: the harness's target and options, as the coordinator's harness was made. */
  target: Target;
  harness: HarnessOptions;
  /** Kill this worker just after the first fault lands: the drill that shows no acknowledgement goes with a worker. */
  killAtFault?: number;
}

export async function runDrill(
  harness: SystemHarness,
  faults: FaultInjector | undefined,
  scenario: Scenario | undefined,
  opts: DrillOptions,
): Promise<SystemRun> {
  const runId = opts.runId ?? newRunId();
  // Before anything is opened: a kill mode the target cannot run is refused here.
  const killMode = faults ? killModeFor(opts.settings.kill, faults.kind) : defaultKillMode;
  let kills: KillRecord[] = [];
  const fullService: FullServiceRecord[] = [];
  const ledger = new Ledger(runId);
  const timeline = new TimelineRecorder(Date.now());
  const failures: string[] = [];
  let phase = "connect";
  let workload: Load | undefined;
  let pool: WorkerPool | undefined;
  const onError = (what: string) => workload?.noteError(what);

  if (scenario?.preflight) {
    // Refused before any load starts: nothing is opened yet but the harness's own clients.
    try {
      if (!faults) throw new Error(`scenario ${scenario.name} needs a fault injector for this target`);
      await scenario.preflight(harness, faults, {
        settings: opts.settings,
        ...(opts.nodes ? { nodes: opts.nodes } : {}),
      });
    } catch (err) {
      await harness.close().catch(() => undefined);
      throw err;
    }
  }
  if (opts.settings.settleLeadersMs !== undefined && harness.partitionPlacements) {
    const read = harness.partitionPlacements.bind(harness);
    try {
      await settleLeaders(read, opts.settings.settleLeadersMs, (line) => timeline.event(Date.now(), "note", line));
    } catch (err) {
      await harness.close().catch(() => undefined);
      throw err;
    }
  }
  const workers = opts.workers && opts.workers.count > 1 ? opts.workers : undefined;
  if (workers) {
    // Pods of an Indexed Job where this runs in a pod against a Kubernetes target, processes of this machine otherwise.
    const launch = await Promise.resolve()
      .then(() => launcherFor(launcherChoice(process.env, workers.target.placement.kind, workers.count)))
      .catch(async (err) => {
        await harness.close().catch(() => undefined);
        throw err;
      });
    pool = await WorkerPool.start({
      launch,
      count: workers.count,
      assignment: {
        runId,
        target: workers.target,
        system: harness.system,
        harness: workers.harness,
        workload: workerShareOf(opts.workload, workers.count),
        publishers: opts.publishers,
      },
      ledger,
      timeline,
    }).catch(async (err) => {
      await harness.close().catch(() => undefined);
      throw err;
    });
    timeline.event(Date.now(), "note", `workers started: ${pool.names.join(", ")}`);
    workload = pool;
  } else {
    const publishers = await harness.openPublishers(opts.publishers, onError);
    const subscriber = harness.subscriber(runId, onError);
    workload = new Workload(ledger, timeline, publishers, [subscriber], opts.workload);
  }
  const wl = workload;
  let workerKilled = false;
  let workerKill: NodeJS.Timeout | undefined;

  // Kafka: which node leads each partition and which hold its replicas, read with every health probe (at most a second
  // old), copied at each fault: the stall report tells the partitions the victim led, followed, or was no replica of.
  let placementsNow = new Map<number, PartitionPlacement>();
  const placementsAtFaults: Array<Map<number, PartitionPlacement>> = [];
  // Health probe: one probe at a time, once a second, recorded as timeline events for the "cluster" recovery.
  let lastHealth: string | undefined;
  const recordHealth = (h: Health) => {
    // Every change of state or of reason is an event: the report shows why the cluster was unhealthy, not just when.
    const label = h.healthy ? "healthy" : `unhealthy: ${h.detail}`;
    if (label !== lastHealth) timeline.event(Date.now(), "health", label, { healthy: h.healthy });
    lastHealth = label;
  };
  let probing = true;
  const probeLoop = (async () => {
    while (probing) {
      recordHealth(await harness.health());
      if (harness.partitionPlacements) placementsNow = await harness.partitionPlacements().catch(() => placementsNow);
      await sleep(1_000);
    }
  })();
  // The Nodes' states beside the rates on the report's timeline, where the drill can read them.
  const nodeWatch = opts.readNodes ? watchNodeStates(opts.readNodes, timeline.startedAt) : undefined;
  let nodeStates: NodeStates | undefined;
  const progressTimer = setInterval(() => opts.onProgress?.(phase, wl.progress()), 1_000);
  const setPhase = (p: string) => {
    phase = p;
    timeline.event(Date.now(), "phase", p);
  };

  const waitUntil = async (condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await condition()) return true;
      await sleep(100);
    }
    return false;
  };

  const effects: Array<{ tookEffect: boolean; detail: string }> = [];
  const checks: VerdictLine[] = [];
  let lastLanded = Date.now();
  const ctx: NemesisContext = {
    harness,
    faults: faults as FaultInjector,
    mark: (kind, label, at = Date.now()) => {
      // How much a fault could catch: the report shows it beside the fault's recovery.
      timeline.event(at, kind, label, kind === "fault" ? { inFlight: ledger.inFlight } : {});
      if (kind === "fault") placementsAtFaults.push(placementsNow);

      if (kind !== "note") phase = label;
    },
    landed: (at) => {
      lastLanded = at;
      timeline.landed(at);
      timeline.event(at, "note", "the fault landed (as its injector reports)");
      const victim = workers?.killAtFault;
      if (pool && victim !== undefined && !workerKilled) {
        workerKilled = true;
        // While the writes to the dead node wait for a new leader: the worker goes with writes in flight.
        workerKill = setTimeout(() => {
          pool?.kill(victim);
          timeline.event(
            Date.now(),
            "note",
            `worker w${victim} ${pool?.killHow} ${workerKillDelayMs / 1000} s after the fault landed`,
          );
        }, workerKillDelayMs);
      }
    },
    killMode,
    killed: (kill) => {
      kills = [...kills, kill];
    },
    fullService: (record) => {
      fullService.push(record);
    },
    released: (node, at) => {
      kills = releaseKill(kills, node, at);
      timeline.event(at, "note", `${node} let go after its hold-down`);
    },
    async waitHealthy(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let last: Health = { healthy: false, detail: "not probed" };
      while (Date.now() < deadline) {
        last = await harness.health();
        recordHealth(last);
        if (last.healthy) return;
        await sleep(500);
      }
      throw new Error(`${harness.system} was not healthy again within ${timeoutMs / 1000} s (${last.detail})`);
    },
    waitForAckAfter: (since, timeoutMs) => waitUntil(async () => wl.ackedSince(since), timeoutMs),
    waitUntil,
    sleep,
    async holdForPlatform() {
      // On by default where the target has a Prometheus: a fault shorter than the rules' `for` raises no alert.
      if (opts.settings.holdForAlerts === false || !scenario || !opts.platform) return;
      const note = await holdUntilFiring(opts.platform, harness.system, scenario.name, lastLanded);
      if (note) timeline.event(Date.now(), "note", note);
    },
    settings: opts.settings,
    stack: opts.stack,
    nodes: opts.nodes,
    effect(tookEffect, detail) {
      effects.push({ tookEffect, detail });
      timeline.event(Date.now(), "note", tookEffect ? detail : `fault did not take effect: ${detail}`);
    },
    check(name, passed, detail) {
      checks.push({ name, passed, detail });
      timeline.event(Date.now(), "note", `${passed ? "" : "FAILED: "}${name}: ${detail}`);
    },
  };

  try {
    await wl.startConsuming();
    setPhase("steady");
    wl.startProducing();
    await sleep(opts.settings.steadyMs);
    if (scenario) {
      if (!faults) throw new Error(`scenario ${scenario.name} needs a fault injector for this target`);
      setPhase(scenario.name);
      try {
        await scenario.nemesis(ctx);
      } catch (err) {
        failures.push(`${scenario.name}: ${err instanceof Error ? err.message : String(err)}`);
        await faults.healAll().catch(() => undefined);
      }
      setPhase("after");
      await sleep(opts.settings.afterMs);
    }
    setPhase("drain");
    await wl.stopProducing();
    const drained = await wl.drain(opts.drainQuietMs);
    if (!drained.drained) {
      failures.push(
        drained.unseen > 0
          ? `drain: ${drained.unseen} acknowledged messages still unconsumed after ${Math.round(drained.tookMs / 1000)} s, none consumed in the last ${opts.drainQuietMs / 1000} s${drained.detail ? ` (${drained.detail})` : ""}`
          : `drain: not read to the end after ${opts.drainQuietMs / 1000} s: ${drained.detail}`,
      );
    }
    setPhase("check");
  } finally {
    probing = false;
    clearInterval(progressTimer);
    clearTimeout(workerKill);
    await probeLoop;
    nodeStates = await nodeWatch?.stop();
    await wl.close();
    await harness.close();
  }

  const snapshot = timeline.snapshot();
  const recovery = measureRecoveries(snapshot, wl.partitionAcks.snapshot());
  // After the load: the platform's alerts resolve a scrape and an evaluation after the heal (a bounded wait).
  const platform = scenario
    ? await observePlatform(opts.platform ?? { kind: "none" }, harness.system, scenario.name, snapshot)
    : undefined;
  const run: SystemRun = {
    system: harness.system,
    ledger: checkTotalQueue(ledger, { duplicatesAllowed: harness.duplicatesAllowed }),
    kafka: harness.system === "kafka" ? checkKafka(ledger, kafkaCheckOptions(harness)) : undefined,
    publishLatency: wl.stats.publishLatency.summary(),
    endToEndLatency: wl.stats.endToEndLatency.summary(),
    published: wl.stats.acked.overall(),
    consumed: wl.stats.consumed.overall(),
    timeline: snapshot,
    recovery,
    failures,
    ...(scenario
      ? {
          verdict: [
            ...drillVerdict(effects, recovery, opts.settings.recoveryBoundMs ?? opts.settings.faultMs),
            ...checks,
            ...(platform?.line ? [platform.line] : []),
          ],
        }
      : {}),
    ...(platform ? { platform: platform.view } : {}),
    ...(harness.client ? { client: harness.client } : {}),
    ...(pool ? { workers: pool.shares(loadDurationMs(snapshot)) } : {}),
    ...(kills.length > 0 ? { kills } : {}),
    ...(nodeStates ? { nodes: nodeStates } : {}),
    ...(fullService.length > 0 ? { fullService } : {}),
    ...(harness.system === "kafka"
      ? { partitionStalls: stallsAfterFaults(snapshot, wl.partitionAcks.snapshot(), placementsAtFaults) }
      : {}),
  };
  return run;
}

/**
 * Pure: how the Kafka checks judge this harness's run. Idempotence is the producer's own setting (the acks=1 producer
 * is not idempotent, so writing twice is no error there); the drill's consumer subscribes (KafkaSubscriber), so
 * re-reads and skips on a rebalance are allowed.
 */
export function kafkaCheckOptions(harness: Pick<SystemHarness, "client">): KafkaCheckOptions {
  return { idempotent: harness.client?.idempotent ?? false, subscribed: true };
}

/** Per fault, each partition's longest write gap from its landing, up to the next fault or the end of the load. */
export function stallsAfterFaults(
  timeline: Timeline,
  acks: ReadonlyMap<number, readonly number[]>,
  placementsAtFaults: ReadonlyArray<ReadonlyMap<number, PartitionPlacement>> = [],
): FaultStalls[] {
  const faults = timeline.events.filter((e) => e.kind === "fault");
  // Without a drain event the load ended with its last acknowledged write.
  const lastAck = Math.max(timeline.startedAt, ...[...acks.values()].map((t) => t.at(-1) ?? timeline.startedAt));
  const loadEnd =
    timeline.events.find((e) => e.kind === "phase" && e.label === "drain")?.atMs ?? lastAck - timeline.startedAt;
  return faults.map((f, i) =>
    faultStalls(
      acks,
      f.label,
      timeline.startedAt + landedAt(f),
      timeline.startedAt + Math.min(faults[i + 1]?.atMs ?? loadEnd, loadEnd),
      placementsAtFaults[i] ?? new Map(),
    ),
  );
}

/**
 * The reasons a drill passes beyond the ledger's: its fault took effect (as the scenario saw it), writes were
 * acknowledged again after every fault, and their longest stall stayed within the bound. Each is a named line in the
 * report. "Not disrupted" passes the write lines only after a fault that took effect: a fault that did nothing fails
 * "fault took effect", and no other line passes on its behalf.
 */
export function drillVerdict(
  effects: Array<{ tookEffect: boolean; detail: string }>,
  recovery: FaultRecovery[],
  boundMs: number,
): VerdictLine[] {
  const tookEffect = effects.length > 0 && effects.every((e) => e.tookEffect);
  const writes = recovery.map((r) => ({ label: r.fault.label, m: r.writes }));
  const counts = (m: FaultRecovery["writes"]) =>
    m.status === "recovered" || (m.status === "not-disrupted" && tookEffect);
  const back = writes.filter((w) => counts(w.m));
  const notBack = writes.filter((w) => !counts(w.m));
  const timed = back.filter((w) => w.m.ms !== null) as Array<{ label: string; m: { ms: number } }>;
  const slowest = timed.reduce<{ label: string; ms: number } | undefined>(
    (worst, w) => (worst && worst.ms >= w.m.ms ? worst : { label: w.label, ms: w.m.ms }),
    undefined,
  );
  const late = timed.filter((w) => w.m.ms > boundMs);
  const describe = (m: FaultRecovery["writes"]) => {
    if (m.status === "recovered") return `writes stalled ${m.ms} ms at most`;
    if (m.status !== "not-disrupted") return m.how;
    return tookEffect ? "not disrupted" : "not disrupted, by a fault that did not take effect: nothing recovered";
  };
  return [
    {
      name: "fault took effect",
      passed: tookEffect,
      detail:
        effects.length === 0
          ? "the scenario reported nothing about its fault"
          : effects.map((e) => e.detail).join("; "),
    },
    {
      name: "writes acknowledged after the fault",
      passed: writes.length > 0 && notBack.length === 0,
      detail:
        writes.length === 0 ? "no fault on the timeline" : writes.map((w) => `${w.label}: ${describe(w.m)}`).join("; "),
    },
    {
      name: "recovery within the bound",
      passed: writes.length > 0 && notBack.length === 0 && late.length === 0,
      detail:
        late.length > 0
          ? late.map((w) => `${w.label}: writes stalled ${w.m.ms} ms, bound ${boundMs} ms`).join("; ")
          : notBack.length > 0
            ? notBack.map((w) => `${w.label}: ${describe(w.m)}`).join("; ")
            : slowest
              ? `slowest: ${slowest.label}, ${slowest.ms} ms ≤ ${boundMs} ms`
              : `not disrupted; bound ${boundMs} ms`,
    },
  ];
}
