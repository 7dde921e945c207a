// charts/kafka's JMX exporter rules (files/jmx-exporter.yaml, rendered into the metrics ConfigMap), applied the way
// the agent applies them (charts/test/jmx-exporter.ts) to sample MBean attributes of Kafka 4.x: every curated metric
// comes out under its name, with its labels and type suffix; what is not curated is dropped; every metric the
// PrometheusRule's alerts select is one the rules produce.
import { parse } from "yaml";
import {
  applyRules,
  included,
  type JmxExporterConfig,
  javaOnlyRegexSyntax,
  javaReplacement,
  type MBeanAttribute,
  matchName,
  objectNameMatches,
  safeName,
  selectedMetrics,
  withoutReservedSuffix,
} from "./jmx-exporter";
import { type Any, render } from "./support";

const rendered = render("kafka", [], ["metrics.prometheusRule.enabled=true"]);
const config: JmxExporterConfig = parse(rendered.get("ConfigMap", "mp-kafka-metrics").data["jmx-exporter.yaml"]);

/** An MBean attribute from its JMX object name (keys in registration order) and attribute. */
function bean(objectName: string, attribute: string, value: number | string = 7): MBeanAttribute {
  const [domain = "", props = ""] = objectName.split(":");
  return { domain, keys: props.split(",").map((p) => p.split("=") as [string, string]), attribute, value };
}

const gauge = (objectName: string) => bean(objectName, "Value");
const meter = (objectName: string) => bean(objectName, "Count");

/** The curated metrics: an MBean attribute of Kafka 4.3 and the sample the agent must expose for it. */
const curated: [MBeanAttribute, string, Record<string, string>][] = [
  ...[
    "UnderReplicatedPartitions",
    "UnderMinIsrPartitionCount",
    "AtMinIsrPartitionCount",
    "OfflineReplicaCount",
    "PartitionCount",
    "LeaderCount",
  ].map((n): [MBeanAttribute, string, Record<string, string>] => [
    gauge(`kafka.server:type=ReplicaManager,name=${n}`),
    `kafka_server_replicamanager_${n.toLowerCase()}`,
    {},
  ]),
  [meter("kafka.server:type=ReplicaManager,name=IsrShrinksPerSec"), "kafka_server_replicamanager_isrshrinks_total", {}],
  [meter("kafka.server:type=ReplicaManager,name=IsrExpandsPerSec"), "kafka_server_replicamanager_isrexpands_total", {}],
  ...["ActiveControllerCount", "OfflinePartitionsCount", "FencedBrokerCount", "ActiveBrokerCount"].map(
    (n): [MBeanAttribute, string, Record<string, string>] => [
      gauge(`kafka.controller:type=KafkaController,name=${n}`),
      `kafka_controller_kafkacontroller_${n.toLowerCase()}`,
      {},
    ],
  ),
  [
    meter("kafka.controller:type=ControllerStats,name=UncleanLeaderElectionsPerSec"),
    "kafka_controller_controllerstats_uncleanleaderelections_total",
    {},
  ],
  ...["Produce", "FetchConsumer", "FetchFollower"].flatMap((request) =>
    (
      [
        ["50thPercentile", "0.50"],
        ["99thPercentile", "0.99"],
        ["999thPercentile", "0.999"],
      ] as const
    ).map(([attribute, quantile]): [MBeanAttribute, string, Record<string, string>] => [
      bean(`kafka.network:type=RequestMetrics,name=TotalTimeMs,request=${request}`, attribute, 2.5),
      "kafka_network_requestmetrics_totaltimems",
      { request, quantile },
    ]),
  ),
  ...["BytesIn", "BytesOut", "MessagesIn"].flatMap((m): [MBeanAttribute, string, Record<string, string>][] => [
    [
      meter(`kafka.server:type=BrokerTopicMetrics,name=${m}PerSec,topic=smoke`),
      `kafka_server_brokertopicmetrics_${m.toLowerCase()}_total`,
      { topic: "smoke" },
    ],
    [
      meter(`kafka.server:type=BrokerTopicMetrics,name=${m}PerSec`),
      `kafka_server_brokertopicmetrics_${m.toLowerCase()}_total`,
      {},
    ],
  ]),
  [
    bean("kafka.server:type=raft-metrics", "current-state", "leader"),
    "kafka_server_raftmetrics_current_state",
    { current_state: "leader" },
  ],
  [bean("kafka.server:type=raft-metrics", "high-watermark", 1234), "kafka_server_raftmetrics_high_watermark", {}],
  [bean("kafka.server:type=raft-metrics", "current-leader", 0), "kafka_server_raftmetrics_current_leader", {}],
  [
    gauge("kafka.log:type=LogManager,name=OfflineLogDirectoryCount"),
    "kafka_log_logmanager_offlinelogdirectorycount",
    {},
  ],
];

/** Attributes the rules must drop: not curated, or another shape of a curated MBean. */
const dropped: MBeanAttribute[] = [
  bean("kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Metadata", "99thPercentile"),
  bean("kafka.network:type=RequestMetrics,name=RequestsPerSec,request=Produce,version=11", "Count"),
  bean("kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec,topic=smoke", "OneMinuteRate"),
  bean("kafka.server:type=ReplicaManager,name=IsrShrinksPerSec", "MeanRate"),
  bean("kafka.server:type=raft-metrics", "current-state-unknown", "x"),
];

