// The gate's "metrics" check, where the target has a Prometheus (placement.prometheus): the platform's own view of the
// deploy before any fault. Every broker pod of the target is a scrape target that is up, and no alert about the
// system's namespace is firing. Waits a bounded time for both (a rolled pod is scraped once discovery and the next
// scrape have found it; an alert raised by the roll resolves once its condition clears).
import type { SystemName } from "../../contract/systems";
import type { Target } from "../../contract/target";
import { alertsOfAll, platformSourceFor } from "../platform-view/observe";
import type { ActiveAlert, PrometheusApi, VectorSample } from "../platform-view/prometheus-api";
import { type CheckResult, timed } from "./checks";

/** The scrape job each system's metrics carry (charts/prometheus: jobs kafka, rabbitmq). */
export const metricsJob: Record<SystemName, string> = { kafka: "kafka", rabbitmq: "rabbitmq" };

/** Pure: every pod scraped and up, and nothing firing about the namespace; or what is missing, down or firing. */
export function judgeMetrics(input: {
  pods: readonly string[];
  up: readonly VectorSample[];
  alerts: readonly ActiveAlert[];
  namespace: string;
}): { ok: boolean; detail: string } {
  const upOf = new Map(input.up.map((s) => [s.metric.pod ?? "", s.value]));
  const missing = input.pods.filter((p) => !upOf.has(p));
  const down = input.pods.filter((p) => upOf.has(p) && upOf.get(p) !== 1);
  const firing = input.alerts.filter((a) => a.state === "firing" && a.labels.namespace === input.namespace);
  const problems = [
    ...(missing.length ? [`not scraped: ${missing.join(", ")}`] : []),
    ...(down.length ? [`scrape failing (up 0): ${down.join(", ")}`] : []),
    ...(firing.length
      ? [
          `firing: ${firing.map((a) => `${a.labels.alertname ?? "?"}${a.labels.pod ? ` (${a.labels.pod})` : ""}`).join(", ")}`,
        ]
      : []),
  ];
  return problems.length
    ? { ok: false, detail: problems.join("; ") }
    : {
        ok: true,
        detail: `${input.pods.length} of ${input.pods.length} brokers scraped and up (${input.pods.join(", ")}); no alert firing in ${input.namespace}`,
      };
}

/** Whether the gate runs the check: only where the target names a Prometheus. */
export function metricsCheckApplies(target: Target): boolean {
  return platformSourceFor(target).kind === "prometheus";
}

export async function metricsCheck(target: Target, system: SystemName, timeoutMs = 180_000): Promise<CheckResult> {
  return timed(system, "metrics", async () => {
    const source = platformSourceFor(target);
    if (source.kind !== "prometheus") throw new Error("the target names no Prometheus");
    const apis = await source.apis();
    const api = apis[0] as PrometheusApi;
    const namespace = source.namespaces[system];
    const pods = target[system].nodes.map((n) => n.name);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const judged = judgeMetrics({
        pods,
        up: await api.query(`up{job="${metricsJob[system]}", namespace="${namespace}"}`),
        // Any replica's firing alert counts: each evaluates the rules on its own.
        alerts: await alertsOfAll(apis),
        namespace,
      });
      if (judged.ok) return `${judged.detail} (Prometheus ${api.base})`;
      if (Date.now() > deadline)
        throw new Error(`after ${timeoutMs / 1000} s: ${judged.detail} (Prometheus ${api.base})`);
      await new Promise((r) => setTimeout(r, 5_000));
    }
  });
}
