// One drill on one system: steady load → nemesis (fault and heal) → load after → drain → check. The shape of
// Strimzi's RecoveryST (break it, wait for the new identity, one shared send-and-receive proof) with Jepsen's
// accounting: the ledger decides, never a sleep.

import type { Health } from "../../contract/health";
import type { FaultInjector } from "../faults/types";
import { checkKafka } from "../ledger/kafka-checks";
import { Ledger } from "../ledger/ledger";
import { newRunId } from "../ledger/message-id";
import { checkTotalQueue } from "../ledger/total-queue";
import { measureRecoveries } from "../recovery/recovery";
import type { SystemRun } from "../reports/run-report";
import { TimelineRecorder } from "../stats/timeline";
import { type ProgressSample, sleep, Workload, type WorkloadOptions } from "../workload/workload";
import type { SystemHarness } from "./harness";
import type { DrillSettings, NemesisContext, Scenario } from "./scenarios";

export interface DrillOptions {
  runId?: string;
  settings: DrillSettings;
  workload: WorkloadOptions;
  publishers: number;
  /** Longest wait for every acknowledged message to be consumed after the load stops. */
  drainTimeoutMs: number;
  /** Called about once a second with the phase and live rates. */
  onProgress?: (phase: string, sample: ProgressSample) => void;
}

export async function runDrill(
  harness: SystemHarness,
  faults: FaultInjector | undefined,
  scenario: Scenario | undefined,
  opts: DrillOptions,
): Promise<SystemRun> {
  const runId = opts.runId ?? newRunId();
  const ledger = new Ledger(runId);
  const timeline = new TimelineRecorder(Date.now());
  const failures: string[] = [];
  let phase = "connect";
  let workload: Workload | undefined;
  const onError = (what: string) => workload?.noteError(what);

  const publishers = await harness.openPublishers(opts.publishers, onError);
  const subscriber = harness.subscriber(runId, onError);
  workload = new Workload(ledger, timeline, publishers, [subscriber], opts.workload);
  const wl = workload;

  // Health probe: one probe at a time, once a second, recorded as timeline events for the "cluster" recovery.
  let lastHealth: string | undefined;
  const recordHealth = (h: Health) => {
    // Every change of state or of reason is an event: the report shows why the cluster was unhealthy, not just when.
    const label = h.healthy ? "healthy" : `unhealthy: ${h.detail}`;
    if (label !== lastHealth) timeline.event(Date.now(), "health", label, h.healthy);
    lastHealth = label;
  };
  let probing = true;
  const probeLoop = (async () => {
    while (probing) {
      recordHealth(await harness.health());
      await sleep(1_000);
    }
  })();
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

  const ctx: NemesisContext = {
    harness,
    faults: faults as FaultInjector,
    mark: (kind, label) => {
      timeline.event(Date.now(), kind, label);
      if (kind !== "note") phase = label;
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
    settings: opts.settings,
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
    const drained = await wl.drain(opts.drainTimeoutMs);
    if (!drained.drained) {
      failures.push(
        `drain: ${drained.unseen} acknowledged messages still unconsumed after ${opts.drainTimeoutMs / 1000} s`,
      );
    }
    setPhase("check");
  } finally {
    probing = false;
    clearInterval(progressTimer);
    await probeLoop;
    await wl.close();
    await harness.close();
  }

  const snapshot = timeline.snapshot();
  const run: SystemRun = {
    system: harness.system,
    ledger: checkTotalQueue(ledger, { duplicatesAllowed: harness.duplicatesAllowed }),
    kafka: harness.system === "kafka" ? checkKafka(ledger, { idempotent: true, subscribed: true }) : undefined,
    publishLatency: wl.stats.publishLatency.summary(),
    endToEndLatency: wl.stats.endToEndLatency.summary(),
    published: wl.stats.acked.overall(),
    consumed: wl.stats.consumed.overall(),
    timeline: snapshot,
    recovery: measureRecoveries(snapshot),
    failures,
  };
  return run;
}
