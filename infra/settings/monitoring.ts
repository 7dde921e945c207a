// Stack config `monitoring:`: a Prometheus in the cluster (charts/prometheus) that scrapes both brokers and evaluates
// their alert rules. Off unless a stack turns it on (the cluster stack does); the kubernetes platform only.
import { join } from "node:path";
import type { Values } from "../../chart-values/values";
import { dnsLabel, dnsLabelRule, type Problems, type Raw } from "../problems";
import { loadChartValues, type SettingsContext } from "./chart-base";
import type { Platform } from "./levels";

export interface PrometheusSettings {
  /** Deploy it (stack config monitoring.prometheus.enabled; default false). */
  enabled: boolean;
  /** Its own namespace, labelled so the brokers' NetworkPolicies admit its scrapes. */
  namespace: string;
  /** Helm release name. */
  release: string;
  chartDir: string;
  /** Repo-relative path of the example values file it builds on ("" for the chart's defaults alone). */
  valuesFile: string;
  /** That file's values (what the chart gets before the program's own keys). */
  exampleValues: Values;
}

export interface MonitoringSettings {
  prometheus: PrometheusSettings;
}

/** charts/prometheus values the program fills in from the brokers' settings and the cluster: a values file setting
 * them would be silently overwritten, so it is refused. */
export const programOwnedPrometheusKeys = ["kafka", "rabbitmq", "alertRules", "apiServer"] as const;

/** Parses `monitoring:` (already JSON-decoded). Problems go to `p`; undefined when any was found. */
export function parseMonitoring(
  p: Problems,
  value: unknown,
  platform: Platform | undefined,
  brokerNamespaces: (string | undefined)[],
  ctx: SettingsContext,
): MonitoringSettings | undefined {
  const raw = p.object("monitoring", value, true);
  if (!raw) return undefined;
  p.knownKeys("monitoring", raw, ["prometheus"]);
  const prom = p.object("monitoring.prometheus", raw.prometheus, true) as Raw | undefined;
  if (!prom) return undefined;
  p.knownKeys("monitoring.prometheus", prom, ["enabled", "namespace", "release", "valuesFile"]);
  const enabled = p.bool("monitoring.prometheus.enabled", prom.enabled ?? false);
  const namespace = p.string("monitoring.prometheus.namespace", prom.namespace ?? "monitoring", dnsLabel, dnsLabelRule);
  const release = p.string("monitoring.prometheus.release", prom.release ?? "prometheus", dnsLabel, dnsLabelRule);
  if (enabled && platform === "embedded") {
    p.add(
      "monitoring.prometheus.enabled",
      true,
      "needs platform kubernetes or render (the embedded platform has no cluster to run Prometheus in)",
    );
  }
  if (namespace !== undefined && brokerNamespaces.includes(namespace)) {
    p.add(
      "monitoring.prometheus.namespace",
      namespace,
      "is also a broker namespace: Prometheus gets its own, the one namespace labelled messaging-platform.io/monitoring",
    );
  }
  // No file: the chart's own defaults, and the program's keys.
  const base =
    prom.valuesFile === undefined
      ? { chartDir: join(ctx.repoRoot, "charts", "prometheus"), valuesFile: "", example: {} as Values }
      : loadChartValues(p, "monitoring.prometheus", "prometheus", prom.valuesFile, ctx);
  for (const key of programOwnedPrometheusKeys) {
    if (base?.example[key] !== undefined) {
      p.add(
        "monitoring.prometheus.valuesFile",
        base.valuesFile,
        `sets ${key}: the program sets it from the brokers' settings and the cluster (remove it from the file)`,
      );
    }
  }
  if (enabled === undefined || !namespace || !release || !base) return undefined;
  return {
    prometheus: {
      enabled,
      namespace,
      release,
      chartDir: base.chartDir,
      valuesFile: base.valuesFile,
      exampleValues: base.example,
    },
  };
}
