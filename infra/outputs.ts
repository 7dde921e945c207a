// Stack outputs: the deployment described as a smoke-test target (contract/target.ts), so the smoke tests
// and drills run against a stack unchanged: `pulumi stack output target --json --show-secrets`.
import type * as pulumi from "@pulumi/pulumi";
import type { Target } from "../contract/target";
import type { Settings } from "./settings/settings";
import type { KafkaTopology } from "./values/kafka";
import type { RabbitMQTopology } from "./values/rabbitmq";

export interface Topologies {
  kafka: KafkaTopology;
  rabbitmq: RabbitMQTopology;
}

/** The target as plain data, with the passwords given. Pure, so it is tested without Pulumi. */
export function buildTarget(s: Settings, t: Topologies, passwords: { kafka: string; rabbitmq: string }): Target {
  const k = s.kafka;
  const r = s.rabbitmq;
  return {
    name: s.stack,
    placement: {
      kind: "kubernetes",
      ...(s.kubernetes.kubeconfig === undefined ? {} : { kubeconfig: s.kubernetes.kubeconfig }),
      ...(s.kubernetes.context === undefined ? {} : { context: s.kubernetes.context }),
      kafka: { namespace: k.namespace, podSelector: t.kafka.podSelector, statefulSets: t.kafka.statefulSets },
      rabbitmq: { namespace: r.namespace, podSelector: t.rabbitmq.podSelector, statefulSet: t.rabbitmq.statefulSet },
    },
    kafka: {
      bootstrapServers: t.kafka.bootstrapServers,
      sasl: { mechanism: "scram-sha-512", username: k.clientUser, password: passwords.kafka },
      tls: k.clientTls,
      nodes: t.kafka.nodes,
      expected: {
        replicationFactor: k.replicationFactor,
        minInsyncReplicas: k.minInsyncReplicas,
        uncleanLeaderElection: k.uncleanLeaderElection,
        autoCreateTopics: k.autoCreateTopics,
      },
      topics: k.topics.map((x) => ({ ...x })),
    },
    rabbitmq: {
      amqpUrls: t.rabbitmq.amqpUrls,
      managementUrls: t.rabbitmq.managementUrls,
      username: r.username,
      password: passwords.rabbitmq,
      vhost: r.vhost,
      nodes: t.rabbitmq.nodes,
      expected: {
        defaultQueueType: "quorum",
        quorumInitialGroupSize: r.quorumInitialGroupSize,
        clusterSize: r.replicas,
      },
      queues: r.queues.map((q) => ({ ...q })),
    },
    gate: s.gate,
  };
}

/** A Target whose two passwords are Pulumi secrets (only those leaves are masked in outputs and encrypted in state). */
export type TargetOutput = Omit<Target, "kafka" | "rabbitmq"> & {
  kafka: Omit<Target["kafka"], "sasl"> & {
    sasl: Omit<Target["kafka"]["sasl"], "password"> & { password: pulumi.Output<string> };
  };
  rabbitmq: Omit<Target["rabbitmq"], "password"> & { password: pulumi.Output<string> };
};

export function targetOutput(
  s: Settings,
  t: Topologies,
  passwords: { kafka: pulumi.Output<string>; rabbitmq: pulumi.Output<string> },
): TargetOutput {
  const plain = buildTarget(s, t, { kafka: "", rabbitmq: "" });
  return {
    ...plain,
    kafka: { ...plain.kafka, sasl: { ...plain.kafka.sasl, password: passwords.kafka } },
    rabbitmq: { ...plain.rabbitmq, password: passwords.rabbitmq },
  };
}

/** What each system promises, for people reading `pulumi stack output` (the target carries the same numbers). */
export function durability(s: Settings) {
  return {
    kafka: {
      replicationFactor: s.kafka.replicationFactor,
      minInsyncReplicas: s.kafka.minInsyncReplicas,
      uncleanLeaderElection: s.kafka.uncleanLeaderElection,
      autoCreateTopics: s.kafka.autoCreateTopics,
      toleratesBrokerLoss: s.kafka.replicationFactor - s.kafka.minInsyncReplicas,
    },
    rabbitmq: {
      defaultQueueType: s.rabbitmq.defaultQueueType,
      quorumInitialGroupSize: s.rabbitmq.quorumInitialGroupSize,
      clusterSize: s.rabbitmq.replicas,
      toleratesNodeLoss: Math.floor((s.rabbitmq.quorumInitialGroupSize - 1) / 2),
    },
  };
}
