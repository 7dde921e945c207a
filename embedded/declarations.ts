// Topics, quorum queues and policies a stack declares, applied to the running embedded environment: what the
// declaration Jobs do on Kubernetes (infra/values/declarations.ts), with the same rules. Create if missing, then
// enforce: min ISR is set on every run, partitions only grow, and a replication factor or queue type that differs
// is an error (moving replicas or changing a queue's type is an operator's decision, not a deploy's).
import { ConfigResourceTypes } from "kafkajs";
import type { Environment } from "./environment";
import * as kafka from "./kafka/cluster";
import { managementApi } from "./rabbitmq/cluster";

export interface Declarations {
  topics: Array<{ name: string; partitions: number; replicationFactor: number; minInsyncReplicas: number }>;
  queues: Array<{ name: string }>;
  policies: Array<{ name: string; pattern: string; applyTo: string; priority: number; definition: object }>;
}

const VHOST = "/";

export async function applyDeclarations(env: Environment, d: Declarations, progress: (line: string) => void) {
  const k = env.kafka;
  for (const topic of d.topics) {
    await kafka.ensureTopic(k, topic);
    await kafka.withAdmin(k, async (admin) => {
      const meta = await admin.fetchTopicMetadata({ topics: [topic.name] });
      const parts = meta.topics[0]?.partitions ?? [];
      const rf = parts[0]?.replicas.length ?? 0;
      if (rf !== topic.replicationFactor) {
        throw new Error(
          `topic ${topic.name} has replication factor ${rf}, declared ${topic.replicationFactor}: reassign its partitions (kafka-reassign-partitions.sh)`,
        );
      }
      if (parts.length < topic.partitions) {
        await admin.createPartitions({ topicPartitions: [{ topic: topic.name, count: topic.partitions }] });
      }
      // alterConfigs replaces the topic's overrides, and min ISR is the only one.
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: topic.name,
            configEntries: [{ name: "min.insync.replicas", value: String(topic.minInsyncReplicas) }],
          },
        ],
      });
    });
    progress(
      `topic ${topic.name}: ${topic.partitions} partitions, replication factor ${topic.replicationFactor}, min.insync.replicas ${topic.minInsyncReplicas}`,
    );
  }
  const r = env.rabbitmq;
  const node = r.nodes[0];
  if (!node) throw new Error("the embedded environment has no RabbitMQ node");
  const api = managementApi(r, node, VHOST);
  for (const policy of d.policies) {
    await api.putPolicy(policy.name, {
      pattern: policy.pattern,
      "apply-to": policy.applyTo,
      priority: policy.priority,
      definition: policy.definition,
    });
    progress(`policy ${policy.name}: ${policy.pattern} → ${JSON.stringify(policy.definition)}`);
  }
  for (const q of d.queues) {
    const existing = await api.queue(q.name).catch(() => undefined);
    if (existing && existing.type !== "quorum")
      throw new Error(`queue ${q.name} exists as a ${existing.type} queue, declared quorum: delete it first`);
    if (!existing) await api.declareQuorumQueue(q.name);
    progress(`queue ${q.name}: quorum`);
  }
}
