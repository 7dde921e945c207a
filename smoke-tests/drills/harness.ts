// One system under test, as a drill needs it: clients to publish and consume, the node that leads the smoke
// partition or queue, and a health probe. Built from a Target, so it works the same on embedded nodes and on pods.

import type { Channel } from "amqplib";
import type { Kafka } from "kafkajs";
import {
  kafkaHealth,
  nodeById,
  partitionLeader,
  partitionStates,
  topicPartitions,
  withAdmin,
} from "../../brokers/kafka";
import { ManagementApi, queueLeader, rabbitHealth } from "../../brokers/rabbitmq";
import type { Health } from "../../contract/health";
import type { SystemName } from "../../contract/systems";
import type { Target } from "../../contract/target";
import { type KafkaClientName, kafkaProducerClient } from "../clients/kafka-client";
import { KafkaSubscriber, kafka } from "../clients/kafkajs";
import { connectAny, RabbitPublisher, RabbitSubscriber } from "../clients/rabbitmq";
import type { Publisher, Subscriber } from "../clients/types";
import type { PartitionView } from "../faults/node-lost";
import type { ClientUsed } from "../reports/run-report";
import type { PartitionPlacement } from "../stats/partition-stalls";
import { createOwnTopic } from "./own-topic";

export interface SystemHarness {
  system: SystemName;
  /** Where the workload writes: the smoke topic or queue. */
  destination: string;
  /**
   * Whether a message may be *delivered* more than once. Both systems deliver at least once to consumers (a
   * consumer that dies before committing or acking re-reads). Kafka's idempotent producer still must not *write*
   * twice: checkKafka's duplicate-writes analysis (one value at two offsets) enforces that separately.
   */
  duplicatesAllowed: boolean;
  openPublishers(
    count: number,
    onError: (what: string) => void,
  ): Promise<Array<{ name: string; publisher: Publisher }>>;
  subscriber(runId: string, onError: (what: string) => void): Subscriber;
  /** The node leading the smoke partition (Kafka: partition 0) or the smoke queue. */
  leader(): Promise<string>;
  /** The other replicas of that partition or queue: the nodes the leader needs to acknowledge a durable write. */
  followers(): Promise<string[]>;
  /** Cluster health from the clients' point of view, with a reason when unhealthy. */
  health(): Promise<Health>;
  /**
   * What a write can still count on: the fewest in-sync replicas of any partition of the topic (Kafka) or the queue's
   * online members (RabbitMQ), beside how many a durable write needs (the topic's min ISR; a majority of members).
   */
  redundancy(): Promise<Redundancy>;
  /** Node names of this system, for kill-random and rolling restarts. */
  nodes(): string[];
  /** Kafka: the node leading each partition of the topic and its replicas, by partition number. */
  partitionPlacements?(): Promise<Map<number, PartitionPlacement>>;
  /**
   * Kafka: every partition of every topic (leader, replicas, ISR, by node name), beside how many replicas the cluster
   * promises each (its replication factor): for node-lost, which rebuilds a broker from its peers.
   */
  everyPartition?(): Promise<{ replicas: number; partitions: PartitionView[] }>;
  /** RabbitMQ: every node running and every quorum queue with all its members (as many as promised) online. */
  everyQueue?(): Promise<Health>;
  /** Kafka: the producers' client library and the settings it runs with, for the report. */
  client?: ClientUsed;
  close(): Promise<void>;
}

export interface Redundancy {
  least: number;
  needed: number;
  detail: string;
}

export interface HarnessOptions {
  /** The topic or queue to use; defaults to the first one the target declares. */
  destination?: string;
  /**
   * A deliberately unsafe setup, to prove that the checker sees loss when durability is switched off (never the
   * default): RabbitMQ "classic-transient" = a non-durable classic queue on one node with transient messages; Kafka
   * "acks-leader" = a producer with acks=1 (acknowledged once the leader alone has the record) on a topic of its own,
   * one partition replicated 3 times: it loses only what the leader acknowledged and no follower copied.
   */
  unsafe?: "classic-transient" | "acks-leader";
  /**
   * A topic or quorum queue of the drill's own, created before and deleted after, with the declared one's durability
   * (Kafka: its partitions, the cluster's RF and min ISR; RabbitMQ: a durable quorum queue). For drills that run beside
   * the gate (rolling-update's `pulumi up` starts it): on one queue two consumers take each other's messages and both
   * count them lost; on one topic each reads the other's messages and counts them unexpected.
   */
  ownDestination?: string;
  /** Kafka: the client library the producers use (kafkajs unless named); the consumer is kafkajs for every client. */
  kafkaClient?: KafkaClientName;
  /**
   * The subscriber is one of several workers' (workers/): Kafka's consumer group is shared and each reads to the end
   * of its own partitions. RabbitMQ's consumers compete on the queue already.
   */
  sharedConsumers?: boolean;
}

