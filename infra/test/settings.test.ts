// Stack config validation: every mistake is named by key, value and rule, and all are reported in one run.
import { rmSync } from "node:fs";
import { parseSettings, SettingsError } from "../settings/settings";
import { kafkaChartValues } from "../values/kafka";
import { rabbitmqChartValues } from "../values/rabbitmq";
import { fakeRepo, productionConfig } from "./helpers";

type Config = Record<string, any>;

let repoRoot: string;
beforeAll(() => {
  repoRoot = fakeRepo({
    kafka: {
      latest: { image: { tag: "latest" } },
      evenControllers: { controllers: { replicas: 4 } },
      notYaml: { placeholder: 1 },
      tuned: { config: { "num.io.threads": 8 } },
    },
  });
});
afterAll(() => rmSync(repoRoot, { recursive: true, force: true }));

const parse = (config: Config) => parseSettings(config, { stack: "test", repoRoot });

function problems(mutate: (c: Config) => void): string[] {
  const config = productionConfig() as Config;
  mutate(config);
  try {
    parse(config);
  } catch (e) {
    if (e instanceof SettingsError) return e.problems;
    throw e;
  }
  return [];
}

const production = "charts/kafka/examples/production.yaml";
const rabbitProduction = "charts/rabbitmq/examples/production.yaml";

describe("a valid stack config", () => {
  it("takes every chart setting from the example file and the stack's overrides", () => {
    const s = parse(productionConfig());
    expect(s.environment).toBe("production");
    expect(s.kafka).toMatchObject({ brokers: 3, controllers: 3, replicationFactor: 3, minInsyncReplicas: 2 });
    expect(s.kafka).toMatchObject({ namespace: "kafka", release: "kafka", clientUser: "app", clientPort: 9092 });
    expect(s.kafka.topics).toEqual([
      { name: "smoke.orders", partitions: 6, replicationFactor: 3, minInsyncReplicas: 2 },
    ]);
    expect(s.rabbitmq).toMatchObject({ replicas: 3, quorumInitialGroupSize: 3, username: "admin", vhost: "/" });
    expect(s.rabbitmq.queues).toEqual([{ name: "smoke.orders", type: "quorum" }]);
    expect(s.rabbitmq.policies[0]).toMatchObject({ applyTo: "queues", priority: 0 });
  });

  it("an override wins over the example file", () => {
    const s = parse({ ...productionConfig(), kafka: { valuesFile: production, brokers: 5 } });
    expect(s.kafka.brokers).toBe(5);
  });

  it("a development stack may run one node with replication factor 1", () => {
    const s = parse({
      environment: "development",
      clientNamespaceLabels: { "messaging-platform.io/client": "true" },
      kafka: { valuesFile: "charts/kafka/examples/development.yaml" },
      rabbitmq: { valuesFile: "charts/rabbitmq/examples/development.yaml" },
    });
    expect(s.kafka).toMatchObject({ kraftMode: "combined", brokers: 1, controllers: 1, replicationFactor: 1 });
    expect(s.rabbitmq.replicas).toBe(1);
  });
});

