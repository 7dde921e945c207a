// Reads the platform's view of a drill from the target's Prometheus: finds its pod (placement.prometheus) through the
// Kubernetes API, waits a bounded time for the fault's alerts to resolve after the heal, then queries the drill's
// window. Only the pod's own address inside the project's cluster is ever contacted.
import { loadKubeConfig } from "../../contract/kube-config";
import type { SystemName } from "../../contract/systems";
import type { Target } from "../../contract/target";
import type { VerdictLine } from "../reports/run-report";
import type { Timeline } from "../stats/timeline";
import { type AlertEpisode, alertEpisodes, firingAlertsExpr } from "./alert-episodes";
import { alertSlackMs, expectedAlertsFor } from "./platform-noticed";
import { platformQueries, platformStepSeconds, seriesFromMatrix } from "./platform-series";
import { noticedLine } from "./platform-view";
import { type ActiveAlert, type MatrixSeries, PrometheusApi } from "./prometheus-api";
import { noPrometheus, type PlatformView } from "./view";

/**
 * Where a drill reads the platform's view: nowhere (no Prometheus in the target), or the Prometheus API of each running
 * replica (each scrapes and evaluates on its own: a replica on a failed node saw nothing, its peer did).
 */
export type PlatformSource =
  | { kind: "none" }
  | {
      kind: "prometheus";
      /** The first running replica (rules, instant checks). */
      api: () => Promise<PrometheusApi>;
      /** Every running replica. */
      apis: () => Promise<PrometheusApi[]>;
      namespaces: Record<SystemName, string>;
    };

/** The longest a drill waits after its load for the fault's alerts to resolve (a scrape and an evaluation after the
 * heal, then some). */
export const resolutionTimeoutMs = 180_000;

export function platformSourceFor(target: Target): PlatformSource {
  const p = target.placement;
  if (p.kind !== "kubernetes" || p.prometheus === undefined) return { kind: "none" };
  const prom = p.prometheus;
  const apis = async () => {
    const { lib, kc } = await loadKubeConfig(p);
    const pods = await kc
      .makeApiClient(lib.CoreV1Api)
      .listNamespacedPod({ namespace: prom.namespace, labelSelector: prom.podSelector });
    const ips = pods.items
      .filter((pod) => pod.status?.phase === "Running" && pod.status.podIP)
      .map((pod) => pod.status?.podIP as string)
      .sort();
    if (ips.length === 0)
      throw new Error(`no Running pod ${prom.podSelector} with an address in namespace ${prom.namespace}`);
    return ips.map((ip) => new PrometheusApi(`http://${ip.includes(":") ? `[${ip}]` : ip}:${prom.port}`));
  };
  return {
    kind: "prometheus",
    namespaces: { kafka: p.kafka.namespace, rabbitmq: p.rabbitmq.namespace },
    api: async () => (await apis())[0] as PrometheusApi,
    apis,
  };
}

/** The alerts every replica has now, together (a replica that saw nothing adds nothing). */
export async function alertsOfAll(apis: readonly PrometheusApi[]): Promise<ActiveAlert[]> {
  return (await Promise.all(apis.map((a) => a.alerts()))).flat();
}

/** Pure: the expected alerts about `namespace` still pending or firing. */
export function stillActive(alerts: ActiveAlert[], expected: readonly string[], namespace: string): ActiveAlert[] {
  return alerts.filter((a) => expected.includes(a.labels.alertname ?? "") && a.labels.namespace === namespace);
}

/** Pure: every expected alert about `namespace` is firing. */
export function allFiring(alerts: ActiveAlert[], expected: readonly string[], namespace: string): boolean {
  const firing = stillActive(alerts, expected, namespace).filter((a) => a.state === "firing");
  return expected.every((name) => firing.some((a) => a.labels.alertname === name));
}

/**
 * Keeps a fault on until the alerts it should raise fire, at most their longest `for` window and the slack from its
 * landing (epoch ms). Returns what happened, for the timeline; undefined where there is nothing to wait for.
 */