export function harnessFor(target: Target, system: SystemName, opts: HarnessOptions = {}): SystemHarness {
  return system === "kafka" ? kafkaHarness(target, opts) : rabbitHarness(target, opts);
}

function kafkaHarness(target: Target, opts: HarnessOptions): SystemHarness {
  const t = target.kafka;
  const unsafe = opts.unsafe === "acks-leader";
  const topic = unsafe ? "mp-unsafe-acks-leader" : (opts.ownDestination ?? opts.destination ?? t.topics[0]?.name);
  if (!topic) throw new Error("target.kafka.topics is empty: the deployment declares no smoke topic");
  const probeOptions = { clientId: "mp-probe", retries: 1, requestTimeoutMs: 3_000 };
  const producerClient = kafkaProducerClient(opts.kafkaClient ?? "kafkajs");
  const admin = kafka(t, probeOptions);
  const partition0 = async () => {
    const p = (await topicPartitions(admin, topic)).find((x) => x.partition === 0);
    if (!p) throw new Error(`topic ${topic} has no partition 0`);
    return p;
  };
  const probeClients = new Map<string, Kafka>();
  const probeClientFor = (servers: string[]) => {
    const key = servers.join(",");
    const client = probeClients.get(key) ?? kafka({ ...t, bootstrapServers: servers }, probeOptions);
    probeClients.set(key, client);
    return client;
  };
  return {
    system: "kafka",
    destination: topic,
    duplicatesAllowed: true,
    async openPublishers(count, onError) {
      if (opts.ownDestination) {
        const declared = t.topics[0];
        await withAdmin(admin, (a) =>
          createOwnTopic(a, {
            topic,
            numPartitions: declared?.partitions ?? 3,
            replicationFactor: t.expected.replicationFactor,
            configEntries: [{ name: "min.insync.replicas", value: String(t.expected.minInsyncReplicas) }],
          }),
        );
      }
      if (unsafe) {
        await withAdmin(admin, (a) =>
          a.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true }),
        );
      }
      const out: Array<{ name: string; publisher: Publisher }> = [];
      for (let i = 0; i < count; i++) {
        const publisher = await producerClient.openPublisher(t, topic, {
          clientId: `mp-producer-${i}`,
          acks: unsafe ? "leader" : "all",
          onError,
        });
        out.push({ name: `p${i}`, publisher });
      }
      return out;
    },
    subscriber(runId, onError) {
      const c = kafka(t, { clientId: "mp-consumer", onError });
      return new KafkaSubscriber(c, topic, `mp-smoke-${runId}`, onError, opts.sharedConsumers);
    },
    async leader() {
      return (await partitionLeader(admin, t, topic, 0)).name;
    },
    async followers() {
      const p = await partition0();
      return p.replicas.filter((id) => id !== p.leader).map((id) => nodeById(t, id).name);
    },
    health: () => kafkaHealth(probeClientFor, t, [topic]),
    async redundancy() {
      const parts = await topicPartitions(admin, topic);
      const needed = t.topics.find((x) => x.name === topic)?.minInsyncReplicas ?? t.expected.minInsyncReplicas;
      const worst = parts.reduce((a, b) => (b.isr.length < a.isr.length ? b : a));
      return {
        least: worst.isr.length,
        needed,
        detail: `${topic}-${worst.partition} ISR [${worst.isr.join(",")}] of [${worst.replicas.join(",")}]`,
      };
    },
    nodes: () => t.nodes.filter((n) => n.roles.includes("broker")).map((n) => n.name),
    async partitionPlacements() {
      const parts = await topicPartitions(admin, topic);
      return new Map(
        parts.map((p) => [
          p.partition,
          {
            leader: p.leader >= 0 ? nodeById(t, p.leader).name : "none",
            replicas: p.replicas.map((id) => nodeById(t, id).name),
          },
        ]),
      );
    },
    async everyPartition() {
      const name = (id: number) => t.nodes.find((n) => n.id === String(id))?.name ?? `node ${id}`;
      const parts = await partitionStates(admin);
      return {
        replicas: t.expected.replicationFactor,
        partitions: parts.map((p) => ({
          topic: p.topic,
          partition: p.partition,
          ...(p.leader >= 0 ? { leader: name(p.leader) } : {}),
          replicas: p.replicas.map(name),
          isr: p.isr.map(name),
        })),
      };
    },
    client: {
      name: producerClient.name,
      settings: producerClient.describe(unsafe ? "leader" : "all"),
      idempotent: producerClient.idempotent(unsafe ? "leader" : "all"),
    },
    async close() {
      if (opts.ownDestination)
        await withAdmin(admin, (a) => a.deleteTopics({ topics: [topic] })).catch(() => undefined);
    },
  };
}