describe("each bad setting is named with its value and the rule it breaks", () => {
  const cases: Array<[string, (c: Config) => void, string]> = [
    [
      "unknown environment",
      (c) => (c.environment = "prod"),
      'environment = "prod" must be one of "development", "staging", "production"',
    ],
    ["typo in a top-level key", (c) => (c.kafak = {}), "config.kafak = {} is not a known setting"],
    ["throwaway not a boolean", (c) => (c.throwaway = "yes"), 'throwaway = "yes" must be true or false'],
    [
      "a production stack declared throwaway (the empty passphrase)",
      (c) => (c.throwaway = true),
      "throwaway = true cannot be set in environment production: a production stack's secrets need a passphrase or a secrets provider",
    ],
    ["typo in a kafka key", (c) => (c.kafka.broker = 3), "kafka.broker = 3 is not a known setting"],
    [
      "fewer brokers than the replication factor",
      (c) => (c.kafka.brokers = 2),
      `kafka.brokers = 2 is fewer than kafka.replicationFactor (from ${production}) = 3`,
    ],
    [
      "min ISR equal to RF",
      (c) => (c.kafka.minInsyncReplicas = 3),
      `kafka.minInsyncReplicas = 3 must be less than kafka.replicationFactor (from ${production}) = 3: with one replica down, acks=all writes would fail`,
    ],
    [
      "min ISR above RF",
      (c) => (c.kafka.minInsyncReplicas = 4),
      "kafka.minInsyncReplicas = 4 is more than kafka.replicationFactor",
    ],
    [
      "production RF below 3",
      (c) => Object.assign(c.kafka, { replicationFactor: 2, minInsyncReplicas: 1 }),
      "kafka.replicationFactor = 2 must be ≥ 3 in production (policy kafka-production-durability)",
    ],
    [
      "production min ISR below 2",
      (c) => (c.kafka.minInsyncReplicas = 1),
      "kafka.minInsyncReplicas = 1 must be ≥ 2 in production",
    ],
    ["brokers not a number", (c) => (c.kafka.brokers = "three"), 'kafka.brokers = "three" must be an integer ≥ 1'],
    ["fractional brokers", (c) => (c.kafka.brokers = 3.5), "kafka.brokers = 3.5 must be an integer ≥ 1"],
    [
      "unknown KRaft mode",
      (c) => (c.kafka.kraftMode = "zookeeper"),
      'kafka.kraftMode = "zookeeper" must be one of "dedicated", "combined"',
    ],
    [
      "even controller quorum",
      (c) => (c.kafka.valuesFile = "charts/kafka/examples/evenControllers.yaml"),
      "kafka.controllers (from charts/kafka/examples/evenControllers.yaml) = 4 must be odd",
    ],
    [
      "unclean leader election in production",
      (c) => (c.kafka.uncleanLeaderElection = true),
      "kafka.uncleanLeaderElection = true must be false in production",
    ],
    [
      "auto-created topics in production",
      (c) => (c.kafka.autoCreateTopics = true),
      "kafka.autoCreateTopics = true must be false in production",
    ],
    [
      "latest image from the example file",
      (c) => (c.kafka.valuesFile = "charts/kafka/examples/latest.yaml"),
      'kafka.imageTag (from charts/kafka/examples/latest.yaml) = "latest" must pin a version',
    ],
    [
      "floating image tag",
      (c) => (c.rabbitmq.imageTag = "management"),
      'rabbitmq.imageTag = "management" must pin a version',
    ],
    [
      "missing values file",
      (c) => (c.kafka.valuesFile = "charts/kafka/examples/nope.yaml"),
      'kafka.valuesFile = "charts/kafka/examples/nope.yaml" does not exist',
    ],
    ["no values file", (c) => delete c.rabbitmq.valuesFile, "rabbitmq.valuesFile = (unset) must be a non-empty string"],
    [
      "repeating the example file",
      (c) => (c.kafka.brokers = 3),
      `kafka.brokers = 3 repeats ${production}; remove it from the stack config`,
    ],
    [
      "namespace not a DNS label",
      (c) => (c.kafka.namespace = "Kafka_NS"),
      'kafka.namespace = "Kafka_NS" must be a DNS-1123 label',
    ],
    [
      "both systems in one namespace",
      (c) => (c.rabbitmq.namespace = "kafka"),
      'rabbitmq.namespace = "kafka" is also kafka.namespace',
    ],
    [
      "client user not a SCRAM user",
      (c) => (c.kafka.clientUser = "bob"),
      'kafka.clientUser = "bob" is not one of kafka.users',
    ],
    [
      "the chart's own identity as a user",
      (c) => (c.kafka.users = ["app", "inter-broker"]),
      'must not contain "inter-broker"',
    ],
    [
      "duplicate user",
      (c) => (c.kafka.users = ["app", "ops", "ops"]),
      'kafka.users = "ops" is declared more than once',
    ],
    [
      "topic with a bad name",
      (c) => (c.kafka.topics[0].name = "orders/eu"),
      'kafka.topics[0].name = "orders/eu" must be a Kafka topic name',
    ],
    [
      "topic with zero partitions",
      (c) => (c.kafka.topics[0].partitions = 0),
      "kafka.topics[0].partitions = 0 must be ≥ 1",
    ],
    [
      "topic RF above brokers",
      (c) => (c.kafka.topics[0].replicationFactor = 5),
      "kafka.topics[0].replicationFactor = 5 is more than kafka.brokers = 3",
    ],
    [
      "topic min ISR equal to its RF",
      (c) => (c.kafka.topics[0].minInsyncReplicas = 3),
      "kafka.topics[0].minInsyncReplicas = 3 must be less than kafka.replicationFactor = 3",
    ],
    [
      "topic declared twice",
      (c) => c.kafka.topics.push({ name: "smoke.orders", partitions: 1 }),
      'kafka.topics[].name = "smoke.orders" is declared more than once',
    ],
    ["topics not a list", (c) => (c.kafka.topics = { name: "x" }), 'kafka.topics = {"name":"x"} must be a list'],
    [
      "typo in a topic key",
      (c) => (c.kafka.topics[0].partition = 3),
      "kafka.topics[0].partition = 3 is not a known setting",
    ],
    [
      "queue not a mapping",
      (c) => (c.rabbitmq.queues[0] = "orders"),
      'rabbitmq.queues[0] = "orders" must be a mapping',
    ],
    [
      "typo in a policy key",
      (c) => (c.rabbitmq.policies[0].applyto = "queues"),
      'rabbitmq.policies[0].applyto = "queues" is not a known setting',
    ],
    [
      "policy declared twice",
      (c) => c.rabbitmq.policies.push({ ...c.rabbitmq.policies[0] }),
      "rabbitmq.policies[].name = ",
    ],
    ["even RabbitMQ cluster", (c) => (c.rabbitmq.replicas = 4), "rabbitmq.replicas = 4 must be odd"],
    [
      "RabbitMQ below 3 nodes in production",
      (c) => Object.assign(c.rabbitmq, { replicas: 1, quorumInitialGroupSize: 1 }),
      "rabbitmq.replicas = 1 must be ≥ 3 in production",
    ],
    [
      "quorum size above cluster size",
      (c) => (c.rabbitmq.quorumInitialGroupSize = 5),
      `rabbitmq.quorumInitialGroupSize = 5 is more than rabbitmq.replicas (from ${rabbitProduction}) = 3`,
    ],
    [
      "classic default queue type",
      (c) => (c.rabbitmq.defaultQueueType = "classic"),
      'rabbitmq.defaultQueueType = "classic" must be one of "quorum"',
    ],
    [
      "classic queue declared",
      (c) => (c.rabbitmq.queues[0].type = "classic"),
      'rabbitmq.queues[0].type = "classic" must be one of "quorum"',
    ],
    [
      "queue in the reserved amq. namespace",
      (c) => (c.rabbitmq.queues[0].name = "amq.x"),
      'rabbitmq.queues[0].name = "amq.x" must be a queue name',
    ],
    [
      "classic mirroring policy",
      (c) => (c.rabbitmq.policies[0].definition = { "ha-mode": "all" }),
      'rabbitmq.policies[0].definition.ha-mode = "all" is classic queue mirroring, removed in RabbitMQ 4.x',
    ],
    [
      "policy with a bad pattern",
      (c) => (c.rabbitmq.policies[0].pattern = "(["),
      'rabbitmq.policies[0].pattern = "([" is not a valid regular expression',
    ],
    [
      "policy applying to nothing known",
      (c) => (c.rabbitmq.policies[0].applyTo = "topics"),
      'rabbitmq.policies[0].applyTo = "topics" must be one of',
    ],
    [
      "no client namespace label",
      (c) => (c.clientNamespaceLabels = {}),
      "clientNamespaceLabels = {} must name at least one label",
    ],
    [
      "client label value not a string",
      (c) => (c.clientNamespaceLabels = { team: true }),
      "clientNamespaceLabels.team = true must be a non-empty string",
    ],
    [
      "relative render directory",
      (c) => {
        c.platform = "render";
        c.kubernetes = { renderYamlToDirectory: "out" };
      },
      'kubernetes.renderYamlToDirectory = "out" must be an absolute path',
    ],
    [
      "render platform with a context",
      (c) => (c.platform = "render"),
      'kubernetes.context = "prod" is not used on platform render (it contacts no cluster)',
    ],
    [
      "render directory on the kubernetes platform",
      (c) => (c.kubernetes.renderYamlToDirectory = "/tmp/out"),
      'kubernetes.renderYamlToDirectory = "/tmp/out" is only used on platform render',
    ],
  ];

  it.each(cases)("%s", (_name, mutate, message) => {
    const found = problems(mutate);
    expect(found).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
  });
});

