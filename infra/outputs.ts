// Stack outputs: the deployment described as a smoke-test target (contract/target.ts), so the smoke tests
// and drills run against a stack unchanged: `pulumi stack output target --json --show-secrets`.
import type * as pulumi from "@pulumi/pulumi";
import { kafkaExpected } from "../chart-values/kafka";
import { rabbitmqExpected } from "../chart-values/rabbitmq";
import { buildTarget } from "../contract/build-target";
import { blankPasswords, type TargetPasswords, type TargetWithPasswords, withPasswords } from "../contract/passwords";
import type { Target } from "../contract/target";
import type { Settings } from "./settings/settings";
import type { KafkaTopology } from "./values/kafka";
import { prometheusPlacement } from "./values/prometheus";
import type { RabbitMQTopology } from "./values/rabbitmq";

export interface Topologies {
  kafka: KafkaTopology;
  rabbitmq: RabbitMQTopology;
}

/** The target as plain data, with the passwords given. Pure, so it is tested without Pulumi. */
export function kubernetesTarget(s: Settings, t: Topologies, passwords: TargetPasswords): Target {
  const k = s.kafka;
  const r = s.rabbitmq;
  return buildTarget({
    name: s.stack,
    placement: {
      kind: "kubernetes",
      ...(s.kubernetes.kubeconfig === undefined ? {} : { kubeconfig: s.kubernetes.kubeconfig }),
      ...(s.kubernetes.context === undefined ? {} : { context: s.kubernetes.context }),
      kafka: { namespace: k.namespace, podSelector: t.kafka.podSelector, statefulSets: t.kafka.statefulSets },
      rabbitmq: { namespace: r.namespace, podSelector: t.rabbitmq.podSelector, statefulSet: t.rabbitmq.statefulSet },
      ...(s.monitoring.prometheus.enabled ? { prometheus: prometheusPlacement(s.monitoring.prometheus) } : {}),
    },
    kafka: {
      bootstrapServers: t.kafka.bootstrapServers,
      username: k.clientUser,
      password: passwords.kafka,
      tls: k.clientTls,
      nodes: t.kafka.nodes,
      expected: kafkaExpected(k),
      topics: k.topics,
    },
    rabbitmq: {
      amqpUrls: t.rabbitmq.amqpUrls,
      managementUrls: t.rabbitmq.managementUrls,
      ...(t.rabbitmq.plaintextUrls === undefined ? {} : { plaintextUrls: t.rabbitmq.plaintextUrls }),
      ...(t.rabbitmq.distribution === undefined ? {} : { distribution: t.rabbitmq.distribution }),
      username: r.username,
      password: passwords.rabbitmq,
      vhost: r.vhost,
      nodes: t.rabbitmq.nodes,
      expected: rabbitmqExpected(r),
      queues: r.queues,
    },
    gate: s.gate,
  });
}

type WithCa<T extends { kafka: object; rabbitmq: object }, C> = Omit<T, "kafka" | "rabbitmq"> & {
  kafka: Omit<T["kafka"], "ca"> & { ca?: C };
  rabbitmq: Omit<T["rabbitmq"], "ca"> & { ca?: C };
};

/**
 * A Target whose two passwords are Pulumi secrets (only those leaves are masked in outputs and encrypted in state)
 * and whose CA, with TLS on, is the Output of the stack's CA resource (a public certificate, not a secret).
 */
export type TargetOutput = WithCa<TargetWithPasswords<pulumi.Output<string>>, pulumi.Output<string>>;

export function targetOutput(
  s: Settings,
  t: Topologies,
  passwords: { kafka: pulumi.Output<string>; rabbitmq: pulumi.Output<string> },
  ca?: pulumi.Output<string>,
): TargetOutput {
  const plain = withoutCa(withPasswords(kubernetesTarget(s, t, blankPasswords), passwords));
  if (ca === undefined) return plain;
  return { ...plain, kafka: { ...plain.kafka, ca }, rabbitmq: { ...plain.rabbitmq, ca } };
}

/** The target's plain part: CA left out (it is an Output), for what must be computed while the program runs. */
export function withoutCa<T extends { kafka: object; rabbitmq: object }>(t: T): WithCa<T, never> {
  const { ca: _k, ...kafka } = t.kafka as { ca?: unknown };
  const { ca: _r, ...rabbitmq } = t.rabbitmq as { ca?: unknown };
  return { ...t, kafka, rabbitmq } as unknown as WithCa<T, never>;
}

/**
 * What each system promises, for people reading `pulumi stack output`: the target's own expectations (one
 * derivation, chart-values/), plus how many nodes each can lose.
 */
export function durability(s: Settings) {
  const kafka = kafkaExpected(s.kafka);
  const rabbitmq = rabbitmqExpected(s.rabbitmq);
  return {
    kafka: { ...kafka, toleratesBrokerLoss: kafka.replicationFactor - kafka.minInsyncReplicas },
    rabbitmq: {
      ...rabbitmq,
      toleratesNodeLoss: Math.floor((rabbitmq.quorumInitialGroupSize - 1) / 2),
    },
  };
}
