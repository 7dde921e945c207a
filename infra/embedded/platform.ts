// The deployment for `platform: embedded`: the embedded environment as one resource, the stack's declarations on it,
// and the same `target` output as on Kubernetes (passwords are the only secrets), so `npm run deploy`, the smoke
// gate and the drills work on this machine exactly as they do against a cluster.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { buildTarget, partsOf } from "../../contract/build-target";
import type { GateSettings } from "../../contract/gate-settings";
import type { Target } from "../../contract/target";
import { durability } from "../outputs";
import type { TopicSettings } from "../settings/kafka";
import type { QueueSettings } from "../settings/rabbitmq";
import type { Settings } from "../settings/settings";
import { EmbeddedDeclarations } from "./declarations";
import { EmbeddedEnvironment } from "./environment";

const repoRoot = resolve(__dirname, "..", "..");

export function valuesDigest(root: string): string {
  const h = createHash("sha256");
  for (const chart of ["kafka", "rabbitmq"]) h.update(readFileSync(join(root, "charts", chart, "values.yaml")));
  return h.digest("hex").slice(0, 16);
}

/** The stack's topics and queues first (the gate uses the first of each), then the environment's own. */
export function withDeclared<T extends { name: string }>(declared: T[], builtIn: T[]): T[] {
  const names = new Set(declared.map((d) => d.name));
  return [...declared, ...builtIn.filter((b) => !names.has(b.name))];
}

/**
 * A stack's target on the embedded environment: the environment's own target, named after the stack, with the
 * stack's topics, queues and gate settings. Pure: the one builder (contract/build-target.ts) over the environment's
 * parts.
 */
export function embeddedStackTarget(
  s: { stack: string; gate: GateSettings; kafka: { topics: TopicSettings[] }; rabbitmq: { queues: QueueSettings[] } },
  environment: Target,
): Target {
  const parts = partsOf(environment);
  return buildTarget({
    ...parts,
    name: s.stack,
    kafka: { ...parts.kafka, topics: withDeclared(s.kafka.topics, parts.kafka.topics) },
    rabbitmq: { ...parts.rabbitmq, queues: withDeclared(s.rabbitmq.queues, parts.rabbitmq.queues) },
    gate: s.gate,
  });
}

export function deployEmbedded(s: Settings) {
  const environment = new EmbeddedEnvironment("embedded", { repoRoot, valuesDigest: valuesDigest(repoRoot) });
  const declarations = new EmbeddedDeclarations(
    "declarations",
    {
      repoRoot,
      environmentStartedAt: environment.startedAt,
      declarations: {
        topics: s.kafka.topics,
        queues: s.rabbitmq.queues.map((q) => ({ name: q.name })),
        policies: s.rabbitmq.policies,
      },
    },
    { dependsOn: [environment] },
  );
  // Ready once the declarations are applied: the target names them.
  const t = pulumi.all([environment.target, declarations.id]).apply(([target]) => embeddedStackTarget(s, target));
  // Lifted field by field so that only the two passwords are secrets (a secret Output taints all it is joined with).
  const target = {
    name: s.stack,
    placement: t.placement,
    kafka: {
      bootstrapServers: t.kafka.bootstrapServers,
      sasl: {
        mechanism: "scram-sha-512" as const,
        username: t.kafka.sasl.username,
        password: environment.kafkaPassword,
      },
      tls: t.kafka.tls,
      nodes: t.kafka.nodes,
      expected: t.kafka.expected,
      topics: t.kafka.topics,
    },
    rabbitmq: {
      amqpUrls: t.rabbitmq.amqpUrls,
      managementUrls: t.rabbitmq.managementUrls,
      username: t.rabbitmq.username,
      password: environment.rabbitmqPassword,
      vhost: t.rabbitmq.vhost,
      nodes: t.rabbitmq.nodes,
      expected: t.rabbitmq.expected,
      queues: t.rabbitmq.queues,
    },
    gate: s.gate,
  };
  return { target, durability: durability(s), smokeGate: { enabled: false } };
}
