// The one way a Target is assembled, whatever the platform (infra/outputs.ts for Kubernetes, embedded/target.ts for
// the embedded environment, infra/embedded/platform.ts for a stack on it): the parts each platform knows go in, the
// contract's shape comes out, so a field added to the contract is added here once.
import type { GateSettings } from "./gate-settings";
import type { KafkaTarget, Placement, RabbitMQTarget, Target } from "./target";

export interface TargetParts {
  name: string;
  placement: Placement;
  kafka: Omit<KafkaTarget, "sasl"> & { username: string; password: string };
  rabbitmq: RabbitMQTarget;
  /** The stack's gate settings; the embedded environment's own target leaves them out (defaults apply). */
  gate?: GateSettings;
}

export function buildTarget(p: TargetParts): Target {
  const k = p.kafka;
  const r = p.rabbitmq;
  return {
    name: p.name,
    placement: p.placement,
    kafka: {
      bootstrapServers: k.bootstrapServers,
      sasl: { mechanism: "scram-sha-512", username: k.username, password: k.password },
      tls: k.tls,
      ...(k.ca === undefined ? {} : { ca: k.ca }),
      nodes: k.nodes,
      expected: k.expected,
      topics: k.topics.map((t) => ({ ...t })),
    },
    rabbitmq: {
      amqpUrls: r.amqpUrls,
      managementUrls: r.managementUrls,
      ...(r.ca === undefined ? {} : { ca: r.ca }),
      ...(r.plaintextUrls === undefined ? {} : { plaintextUrls: r.plaintextUrls }),
      ...(r.distribution === undefined ? {} : { distribution: { ...r.distribution } }),
      username: r.username,
      password: r.password,
      vhost: r.vhost,
      nodes: r.nodes,
      expected: r.expected,
      queues: r.queues.map((q) => ({ ...q })),
    },
    ...(p.gate === undefined ? {} : { gate: p.gate }),
  };
}

/** A target's parts back, for a platform that builds on another target (a stack on the embedded environment). */
export function partsOf(t: Target): TargetParts {
  const { sasl, ...kafka } = t.kafka;
  return {
    name: t.name,
    placement: t.placement,
    kafka: { ...kafka, username: sasl.username, password: sasl.password },
    rabbitmq: t.rabbitmq,
    ...(t.gate === undefined ? {} : { gate: t.gate }),
  };
}