export async function holdUntilFiring(
  source: PlatformSource,
  system: SystemName,
  scenario: string,
  landedAt: number,
): Promise<string | undefined> {
  const expected = expectedAlertsFor(scenario, system);
  if (source.kind === "none" || expected === undefined) return undefined;
  try {
    const apis = await source.apis();
    const windows = (await (apis[0] as PrometheusApi).alertRules())
      .filter((r) => expected.includes(r.name))
      .map((r) => r.forSeconds);
    const deadline = landedAt + Math.max(0, ...windows) * 1000 + alertSlackMs;
    const namespace = source.namespaces[system];
    while (Date.now() < deadline) {
      if (allFiring(await alertsOfAll(apis), expected, namespace))
        return `held the fault until ${expected.join(", ")} fired`;
      await new Promise((r) => setTimeout(r, platformStepSeconds * 1000));
    }
    return `held the fault ${Math.round((deadline - landedAt) / 1000)} s from its landing; ${expected.join(", ")} not all firing`;
  } catch (err) {
    return `could not hold the fault for the platform: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** The platform's view of one drilled system over its timeline, and its verdict line (absent without Prometheus). */
export async function observePlatform(
  source: PlatformSource,
  system: SystemName,
  scenario: string,
  timeline: Timeline,
): Promise<{ view: PlatformView; line?: VerdictLine }> {
  const expected = expectedAlertsFor(scenario, system);
  const view = source.kind === "none" ? noPrometheus : await readView(source, system, expected ?? [], timeline);
  const line = noticedLine(view, expected, timeline);
  return { view, ...(line ? { line } : {}) };
}

async function readView(
  source: Extract<PlatformSource, { kind: "prometheus" }>,
  system: SystemName,
  expected: readonly string[],
  timeline: Timeline,
): Promise<PlatformView> {
  const namespace = source.namespaces[system];
  let apis: PrometheusApi[] = [];
  try {
    apis = await source.apis();
    const first = apis[0] as PrometheusApi;
    const waitStart = Date.now();
    let quiet = false;
    while (!quiet && Date.now() - waitStart < resolutionTimeoutMs) {
      quiet = stillActive(await alertsOfAll(apis), expected, namespace).length === 0;
      if (!quiet) await new Promise((r) => setTimeout(r, platformStepSeconds * 1000));
    }
    const resolutionWait = { waitedMs: Date.now() - waitStart, quiet };
    // One step more, so the range's last step falls after the resolution: an alert seen at the last step still fires.
    if (quiet) await new Promise((r) => setTimeout(r, (platformStepSeconds + 1) * 1000));
    const rules = await first.alertRules();
    const start = Math.floor(timeline.startedAt / 1000);
    const end = Math.ceil(Date.now() / 1000);
    // Every replica's answer; a series from the replica that saw the most of it (one on a failed node has a gap).
    const ranges = (expr: string) =>
      Promise.all(apis.map((a) => a.queryRange({ expr, start, end, stepSeconds: platformStepSeconds })));
    const series = [];
    for (const q of platformQueries(system, namespace)) {
      const answers = await ranges(q.expr);
      const fullest = answers.reduce((a, b) => (samplesIn(b) > samplesIn(a) ? b : a));
      series.push(seriesFromMatrix(q, fullest, timeline.startedAt));
    }
    const alerts = distinctEpisodes(
      alertEpisodes((await ranges(firingAlertsExpr(namespace))).flat(), platformStepSeconds, timeline.startedAt, end),
    );
    const forSeconds = Object.fromEntries(
      rules.filter((r) => expected.includes(r.name)).map((r) => [r.name, r.forSeconds]),
    );
    const sourceText = apis.map((a) => a.base).join(", ");
    return {
      kind: "observed",
      source: sourceText,
      series,
      alerts,
      expected: [...expected],
      forSeconds,
      resolutionWait,
    };
  } catch (err) {
    return {
      kind: "unavailable",
      source: apis.map((a) => a.base).join(", ") || "(pod not found)",
      reason: err instanceof Error ? err.message : String(err),
    };
  }
}

/** Pure: how many samples a range answer holds. */
export function samplesIn(matrix: readonly MatrixSeries[]): number {
  return matrix.reduce((n, m) => n + m.values.length, 0);
}

/** Pure: the episodes without repeats (two replicas that saw the same alert fire and resolve at the same steps). */
export function distinctEpisodes(episodes: readonly AlertEpisode[]): AlertEpisode[] {
  const seen = new Set<string>();
  return episodes.filter((e) => {
    const key = JSON.stringify([e.alertname, e.subject, e.firedAtMs, e.resolvedAtMs]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