describe("the JMX exporter rules file (charts/kafka/files/jmx-exporter.yaml)", () => {
  test.each(curated.map(([m, name, labels]) => ({ input: matchName(m), m, name, labels })))(
    "$input → $name",
    ({ m, name, labels }) => {
      expect(included(config, m)).toBe(true);
      const sample = applyRules(config, m);
      expect(sample).toEqual({ name, labels, value: typeof m.value === "number" ? m.value : 1 });
    },
  );

  test.each(dropped.map((m) => ({ input: matchName(m), m })))("$input is not exported", ({ m }) => {
    expect(applyRules(config, m)).toBeUndefined();
  });

  test("the per-partition log MBeans are not even read (includeObjectNames)", () => {
    expect(included(config, bean("kafka.log:type=Log,name=Size,topic=smoke,partition=0", "Value"))).toBe(false);
  });

  test("every pattern keeps to the regex syntax Java and JavaScript read alike", () => {
    const patterns = (config.rules ?? []).map((r) => r.pattern ?? "");
    expect(patterns.length).toBeGreaterThan(5);
    expect(patterns.flatMap(javaOnlyRegexSyntax)).toEqual([]);
  });

  test("every metric the alerts select is one the rules produce (or the scrape's own `up`)", () => {
    const produced = new Set(curated.map(([m]) => applyRules(config, m)?.name));
    const rule = rendered.get("PrometheusRule", "mp-kafka");
    const selected = rule.spec.groups.flatMap((g: Any) => g.rules.flatMap((r: Any) => selectedMetrics(r.expr)));
    expect(selected.length).toBeGreaterThanOrEqual(5);
    expect(selected.filter((n: string) => n !== "up" && !produced.has(n))).toEqual([]);
  });
});

describe("the model of the agent (pure)", () => {
  test("safeName: unsafe characters become _, runs of _ collapse, a leading digit gets a _", () => {
    expect(safeName("kafka_server_raftmetrics_high-watermark")).toBe("kafka_server_raftmetrics_high_watermark");
    expect(safeName("a.b--c__d")).toBe("a_b_c_d");
    expect(safeName("9lives")).toBe("_9lives");
  });

  test("client_java strips reserved suffixes, repeatedly", () => {
    expect(withoutReservedSuffix("x_total")).toBe("x");
    expect(withoutReservedSuffix("x_info_total")).toBe("x");
    expect(withoutReservedSuffix("x_count")).toBe("x_count");
  });

  test("Java replacement: $n groups (longest that exists), \\ escapes, an unknown group is an error", () => {
    expect(javaReplacement("a_$1_$2", ["all", "X", "Y"])).toBe("a_X_Y");
    expect(javaReplacement("$12", ["all", "X"])).toBe("X2");
    expect(javaReplacement("\\$1", ["all", "X"])).toBe("$1");
    expect(() => javaReplacement("$3", ["all"])).toThrow("No group 3");
    expect(() => javaReplacement("$x", ["all"])).toThrow("Illegal group reference");
  });

  test("a COUNTER gets _total once; a GAUGE named _total loses it; lowercasing applies to names and label names", () => {
    const c: JmxExporterConfig = {
      lowercaseOutputName: true,
      lowercaseOutputLabelNames: true,
      rules: [
        { pattern: "d<type=(\\w+)><>Count", name: "d_$1_total", type: "COUNTER", labels: { Kind: "$1" } },
        { pattern: "d<type=(\\w+)><>Value", name: "d_$1_total", type: "GAUGE" },
      ],
    };
    expect(applyRules(c, bean("d:type=Fast", "Count", 3))).toEqual({
      name: "d_fast_total",
      labels: { kind: "Fast" },
      value: 3,
    });
    expect(applyRules(c, bean("d:type=Fast", "Value", 3))).toEqual({ name: "d_fast", labels: {}, value: 3 });
    expect(applyRules(c, bean("d:type=Fast", "Value", "text"))).toBeUndefined();
  });

  test("the syntax check names lookbehind, possessive quantifiers, inline flags and \\Q quoting", () => {
    expect(javaOnlyRegexSyntax("(?<=a)b")).toEqual(["lookbehind in (?<=a)b"]);
    expect(javaOnlyRegexSyntax("a++")).toEqual(["possessive quantifier in a++"]);
    expect(javaOnlyRegexSyntax("(?i)kafka")).toEqual(["inline flags in (?i)kafka"]);
    expect(javaOnlyRegexSyntax("\\Qa.b\\E")).toEqual(["\\Q..\\E quoting in \\Qa.b\\E"]);
    expect(javaOnlyRegexSyntax("kafka.(\\w+)<type=(?!RequestMetrics)(.+)>(?:x)")).toEqual([]);
  });

  test("ObjectName patterns: `,*` admits more keys, an exact name admits none", () => {
    const m = {
      domain: "kafka.server",
      keys: [
        ["type", "ReplicaManager"],
        ["name", "LeaderCount"],
      ] as [string, string][],
    };
    expect(objectNameMatches("kafka.server:type=ReplicaManager,*", m)).toBe(true);
    expect(objectNameMatches("kafka.server:type=ReplicaManager", m)).toBe(false);
    expect(objectNameMatches("kafka.server:type=BrokerTopicMetrics,*", m)).toBe(false);
    expect(objectNameMatches("kafka.*:type=ReplicaManager,name=LeaderCount", m)).toBe(true);
  });

  test("selectedMetrics finds every selector's metric name", () => {
    expect(selectedMetrics('(sum(a_b{x="1"}) or vector(0)) != 1 and c:d{y=~"z"}')).toEqual(["a_b", "c:d"]);
  });
});
