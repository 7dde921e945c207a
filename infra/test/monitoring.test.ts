// Stack config `monitoring:` (a Prometheus in the cluster) and the pure mapping to charts/prometheus values: off
// unless a stack turns it on, every mistake named by key, value and rule, the broker charts' own rule files and
// metrics ports passed through, and a namespace the brokers' NetworkPolicies admit.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { kafkaMetrics } from "../../chart-values/kafka";
import { rabbitmqMetricsPort } from "../../chart-values/rabbitmq";
import { repoRoot } from "../../toolchain/src/paths";
import { effectiveChartValues } from "../components/prometheus";
import { Problems } from "../problems";
import type { Platform } from "../settings/levels";
import { type MonitoringSettings, parseMonitoring } from "../settings/monitoring";
import { parseSettings, SettingsError } from "../settings/settings";
import {
  monitoringNamespaceLabels,
  prometheusApiPort,
  prometheusChartValues,
  prometheusPlacement,
  queryFromWithClients,
} from "../values/prometheus";
import { exampleSettings, stackConfig } from "./stacks";

const ctx = { stack: "test", repoRoot };
const brokerNamespaces = ["kafka", "rabbitmq"];

function parsed(value: unknown, platform: Platform = "kubernetes"): { s?: MonitoringSettings; problems: string[] } {
  const p = new Problems();
  const s = parseMonitoring(p, value, platform, brokerNamespaces, ctx);
  return { ...(s ? { s } : {}), problems: p.list };
}

