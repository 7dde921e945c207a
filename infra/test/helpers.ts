// Shared test helpers: a throwaway repo root with chart values per the charts' contract.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";

/** Chart defaults as the charts declare them (values.yaml), reduced to the keys the program reads. */
export const kafkaDefaults = {
  image: { repository: "apache/kafka", tag: "4.3.1" },
  kraft: { mode: "dedicated" },
  controllers: { replicas: 3, nodeIdBase: 0 },
  brokers: { replicas: 3, nodeIdBase: 100 },
  config: {
    "default.replication.factor": 3,
    "min.insync.replicas": 2,
    "unclean.leader.election.enable": false,
    "auto.create.topics.enable": false,
    "log.retention.hours": 168,
  },
  listeners: { client: { port: 9092, tls: { enabled: false } }, internal: { port: 9094 }, controller: { port: 9093 } },
  auth: { sasl: { mechanism: "SCRAM-SHA-512", users: ["app"] } },
};

export const rabbitmqDefaults = {
  image: { repository: "rabbitmq", tag: "4.3.6-management" },
  replicas: 3,
  config: { default_queue_type: "quorum", "quorum_queue.initial_cluster_size": 3, "disk_free_limit.absolute": "4GB" },
  ports: { amqp: 5672, management: 15672 },
  auth: { username: "admin" },
};

/** A repo root holding charts/{kafka,rabbitmq}/values.yaml and examples/<name>.yaml for each given example. */
export function fakeRepo(examples: { kafka?: Record<string, object>; rabbitmq?: Record<string, object> } = {}): string {
  const root = mkdtempSync(join(tmpdir(), "mp-infra-"));
  const write = (chart: string, defaults: object, ex: Record<string, object>) => {
    mkdirSync(join(root, "charts", chart, "examples"), { recursive: true });
    writeFileSync(join(root, "charts", chart, "values.yaml"), stringify(defaults));
    for (const [name, values] of Object.entries(ex)) {
      writeFileSync(join(root, "charts", chart, "examples", `${name}.yaml`), stringify(values));
    }
  };
  write("kafka", kafkaDefaults, {
    production: {},
    development: {
      kraft: { mode: "combined" },
      brokers: { replicas: 1 },
      config: { "default.replication.factor": 1, "min.insync.replicas": 1 },
    },
    ...examples.kafka,
  });
  write("rabbitmq", rabbitmqDefaults, {
    production: {},
    development: { replicas: 1, config: { "quorum_queue.initial_cluster_size": 1 } },
    ...examples.rabbitmq,
  });
  return root;
}

/** A valid production stack config (as Pulumi hands it over, JSON-decoded). */
export function productionConfig(): Record<string, unknown> {
  return {
    environment: "production",
    kubernetes: { context: "prod" },
    clientNamespaceLabels: { "messaging-platform.io/client": "true" },
    kafka: {
      valuesFile: "charts/kafka/examples/production.yaml",
      topics: [{ name: "smoke.orders", partitions: 6 }],
    },
    rabbitmq: {
      valuesFile: "charts/rabbitmq/examples/production.yaml",
      queues: [{ name: "smoke.orders" }],
      policies: [{ name: "limits", pattern: "^smoke\\.", definition: { "delivery-limit": 20 } }],
    },
  };
}
