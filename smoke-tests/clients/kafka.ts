// Kafka done right for durability checks (kafkajs): idempotent producer with acks=all, consumers that commit
// offsets by hand only after a message is recorded, no transactions. Settings are the ones the reference
// `kafka-sync-all` profile uses; see ../../../shared/reference/durability-and-throughput-testing.md §4.1.
import { type Consumer, Kafka, type KafkaConfig, logLevel, type Producer } from "kafkajs";
import type { KafkaTarget } from "../target/types";
import { decodeEnvelope, type Envelope } from "./envelope";
import type { ClientEvents, Publisher, PublishOutcome, Received, Subscriber } from "./types";

export interface KafkaClientOptions extends ClientEvents {
  clientId: string;
  /** Per-request timeout; a hard-killed leader is only fenced after broker.session.timeout.ms (9 s). */
  requestTimeoutMs?: number;
  connectionTimeoutMs?: number;
  /** Retries inside kafkajs before a send is reported as unknown (info). */
  retries?: number;
}

export function kafkaConfig(target: KafkaTarget, opts: KafkaClientOptions): KafkaConfig {
  return {
    clientId: opts.clientId,
    brokers: target.bootstrapServers,
    ssl: target.tls,
    sasl: { mechanism: "scram-sha-512", username: target.sasl.username, password: target.sasl.password },
    connectionTimeout: opts.connectionTimeoutMs ?? 3_000,
    requestTimeout: opts.requestTimeoutMs ?? 10_000,
    retry: { initialRetryTime: 200, retries: opts.retries ?? 8, maxRetryTime: 3_000 },
    logLevel: logLevel.ERROR,
    logCreator:
      () =>
      ({ log }) => {
        if (log.message) opts.onError?.(`kafkajs: ${log.message}${log.error ? ` (${log.error})` : ""}`);
      },
  };
}

export function kafka(target: KafkaTarget, opts: KafkaClientOptions): Kafka {
  return new Kafka(kafkaConfig(target, opts));
}

/** A batch either lands whole (ok) or its fate is unknown (info): a rejected send may have been written. */
export class KafkaPublisher implements Publisher {
  private constructor(
    private readonly producer: Producer,
    private readonly topic: string,
  ) {}

  static async open(client: Kafka, topic: string): Promise<KafkaPublisher> {
    // idempotent=true implies acks=all and at most 5 in-flight requests per broker, retries without reordering.
    const producer = client.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });
    await producer.connect();
    return new KafkaPublisher(producer, topic);
  }

  async publish(batch: Envelope[]): Promise<PublishOutcome[]> {
    try {
      await this.producer.send({
        topic: this.topic,
        acks: -1,
        messages: batch.map((e) => ({ key: e.id, value: e.body })),
      });
      return batch.map(() => ({ type: "ok" }));
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      return batch.map(() => ({ type: "info", error }));
    }
  }

  async close(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }
}

/**
 * Reads the topic from the offsets it had when the subscriber was created (so earlier runs are not re-read),
 * records each message, then commits that offset: a message is committed only after it has been counted.
 */
export class KafkaSubscriber implements Subscriber {
  private consumer: Consumer | undefined;
  private foreignCount = 0;

  constructor(
    private readonly client: Kafka,
    private readonly topic: string,
    private readonly groupId: string,
    private readonly runPrefix: string,
  ) {}

  async start(onDelivery: (d: Received) => void): Promise<void> {
    const admin = this.client.admin();
    await admin.connect();
    const startOffsets = await admin.fetchTopicOffsets(this.topic).finally(() => admin.disconnect());

    const consumer = this.client.consumer({
      groupId: this.groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      rebalanceTimeout: 20_000,
      allowAutoTopicCreation: false,
      retry: { retries: 50, initialRetryTime: 200, maxRetryTime: 2_000 },
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: false });
    // A brand-new group has no committed offsets: start each partition where the topic ended before this run.
    // start() returns once the group is joined and seeded, so nothing produced after it can be missed.
    let seeded = false;
    const joined = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`consumer group ${this.groupId} did not join within 30 s`)),
        30_000,
      );
      consumer.on(consumer.events.GROUP_JOIN, () => {
        if (seeded) return;
        seeded = true;
        for (const p of startOffsets) consumer.seek({ topic: this.topic, partition: p.partition, offset: p.offset });
        clearTimeout(timer);
        resolve();
      });
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        let last: string | undefined;
        for (const m of batch.messages) {
          if (!isRunning() || isStale()) break;
          const env = m.value ? decodeEnvelope(m.value) : undefined;
          if (env?.id.startsWith(this.runPrefix)) {
            onDelivery({
              id: env.id,
              sentAt: env.sentAt,
              receivedAt: Date.now(),
              partition: batch.partition,
              offset: m.offset,
            });
          } else {
            this.foreignCount++;
          }
          resolveOffset(m.offset);
          last = m.offset;
        }
        if (last !== undefined) {
          await consumer.commitOffsets([
            { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
          ]);
        }
        await heartbeat();
      },
    });
    await joined;
  }

  foreign(): number {
    return this.foreignCount;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
  }
}
