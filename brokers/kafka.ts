// What the live Kafka cluster says about itself, through the admin API: who leads which partition, whether any
// partition is under-replicated, and which durability settings are really in effect (not what we meant to set).
import { ConfigResourceTypes, type Kafka } from "kafkajs";
import type { Health } from "../contract/health";
import type { KafkaTarget, NodeRef } from "../contract/target";
import { tcpConnect } from "./tcp";

export interface PartitionState {
  topic: string;
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

export async function withAdmin<T>(client: Kafka, use: (admin: ReturnType<Kafka["admin"]>) => Promise<T>): Promise<T> {
  const admin = client.admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Every partition of the given topics (all topics when none are named). */
export async function partitionStates(client: Kafka, topics?: string[]): Promise<PartitionState[]> {
  return withAdmin(client, async (admin) => {
    const md = await admin.fetchTopicMetadata(topics ? { topics } : undefined);
    return md.topics.flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.name,
        partition: p.partitionId,
        leader: p.leader,
        replicas: p.replicas,
        isr: p.isr,
      })),
    );
  });
}

export async function topicPartitions(client: Kafka, topic: string): Promise<PartitionState[]> {
  const parts = await partitionStates(client, [topic]);
  if (!parts.some((p) => p.topic === topic)) throw new Error(`topic ${topic} does not exist`);
  return parts.filter((p) => p.topic === topic);
}

/** Partitions whose in-sync replica set is smaller than their replica set. */
export function underReplicated(parts: PartitionState[]): PartitionState[] {
  return parts.filter((p) => p.isr.length < p.replicas.length);
}

/** The node (from the target's node list) that leads a partition. */
export function nodeById(target: KafkaTarget, id: number): NodeRef {
  const n = target.nodes.find((x) => x.id === String(id));
  if (!n)
    throw new Error(
      `Kafka node.id ${id} is not in the target's node list (${target.nodes.map((x) => x.id).join(", ")})`,
    );
  return n;
}

export async function partitionLeader(client: Kafka, target: KafkaTarget, topic: string, partition = 0) {
  const p = (await topicPartitions(client, topic)).find((x) => x.partition === partition);
  if (!p) throw new Error(`topic ${topic} has no partition ${partition}`);
  if (p.leader < 0) throw new Error(`partition ${topic}-${partition} has no leader right now`);
  return nodeById(target, p.leader);
}

/** Brokers currently registered (alive, unfenced) in the cluster metadata. */
export async function liveBrokers(client: Kafka): Promise<number[]> {
  return withAdmin(client, async (admin) => (await admin.describeCluster()).brokers.map((b) => b.nodeId).sort());
}

/** A kafkajs client bootstrapped from the given servers only: the health probe asks every broker for itself. */
export type KafkaClientFor = (bootstrapServers: string[]) => Kafka;

/**
 * The one definition of a healthy Kafka cluster, for the embedded environment's `up`, the drills and the deploy:
 * every broker answers on its client port; every broker, asked directly, sees exactly the target's brokers
 * registered (unfenced) in the cluster metadata (right after a restart the controller may still list a killed
 * broker's previous incarnation); and no partition of the given topics (all topics when none are named) is
 * under-replicated. The TCP check sees a dead broker at once; the metadata only after broker.session.timeout.ms,
 * and the ISR only after replica.lag.time.max.ms.
 */
export async function kafkaHealth(clientFor: KafkaClientFor, target: KafkaTarget, topics?: string[]): Promise<Health> {
  try {
    const port = Number(target.bootstrapServers[0]?.split(":").pop());
    const brokerNodes = target.nodes.filter((n) => n.roles.includes("broker"));
    const unreachable: string[] = [];
    await Promise.all(brokerNodes.map((n) => tcpConnect(n.host, port, 2_000).catch(() => unreachable.push(n.name))));
    if (unreachable.length > 0) return { healthy: false, detail: `not answering: ${unreachable.sort().join(", ")}` };
    const want = brokerNodes.map((n) => Number(n.id));
    const views = await Promise.all(
      brokerNodes.map(async (n) => ({ node: n, ids: await liveBrokers(clientFor([`${n.host}:${port}`])) })),
    );
    const missing = brokerNodes.filter((b) => views.some((v) => !v.ids.includes(Number(b.id)))).map((n) => n.name);
    if (missing.length > 0) return { healthy: false, detail: `not registered: ${missing.join(", ")}` };
    const stale = views.filter((v) => v.ids.some((id) => !want.includes(id)));
    if (stale.length > 0)
      return {
        healthy: false,
        detail: stale.map((v) => `${v.node.name} sees brokers ${v.ids.join(", ")} registered`).join("; "),
      };
    const client = clientFor(target.bootstrapServers);
    const parts = topics
      ? (await Promise.all(topics.map((t) => topicPartitions(client, t)))).flat()
      : await partitionStates(client);
    const urp = underReplicated(parts);
    if (urp.length > 0) {
      const inTopics = [...new Set(urp.map((p) => p.topic))].join(", ");
      return { healthy: false, detail: `${urp.length} under-replicated partition(s) in ${inTopics}` };
    }
    return { healthy: true, detail: "all brokers up, no under-replicated partitions" };
  } catch (err) {
    return { healthy: false, detail: `probe failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export interface LiveDurability {
  /** Broker-level defaults as one broker reports them. */
  broker: Record<string, string | undefined>;
  /** Per topic: its effective min.insync.replicas, unclean election, and the replica count of each partition. */
  topics: Record<string, { minInsyncReplicas: number; uncleanLeaderElection: boolean; replicationFactors: number[] }>;
}

const brokerKeys = [
  "default.replication.factor",
  "min.insync.replicas",
  "unclean.leader.election.enable",
  "auto.create.topics.enable",
  "offsets.topic.replication.factor",
  "transaction.state.log.replication.factor",
  "transaction.state.log.min.isr",
];

export async function liveDurability(client: Kafka, brokerId: string, topics: string[]): Promise<LiveDurability> {
  return withAdmin(client, async (admin) => {
    const res = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.BROKER, name: brokerId, configNames: brokerKeys },
        ...topics.map((t) => ({
          type: ConfigResourceTypes.TOPIC,
          name: t,
          configNames: ["min.insync.replicas", "unclean.leader.election.enable"],
        })),
      ],
    });
    const broker: Record<string, string | undefined> = {};
    const out: LiveDurability = { broker, topics: {} };
    for (const r of res.resources) {
      const get = (k: string) => r.configEntries.find((e) => e.configName === k)?.configValue;
      if (r.resourceType === ConfigResourceTypes.BROKER) {
        for (const k of brokerKeys) broker[k] = get(k);
      } else {
        out.topics[r.resourceName] = {
          minInsyncReplicas: Number(get("min.insync.replicas")),
          uncleanLeaderElection: get("unclean.leader.election.enable") === "true",
          replicationFactors: [],
        };
      }
    }
    const md = await admin.fetchTopicMetadata({ topics });
    for (const t of md.topics) {
      const entry = out.topics[t.name];
      if (entry) entry.replicationFactors = t.partitions.map((p) => p.replicas.length);
    }
    return out;
  });
}