describe("all mistakes at once", () => {
  it("a stack config with five different mistakes reports all five in one error", () => {
    const config = productionConfig() as Config;
    config.environment = "prod";
    config.kafka.brokers = 2;
    config.kafka.imageTag = "latest";
    config.rabbitmq.replicas = 4;
    config.clientNamespaceLabels = {};
    let error: unknown;
    try {
      parse(config);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const { problems, message } = error as SettingsError;
    expect(problems).toEqual([
      'environment = "prod" must be one of "development", "staging", "production"',
      "clientNamespaceLabels = {} must name at least one label (else no client is admitted)",
      'kafka.imageTag = "latest" must pin a version (not latest or a floating tag)',
      `kafka.brokers = 2 is fewer than kafka.replicationFactor (from ${production}) = 3`,
      "rabbitmq.replicas = 4 must be odd: an even cluster tolerates no more failures than one node fewer",
    ]);
    expect(message).toMatch(/^stack test: 5 problems in the stack config; nothing was deployed:\n {2}- environment/);
  });
});

describe("gate settings (stack config `gate:`)", () => {
  const development = (gate?: unknown) => ({
    environment: "development",
    clientNamespaceLabels: { "messaging-platform.io/client": "true" },
    kafka: { valuesFile: "charts/kafka/examples/development.yaml" },
    rabbitmq: { valuesFile: "charts/rabbitmq/examples/development.yaml" },
    ...(gate === undefined ? {} : { gate }),
  });

  it("production does not kill a broker unless the stack says so; staging does", () => {
    expect(parse(productionConfig()).gate.nodeFailure).toBe(false);
    const staging = { ...productionConfig(), environment: "staging" };
    expect(parse(staging).gate.nodeFailure).toBe(true);
    expect(parse({ ...productionConfig(), gate: { nodeFailure: true } }).gate.nodeFailure).toBe(true);
  });

  it("floors and sizes from the stack override the defaults, the rest stays", () => {
    const s = parse({
      ...productionConfig(),
      gate: { throughput: { durationMs: 20_000, floors: { kafka: { messagesPerSec: 5000 } } } },
    });
    expect(s.gate.throughput.durationMs).toBe(20_000);
    expect(s.gate.throughput.floors.kafka).toEqual({ messagesPerSec: 5000 });
    expect(s.gate.throughput.floors.rabbitmq).toEqual({ messagesPerSec: 500 });
    expect(s.gate.durability.ratePerSec).toBe(1000);
  });

  it("a one-node stack has the node-failure check off, and turning it on names why it cannot pass", () => {
    expect(parse(development()).gate.nodeFailure).toBe(false);
    expect(() => parse(development({ nodeFailure: true }))).toThrow(
      /gate.nodeFailure = true cannot pass: Kafka tolerates 0 broker loss\(es\) \(replication factor 1, min ISR 1\)/,
    );
  });

  it("names every bad gate setting with its value and rule", () => {
    const found = problems((c) => {
      c.gate = {
        systems: ["kafka", "kafak"],
        kafkaClient: "rdkafka",
        nodeFailure: "yes",
        workers: 0,
        durability: { faultMs: 15 },
        throughput: { messageBytes: 10, floors: { kafka: { messagesPerSec: -1, publishP99Ms: 0 }, redis: {} } },
        inCluster: { enabled: true, image: "messaging-platform/smoke-gate:latest", namespace: "Smoke" },
        floor: 1,
      };
    });
    expect(found).toEqual(
      expect.arrayContaining([
        "gate.floor = 1 is not a known setting (known: systems, kafkaClient, nodeFailure, workers, durability, throughput)",
        'gate.kafkaClient = "rdkafka" must be one of kafkajs, librdkafka, platformatic',
        'gate.systems[1] = "kafak" must be "kafka" or "rabbitmq"',
        'gate.nodeFailure = "yes" must be true or false',
        "gate.workers = 0 must be an integer from 1 to 64",
        "gate.durability.faultMs = 15 must be an integer from 1000 to 600000",
        "gate.throughput.messageBytes = 10 must be an integer from 64 to 1048576",
        "gate.throughput.floors.redis = {} is not a known setting (known: kafka, rabbitmq)",
        "gate.throughput.floors.kafka.messagesPerSec = -1 must be a number ≥ 0 (messages per second)",
        "gate.throughput.floors.kafka.publishP99Ms = 0 must be a number > 0 (milliseconds)",
        'gate.inCluster.image = "messaging-platform/smoke-gate:latest" must be an image with an exact version tag (repository:1.2.3; not latest, not 1.2)',
        expect.stringMatching(/^gate.inCluster.namespace = "Smoke" must be a DNS-1123 label/),
      ]),
    );
    expect(found).toHaveLength(12);
  });
});

describe("gate.workers against the gate's Kafka topic", () => {
  it("refuses more workers than the first topic's partitions, and allows as many", () => {
    expect(problems((c) => (c.gate = { workers: 7 }))).toEqual([
      expect.stringMatching(/^gate.workers = 7 must be at most the 6 partitions of Kafka topic smoke.orders: /),
    ]);
    expect(problems((c) => (c.gate = { workers: 6 }))).toEqual([]);
  });

  it("has no bound when the gate checks RabbitMQ alone", () => {
    expect(problems((c) => (c.gate = { workers: 7, systems: ["rabbitmq"] }))).toEqual([]);
  });
});

describe("broker settings (stack config `kafka.config`, `rabbitmq.config`)", () => {
  const kafkaWiring = { scramUsers: "kafka-scram-users", clusterId: "kafka-kraft-cluster-id", clientFrom: [] };
  const rabbitmqWiring = {
    defaultUser: "rabbitmq-default-user",
    erlangCookie: "rabbitmq-erlang-cookie",
    clientFrom: [],
  };
  const withConfig = (kafka?: Config, rabbitmq?: Config, valuesFile = production): Config => {
    const c = productionConfig() as Config;
    c.kafka.valuesFile = valuesFile;
    if (kafka !== undefined) c.kafka.config = kafka;
    if (rabbitmq !== undefined) c.rabbitmq.config = rabbitmq;
    return c;
  };

  /** The production example's broker config: the managed keys and the ones derived from them. */
  const productionKafkaConfig = {
    "default.replication.factor": 3,
    "min.insync.replicas": 2,
    "unclean.leader.election.enable": false,
    "auto.create.topics.enable": false,
    "offsets.topic.replication.factor": 3,
    "transaction.state.log.replication.factor": 3,
    "transaction.state.log.min.isr": 2,
  };

  it("none by default: the chart's config is the values file's, with the managed and derived keys", () => {
    const s = parse(productionConfig());
    expect(s.kafka.config).toEqual({});
    expect(s.rabbitmq.config).toEqual({});
    expect(kafkaChartValues(s.kafka.exampleValues, s.kafka, kafkaWiring).config).toEqual(productionKafkaConfig);
  });

  it("a map of scalars is carried in the settings and written over the chart's config map", () => {
    const kafka = { "num.io.threads": 9, "compression.type": "zstd", "auto.leader.rebalance.enable": false };
    const rabbitmq = { collect_statistics_interval: 5000, "vm_memory_high_watermark.relative": 0.5 };
    const s = parse(withConfig(kafka, rabbitmq));
    expect(s.kafka.config).toEqual(kafka);
    expect(s.rabbitmq.config).toEqual(rabbitmq);
    const kafkaValues = kafkaChartValues(s.kafka.exampleValues, s.kafka, kafkaWiring);
    expect(kafkaValues.config).toEqual({ ...kafka, ...productionKafkaConfig });
    const rabbitmqValues = rabbitmqChartValues(s.rabbitmq.exampleValues, s.rabbitmq, rabbitmqWiring);
    expect(rabbitmqValues.config).toEqual({
      ...rabbitmq,
      default_queue_type: "quorum",
      "quorum_queue.initial_cluster_size": 3,
    });
  });

  it("a key the values file sets is overridden by a different value from the stack", () => {
    const tuned = "charts/kafka/examples/tuned.yaml";
    const s = parse(withConfig({ "num.io.threads": 12 }, undefined, tuned));
    expect(s.kafka.exampleValues.config).toEqual({ "num.io.threads": 8 });
    expect(kafkaChartValues(s.kafka.exampleValues, s.kafka, kafkaWiring).config).toMatchObject({
      "num.io.threads": 12,
    });
  });

  it("names every refused key with its value and rule, all in one run", () => {
    const found = problems((c) => {
      c.kafka.valuesFile = "charts/kafka/examples/tuned.yaml";
      c.kafka.config = {
        "num.network.threads": { threads: 3 },
        "log.segment.bytes": [1073741824],
        "log.cleanup.policy": "",
        "ssl.client.auth": null,
        "num io threads": 9,
        "min.insync.replicas": 1,
        "default.replication.factor": 2,
        "offsets.topic.replication.factor": 1,
        "transaction.state.log.min.isr": 1,
        "log.retention.hours": 168,
        "num.io.threads": "8",
      };
      c.rabbitmq.config = {
        default_queue_type: "classic",
        "quorum_queue.initial_cluster_size": 5,
        "disk_free_limit.absolute": "4GB",
        "log.console.level": ["debug"],
      };
    });
    const scalar = "must be a scalar: a number, a boolean or a non-empty one-line string";
    const once = "remove it from the stack config (one key, written once)";
    expect(found).toEqual([
      `kafka.config.num.network.threads = {"threads":3} ${scalar}`,
      `kafka.config.log.segment.bytes = [1073741824] ${scalar}`,
      `kafka.config.log.cleanup.policy = "" ${scalar}`,
      `kafka.config.ssl.client.auth = null ${scalar}`,
      `kafka.config["num io threads"] = 9 is not a server.properties key (letters, digits, '.', '_' and '-')`,
      "kafka.config.min.insync.replicas = 1 is a managed setting: use kafka.minInsyncReplicas",
      "kafka.config.default.replication.factor = 2 is a managed setting: use kafka.replicationFactor",
      "kafka.config.offsets.topic.replication.factor = 1 is derived from kafka.replicationFactor (internal topics get the durability of user topics): set kafka.replicationFactor instead",
      "kafka.config.transaction.state.log.min.isr = 1 is derived from kafka.minInsyncReplicas (internal topics get the durability of user topics): set kafka.minInsyncReplicas instead",
      `kafka.config.log.retention.hours = 168 repeats charts/kafka/values.yaml; ${once}`,
      `kafka.config.num.io.threads = "8" repeats charts/kafka/examples/tuned.yaml; ${once}`,
      'rabbitmq.config.default_queue_type = "classic" is a managed setting: use rabbitmq.defaultQueueType',
      "rabbitmq.config.quorum_queue.initial_cluster_size = 5 is a managed setting: use rabbitmq.quorumInitialGroupSize",
      `rabbitmq.config.disk_free_limit.absolute = "4GB" repeats charts/rabbitmq/values.yaml; ${once}`,
      `rabbitmq.config.log.console.level = ["debug"] ${scalar}`,
    ]);
  });

  it("must be a mapping", () => {
    expect(problems((c) => (c.kafka.config = ["num.io.threads=9"]))).toEqual([
      'kafka.config = ["num.io.threads=9"] must be a mapping',
    ]);
    expect(problems((c) => (c.rabbitmq.config = "collect_statistics_interval = 5000"))).toEqual([
      'rabbitmq.config = "collect_statistics_interval = 5000" must be a mapping',
    ]);
  });
});

describe("platform embedded", () => {
  const embedded = (extra: Config = {}) => ({
    platform: "embedded",
    environment: "development",
    tls: { enabled: false },
    ...extra,
  });

  it("runs the charts' values.yaml: no values file, namespace or Kubernetes settings needed", () => {
    const s = parse(embedded({ kafka: { topics: [{ name: "smoke", partitions: 3 }] } }));
    expect(s.platform).toBe("embedded");
    expect(s.kafka.valuesFile).toBe("charts/kafka/values.yaml");
    expect(s.kafka.replicationFactor).toBe(3);
    expect(s.kafka.topics).toEqual([{ name: "smoke", partitions: 3, replicationFactor: 3, minInsyncReplicas: 2 }]);
  });

  it("refuses what it would silently ignore: overrides, another values file, Kubernetes settings, an in-cluster Job", () => {
    let message = "";
    try {
      parse(
        embedded({
          kubernetes: { context: "kind" },
          kafka: { brokers: 5, valuesFile: "charts/kafka/examples/production.yaml" },
          rabbitmq: { namespace: "mq" },
          gate: { inCluster: { enabled: true } },
        }),
      );
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('kubernetes = {"context":"kind"} is not used on platform embedded');
    expect(message).toContain(
      "kafka.brokers = 5 is not used on platform embedded, which runs charts/kafka/values.yaml unchanged",
    );
    expect(message).toContain(
      'kafka.valuesFile = "charts/kafka/examples/production.yaml" must be charts/kafka/values.yaml',
    );
    expect(message).toContain('rabbitmq.namespace = "mq" is not used on platform embedded');
    expect(message).toContain("gate.inCluster.enabled = true needs platform kubernetes");
  });

  it("refuses broker settings from the stack: the embedded environment runs the charts' config maps unchanged", () => {
    let error: unknown;
    try {
      parse(embedded({ kafka: { config: { "num.io.threads": 9 } }, rabbitmq: { config: { channel_max: 512 } } }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as SettingsError).problems).toEqual([
      'kafka.config = {"num.io.threads":9} is not used on platform embedded, which runs charts/kafka/values.yaml unchanged (change it there, or deploy to Kubernetes)',
      'rabbitmq.config = {"channel_max":512} is not used on platform embedded, which runs charts/rabbitmq/values.yaml unchanged (change it there, or deploy to Kubernetes)',
    ]);
  });
});

describe("the render platform", () => {
  it("writes to rendered/<stack> under the repo unless the stack names a directory, and contacts no cluster", () => {
    const { kubernetes: _, ...rest } = productionConfig() as Config;
    const s = parse({ ...rest, platform: "render" });
    expect(s.platform).toBe("render");
    expect(s.kubernetes).toEqual({ renderYamlToDirectory: `${repoRoot}/rendered/test` });
    const named = parse({ ...rest, platform: "render", kubernetes: { renderYamlToDirectory: "/tmp/manifests" } });
    expect(named.kubernetes).toEqual({ renderYamlToDirectory: "/tmp/manifests" });
  });
});

describe("the floors' messages", () => {
  it("name the policy that enforces the same floor on the rendered objects", () => {
    const { kafkaProductionDurability } = require("../policy/policies");
    const { kafkaDurabilityPolicy } = require("../settings/levels");
    expect(kafkaProductionDurability.name).toBe(kafkaDurabilityPolicy);
  });
});

describe("TLS (stack config `tls:`)", () => {
  it("is on by default, with server certificates for a year under a ten-year CA", () => {
    const s = parse(productionConfig());
    expect(s.tls).toEqual({ enabled: true, validityDays: 365, caValidityDays: 3650, renewal: 0, distribution: true });
    // Every listener of both systems: the target's Kafka client speaks TLS, RabbitMQ serves amqps and https, and
    // RabbitMQ's inter-node traffic is encrypted too.
    expect(s.kafka.clientTls).toBe(true);
    expect(s.rabbitmq.tls).toBe(true);
    expect(s.rabbitmq.distributionTls).toBe(true);
  });

  it("the stack sets the expiry and a renewal", () => {
    const s = parse({ ...productionConfig(), tls: { validityDays: 30, caValidityDays: 400, renewal: 2 } });
    expect(s.tls).toEqual({ enabled: true, validityDays: 30, caValidityDays: 400, renewal: 2, distribution: true });
  });

  it("the distribution may stay plaintext only in development, and only with TLS to turn off", () => {
    const dev = { ...productionConfig(), environment: "development", tls: { distribution: false } };
    expect(parse(dev).rabbitmq.distributionTls).toBe(false);
    for (const environment of ["staging", "production"]) {
      expect(problems((c) => Object.assign(c, { environment, tls: { distribution: false } }))).toEqual([
        `tls.distribution = false must be true in ${environment}: quorum-queue replication carries every message body`,
      ]);
    }
  });

  it("plaintext only where the stack says so, and never in staging or production", () => {
    const dev = {
      ...productionConfig(),
      environment: "development",
      kafka: { valuesFile: "charts/kafka/examples/development.yaml", topics: [{ name: "t", partitions: 1 }] },
      rabbitmq: { valuesFile: "charts/rabbitmq/examples/development.yaml", queues: [{ name: "q" }] },
      tls: { enabled: false },
    };
    const s = parse(dev);
    expect(s.tls.enabled).toBe(false);
    expect(s.kafka.clientTls).toBe(false);
    expect(s.rabbitmq.tls).toBe(false);
    for (const environment of ["staging", "production"]) {
      expect(problems((c) => Object.assign(c, { environment, tls: { enabled: false } }))).toEqual([
        `tls.enabled = false must be true in ${environment}: every listener is encrypted outside development`,
      ]);
    }
  });

  it("the embedded platform must say plaintext itself", () => {
    const embedded = { platform: "embedded", environment: "development" };
    expect(() => parse(embedded)).toThrow(
      "tls.enabled = (unset) must be set: the embedded platform serves plaintext, and a stack runs without TLS only when it says so (tls: {enabled: false})",
    );
    expect(() => parse({ ...embedded, tls: { enabled: true } })).toThrow(
      "tls.enabled = true is not available on the embedded platform (its brokers serve plaintext): set false",
    );
  });

  it("names every bad TLS setting with its value and rule", () => {
    expect(
      problems((c) => {
        c.tls = { enabled: "yes", validityDays: 0, caValidityDays: 10.5, renewal: -1, issuer: "x" };
      }),
    ).toEqual([
      'tls.issuer = "x" is not a known setting (known: enabled, validityDays, caValidityDays, renewal, distribution)',
      'tls.enabled = "yes" must be true or false',
      "tls.validityDays = 0 must be ≥ 1",
      "tls.caValidityDays = 10.5 must be an integer ≥ 1",
      "tls.renewal = -1 must be ≥ 0",
    ]);
    expect(problems((c) => Object.assign(c, { tls: { validityDays: 400, caValidityDays: 365 } }))).toEqual([
      "tls.validityDays = 400 is more than tls.caValidityDays = 365: a certificate cannot outlive its CA",
    ]);
  });
});

describe("clientAddresses: clients outside the cluster the brokers admit", () => {
  it("IPv4 CIDRs of /16 or narrower; anything else named with its rule", () => {
    expect(parse({ ...productionConfig(), clientAddresses: ["10.214.0.1/32"] }).clientAddresses).toEqual([
      "10.214.0.1/32",
    ]);
    expect(parse(productionConfig()).clientAddresses).toEqual([]);
    expect(problems((c) => Object.assign(c, { clientAddresses: ["10.214.0.1", "0.0.0.0/0", 5] }))).toEqual([
      'clientAddresses[0] = "10.214.0.1" must be an IPv4 CIDR such as 10.214.0.1/32',
      'clientAddresses[1] = "0.0.0.0/0" is wider than /16: name the clients\' own addresses',
      "clientAddresses[2] = 5 must be an IPv4 CIDR such as 10.214.0.1/32",
    ]);
  });
});