describe("stack config monitoring.prometheus", () => {
  test("absent: off, in namespace monitoring, with the chart's defaults", () => {
    const { s, problems } = parsed(undefined);
    expect(problems).toEqual([]);
    expect(s?.prometheus).toMatchObject({ enabled: false, namespace: "monitoring", release: "prometheus" });
    expect(s?.prometheus.exampleValues).toEqual({});
  });

  test("the cluster stack turns it on with charts/prometheus/examples/cluster.yaml; the example stacks leave it off", () => {
    const cluster = parsed(stackConfig("cluster").monitoring);
    expect(cluster.problems).toEqual([]);
    expect(cluster.s?.prometheus).toMatchObject({
      enabled: true,
      valuesFile: "charts/prometheus/examples/cluster.yaml",
    });
    for (const stack of ["dev", "staging", "production"]) {
      expect({ stack, monitoring: stackConfig(stack).monitoring }).toEqual({ stack, monitoring: undefined });
    }
  });

  test.each([
    [{ prometheus: { enabled: "yes" } }, 'monitoring.prometheus.enabled = "yes" must be true or false'],
    [
      { prometheus: { namespace: "Monitoring" } },
      'monitoring.prometheus.namespace = "Monitoring" must be a DNS-1123 label',
    ],
    [
      { prometheus: { namespace: "kafka" } },
      'monitoring.prometheus.namespace = "kafka" is also a broker namespace: Prometheus gets its own',
    ],
    [{ prometheus: { enable: true } }, "monitoring.prometheus.enable = true is not a known setting"],
    [{ grafana: {} }, "monitoring.grafana = {} is not a known setting (known: prometheus)"],
    [{ prometheus: true }, "monitoring.prometheus = true must be a mapping"],
    [
      { prometheus: { valuesFile: "charts/prometheus/examples/missing.yaml" } },
      'monitoring.prometheus.valuesFile = "charts/prometheus/examples/missing.yaml" does not exist',
    ],
  ])("%j is refused: %s", (value, message) => {
    expect(parsed(value).problems).toEqual([expect.stringContaining(message)]);
  });

  test("on the embedded platform it is refused: there is no cluster to run it in", () => {
    expect(parsed({ prometheus: { enabled: true } }, "embedded").problems).toEqual([
      "monitoring.prometheus.enabled = true needs platform kubernetes or render (the embedded platform has no cluster to run Prometheus in)",
    ]);
  });

  test("a values file that sets what the program sets (scraped brokers, rule files, API server) is refused, named", () => {
    const root = mkdtempSync(join(tmpdir(), "mp-monitoring-"));
    try {
      mkdirSync(join(root, "charts", "prometheus", "examples"), { recursive: true });
      writeFileSync(join(root, "charts", "prometheus", "examples", "own.yaml"), "alertRules: {}\nkafka: {port: 1}\n");
      const p = new Problems();
      parseMonitoring(p, { prometheus: { valuesFile: "charts/prometheus/examples/own.yaml" } }, "kubernetes", [], {
        stack: "test",
        repoRoot: root,
      });
      expect(p.list).toEqual([
        'monitoring.prometheus.valuesFile = "charts/prometheus/examples/own.yaml" sets kafka: the program sets it from the brokers\' settings and the cluster (remove it from the file)',
        'monitoring.prometheus.valuesFile = "charts/prometheus/examples/own.yaml" sets alertRules: the program sets it from the brokers\' settings and the cluster (remove it from the file)',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("in the whole stack config", () => {
  test("the cluster stack's settings carry it on; a dev stack's off", () => {
    expect(exampleSettings("cluster").monitoring.prometheus.enabled).toBe(true);
    expect(exampleSettings("dev").monitoring.prometheus.enabled).toBe(false);
  });

  test("a bad monitoring key fails the whole config before anything is deployed, named with its value", () => {
    const config = { ...stackConfig("cluster"), monitoring: { prometheus: { enabled: 1 } } };
    expect(() => parseSettings(config, { stack: "cluster", repoRoot })).toThrow(SettingsError);
    expect(() => parseSettings(config, { stack: "cluster", repoRoot })).toThrow(
      "monitoring.prometheus.enabled = 1 must be true or false",
    );
  });
});

describe("charts/prometheus values from the settings", () => {
  const settings = () => {
    const s = parsed(stackConfig("cluster").monitoring).s;
    if (!s) throw new Error("the cluster stack's monitoring settings do not parse");
    return s.prometheus;
  };
  const brokers = {
    kafka: { enabled: true, namespace: "kafka", port: 9404 },
    rabbitmq: { namespace: "rabbitmq", port: 15692 },
  };

  test("the example file's values, then the brokers' namespaces and ports, the rule files and the API server", () => {
    const values = prometheusChartValues(settings(), {
      brokers,
      alertRules: { kafka: "groups: []\n" },
      apiServer: { addresses: ["10.214.0.1"], ports: [6443] },
    });
    expect(values).toMatchObject(settings().exampleValues);
    expect(values).toMatchObject({
      kafka: { enabled: true, namespaces: ["kafka"], port: 9404 },
      rabbitmq: { enabled: true, namespaces: ["rabbitmq"], port: 15692 },
      alertRules: { kafka: "groups: []\n" },
      apiServer: { addresses: ["10.214.0.1"], ports: [6443] },
    });
  });

  test("no API server known (render platform): the chart's own apiServer default stays", () => {
    expect(prometheusChartValues(settings(), { brokers, alertRules: {} })).not.toHaveProperty("apiServer");
  });

  test("Kafka values with metrics off: no Kafka job", () => {
    const off = { ...brokers, kafka: { ...brokers.kafka, enabled: false } };
    expect(prometheusChartValues(settings(), { brokers: off, alertRules: {} }).kafka).toMatchObject({
      enabled: false,
    });
  });

  test("the brokers' metrics ports as their charts declare them, and a values file's override", () => {
    const kafkaDir = join(repoRoot, "charts", "kafka");
    const rabbitmqDir = join(repoRoot, "charts", "rabbitmq");
    expect(kafkaMetrics(effectiveChartValues(kafkaDir, {}))).toEqual({ enabled: true, port: 9404 });
    expect(kafkaMetrics(effectiveChartValues(kafkaDir, { metrics: { port: 9500 } }))).toEqual({
      enabled: true,
      port: 9500,
    });
    // The development example runs the official image, which has no agent: metrics off.
    const development = parse(readFileSync(join(kafkaDir, "examples", "development.yaml"), "utf8"));
    expect(kafkaMetrics(effectiveChartValues(kafkaDir, development)).enabled).toBe(false);
    expect(rabbitmqMetricsPort(effectiveChartValues(rabbitmqDir, {}))).toBe(15692);
  });

  test("Prometheus's namespace label is the one both broker charts' metricsFrom admits by default", () => {
    for (const chart of ["kafka", "rabbitmq"]) {
      const values = parse(readFileSync(join(repoRoot, "charts", chart, "values.yaml"), "utf8"));
      expect({ chart, metricsFrom: values.networkPolicy.metricsFrom }).toEqual({
        chart,
        metricsFrom: [{ namespaceSelector: { matchLabels: { ...monitoringNamespaceLabels } } }],
      });
    }
  });

  test("the cluster stack's broker examples leave metricsFrom alone, so the labelled namespace is admitted there", () => {
    const config = stackConfig("cluster") as Record<string, { valuesFile: string }>;
    for (const system of ["kafka", "rabbitmq"] as const) {
      const example = parse(readFileSync(join(repoRoot, config[system]?.valuesFile ?? ""), "utf8"));
      expect({ system, metricsFrom: example?.networkPolicy?.metricsFrom }).toEqual({ system, metricsFrom: undefined });
    }
  });
});

describe("the drills' machine may query Prometheus; the drills know where it runs", () => {
  const labelled = [{ namespaceSelector: { matchLabels: { ...monitoringNamespaceLabels } } }];
  const chartQueryFrom = () =>
    (effectiveChartValues(join(repoRoot, "charts", "prometheus"), {}).networkPolicy as { queryFrom: unknown[] })
      .queryFrom;

  test("the stack's clientAddresses are added to the chart's queryFrom as ipBlocks", () => {
    expect(chartQueryFrom()).toEqual(labelled);
    expect(queryFromWithClients(chartQueryFrom(), ["10.214.0.1/32"])).toEqual([
      ...labelled,
      { ipBlock: { cidr: "10.214.0.1/32" } },
    ]);
  });

  test("the in-cluster gate's pod is admitted from its namespace (its metrics check), beside the addresses", () => {
    expect(queryFromWithClients(chartQueryFrom(), ["10.214.0.1/32"], "messaging-smoke")).toEqual([
      ...labelled,
      { ipBlock: { cidr: "10.214.0.1/32" } },
      {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "messaging-smoke" } },
        podSelector: { matchLabels: { "messaging-platform.io/role": "smoke-gate" } },
      },
    ]);
    expect(queryFromWithClients(chartQueryFrom(), [], "messaging-smoke")).toHaveLength(labelled.length + 1);
    expect(queryFromWithClients([], [], "messaging-smoke")).toBeUndefined();
  });

  test("no clientAddresses: queryFrom is left as the values have it", () => {
    expect(queryFromWithClients(chartQueryFrom(), [])).toBeUndefined();
  });

  test("an empty queryFrom admits anyone already: an address added would narrow it, so none is", () => {
    expect(queryFromWithClients([], ["10.214.0.1/32"])).toBeUndefined();
  });

  test("the chart values carry it under networkPolicy, keeping the values file's other networkPolicy keys", () => {
    const s = parsed(stackConfig("cluster").monitoring).s?.prometheus;
    if (!s) throw new Error("the cluster stack's monitoring settings do not parse");
    const withOther = { ...s, exampleValues: { ...s.exampleValues, networkPolicy: { other: 1 } } };
    const queryFrom = [{ ipBlock: { cidr: "10.214.0.1/32" } }];
    const values = prometheusChartValues(withOther, {
      brokers: {
        kafka: { enabled: true, namespace: "kafka", port: 9404 },
        rabbitmq: { namespace: "rabbitmq", port: 1 },
      },
      alertRules: {},
      queryFrom,
    });
    expect(values.networkPolicy).toEqual({ other: 1, queryFrom });
  });

  test("placement.prometheus: its namespace, the chart's selector labels for its release, the API port", () => {
    const s = parsed({ prometheus: { enabled: true, namespace: "mon", release: "prom" } }).s?.prometheus;
    if (!s) throw new Error("monitoring settings do not parse");
    expect(prometheusPlacement(s)).toEqual({
      namespace: "mon",
      podSelector: "app.kubernetes.io/name=prometheus,app.kubernetes.io/instance=prom",
      port: prometheusApiPort,
    });
    expect(prometheusPlacement({ ...s, exampleValues: { nameOverride: "prom-x" } }).podSelector).toBe(
      "app.kubernetes.io/name=prom-x,app.kubernetes.io/instance=prom",
    );
  });
});
