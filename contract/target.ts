// The contract between a deployment and everything that verifies it. A target is plain data (JSON): the embedded
// environment writes one (embedded/), a deployed Pulumi stack's outputs produce one (infra/), and every smoke test,
// drill and benchmark reads only this. Fault injection is separate (smoke-tests/faults/), because it is behaviour,
// not data. contract/ imports nothing of the project outside itself: every other folder may depend on it.
import type { GateSettings } from "./gate-settings";

/** One broker node as the verifiers see it. */
export interface NodeRef {
  /** Stable name used by fault commands and reports: "kafka-0", "rabbitmq-2" (a pod name on Kubernetes). */
  name: string;
  /** Address clients use to reach this node directly (host or IP). */
  host: string;
  /** Kafka: node.id; RabbitMQ: the Erlang node name (rabbit@host). */
  id: string;
  roles: Array<"broker" | "controller">;
}

export interface KafkaTarget {
  bootstrapServers: string[];
  sasl: { mechanism: "scram-sha-512"; username: string; password: string };
  /** The client listener speaks SASL_SSL: clients connect over TLS with verification on. */
  tls: boolean;
  /**
   * PEM of the CA the TLS listeners' certificates chain to (the stack's own): clients trust it and nothing else.
   * Absent with TLS on: the system's default CAs. Public, not a secret.
   */
  ca?: string;
  nodes: NodeRef[];
  /** Durability the deployment promises; tests read the live values back and compare. */
  expected: {
    replicationFactor: number;
    minInsyncReplicas: number;
    uncleanLeaderElection: boolean;
    autoCreateTopics: boolean;
  };
  /** Topics that the deployment declared for the smoke tests (created by the platform, not by the tests). */
  topics: Array<{ name: string; partitions: number; replicationFactor: number; minInsyncReplicas: number }>;
}

export interface RabbitMQTarget {
  /** One AMQP URL per node, without credentials: amqp://host:5672 */
  amqpUrls: string[];
  /** One management (HTTP API) base URL per node: http://host:15672 (https://host:15671 over TLS) */
  managementUrls: string[];
  /** PEM of the CA that the amqps and https endpoints' certificates chain to; clients trust it and nothing else. */
  ca?: string;
  /**
   * With TLS on: the plaintext endpoints TLS replaced (amqp://host:5672, http://host:15672 per node), each of which
   * must refuse a client.
   */
  plaintextUrls?: string[];
  /**
   * Where the Erlang distribution (inter-node traffic: clustering and quorum-queue replication) speaks TLS only: its
   * port on every node, where a plaintext handshake must be refused (the gate's `distribution` check).
   */
  distribution?: { port: number; tls: boolean };
  username: string;
  password: string;
  vhost: string;
  nodes: NodeRef[];
  expected: {
    defaultQueueType: "quorum";
    quorumInitialGroupSize: number;
    clusterSize: number;
  };
  /** Queues that the deployment declared for the smoke tests. */
  queues: Array<{ name: string; type: "quorum" }>;
}

/** Where the brokers run, so a fault injector can be chosen. */
export type Placement =
  | { kind: "embedded"; stateDir: string }
  | {
      kind: "kubernetes";
      kubeconfig?: string;
      context?: string;
      kafka: { namespace: string; podSelector: string; statefulSets: string[] };
      rabbitmq: { namespace: string; podSelector: string; statefulSet: string };
      /** The stack's own Prometheus (stack config monitoring.prometheus), when it runs one: the drills read the
       * platform's view (broker metrics, alerts) from its API on the pod's address. */
      prometheus?: PrometheusPlacement;
    };

/** Where a stack's Prometheus runs: its pods (by label) in its namespace, and the port its HTTP API listens on. */
export interface PrometheusPlacement {
  namespace: string;
  podSelector: string;
  port: number;
}

export interface Target {
  /** "embedded" or the Pulumi stack name. */
  name: string;
  placement: Placement;
  kafka: KafkaTarget;
  rabbitmq: RabbitMQTarget;
  /** The stack's gate settings (stack config `gate:`); the embedded environment leaves it out and gets the defaults. */
  gate?: GateSettings;
}