function rabbitHarness(target: Target, opts: HarnessOptions): SystemHarness {
  const t = target.rabbitmq;
  const unsafe = opts.unsafe === "classic-transient";
  const queue = unsafe ? "mp-unsafe-classic-transient" : (opts.ownDestination ?? opts.destination ?? t.queues[0]?.name);
  if (!queue) throw new Error("target.rabbitmq.queues is empty: the deployment declares no smoke queue");
  const api = new ManagementApi(t);
  // The declared queue exists already; the drill's own and the unsafe one are declared before the first publish.
  let declared = !unsafe && !opts.ownDestination;
  const onChannel = async (body: (ch: Channel) => Promise<unknown>) => {
    const { conn } = await connectAny(t, 0, {});
    try {
      await body(await conn.createChannel());
    } finally {
      await conn.close();
    }
  };
  const declareQueue = async () => {
    if (declared) return;
    if (opts.ownDestination) {
      // Durable quorum queue, like every declared one (initial group size from the broker's config).
      await onChannel((ch) => ch.assertQueue(queue, { durable: true, arguments: { "x-queue-type": "quorum" } }));
    } else {
      // Declared through node 0, so the whole queue lives on that node and dies with it. A failed delete closes
      // its channel, so the declare gets a channel of its own.
      await onChannel((ch) => ch.deleteQueue(queue).catch(() => undefined));
      await onChannel((ch) => ch.assertQueue(queue, { durable: false, arguments: { "x-queue-type": "classic" } }));
    }
    declared = true;
  };
  return {
    system: "rabbitmq",
    destination: queue,
    duplicatesAllowed: true,
    async openPublishers(count, onError) {
      await declareQueue();
      const out: Array<{ name: string; publisher: Publisher }> = [];
      for (let i = 0; i < count; i++) {
        // Spread publishers over nodes, and keep consumers on other nodes than the first publisher.
        const publisher = await RabbitPublisher.open(t, queue, { firstNode: i, onError, persistent: !unsafe });
        out.push({ name: `p${i}`, publisher });
      }
      return out;
    },
    subscriber(_runId, onError) {
      // The unsafe queue loses only what waits in it when its node dies (publishes after that are returned, as
      // mandatory ones): its consumer takes one message per round trip, so under full load a backlog waits there.
      return new RabbitSubscriber(t, queue, { firstNode: 1, onError, purge: true, ...(unsafe ? { prefetch: 1 } : {}) });
    },
    async leader() {
      return (await queueLeader(api, t, queue)).name;
    },
    async followers() {
      const leader = (await queueLeader(api, t, queue)).name;
      return t.nodes.map((n) => n.name).filter((n) => n !== leader);
    },
    // The unsafe queue has one replica by design; health is then only "all nodes running".
    health: () => rabbitHealth(t, unsafe ? [] : [queue]),
    async redundancy() {
      const q = await api.queue(queue);
      return {
        least: q.online.length,
        needed: Math.floor(q.members.length / 2) + 1,
        detail: `${queue}: ${q.online.length} of ${q.members.length} members online`,
      };
    },
    nodes: () => t.nodes.map((n) => n.name),
    everyQueue: () => rabbitHealth(t),
    async close() {
      if (opts.ownDestination) await onChannel((ch) => ch.deleteQueue(queue).catch(() => undefined));
    },
  };
}
