// Kafka done right for durability checks (kafkajs): idempotent producer with acks=all, consumers that commit
// offsets by hand only after a message is recorded, no transactions: the settings of a synchronous, acks=all
// durability profile.
import { type Consumer, Kafka, type KafkaConfig, logLevel, type Producer } from "kafkajs";
import { topicPartitions, withAdmin } from "../../brokers/kafka";
import { quietNegativeTimeoutWarnings } from "../../brokers/kafkajs-warnings";
import type { KafkaTarget } from "../../contract/target";
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
  quietNegativeTimeoutWarnings();
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

/**
 * Errors after which an idempotent producer's sequence numbers no longer match the broker's: kafkajs 2.2.4 does not
 * bump the producer epoch as the Java client does, so every later send to that partition would fail. The cure is a
 * new producer (a new producer id).
 */
const fatalProducerErrors = /out of order sequence|UNKNOWN_PRODUCER_ID|unknown producer|producer.*epoch|fenced/i;

/**
 * A batch either lands whole (ok) or its fate is unknown (info): a rejected send may have been written.
 *
 * Every send goes to ONE partition, chosen round-robin. Found by this project's own kill-leader drill: kafkajs 2.2.4
 * loses acknowledged messages when a send spans partitions on several brokers and a leader moves mid-send. Its retry
 * (producer/sendMessages.js) re-sends only to brokers that have not answered yet; a partition whose leadership moved
 * to a broker that already answered for other partitions is silently skipped, and send() resolves as if all were
 * written. With one partition per send, a retry always targets the partition's current leader.
 *
 * And sends to one partition never overlap. kafkajs assigns idempotence sequence numbers per partition and, when a
 * send fails, hands its numbers back by decrementing the counter; if another send to the same partition took the next
 * range meanwhile, the retry reuses that range, the broker answers DUPLICATE_SEQUENCE_NUMBER for one of the two, and
 * kafkajs reports it as written: one batch acknowledged and lost (seen as exactly one batch missing in a drill).
 */
export class KafkaPublisher implements Publisher {
  private producer: Producer;
  private renewing: Promise<void> | undefined;
  private nextPartition = 0;
  /** One send at a time per partition (see above): the tail of each partition's chain of sends. */
  private readonly partitionTail = new Map<number, Promise<unknown>>();

  private constructor(
    private readonly client: Kafka,
    producer: Producer,
    private readonly topic: string,
    private readonly partitions: number[],
  ) {
    this.producer = producer;
    this.nextPartition = Math.floor(Math.random() * partitions.length);
  }

  private static async newProducer(client: Kafka): Promise<Producer> {
    // idempotent=true implies acks=all and at most 5 in-flight requests per broker, retries without reordering.
    const producer = client.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });
    await producer.connect();
    return producer;
  }

  static async open(client: Kafka, topic: string): Promise<KafkaPublisher> {
    const partitions = (await topicPartitions(client, topic)).map((p) => p.partition).sort((a, b) => a - b);
    if (partitions.length === 0) throw new Error(`topic ${topic} has no partitions (does it exist?)`);
    return new KafkaPublisher(client, await KafkaPublisher.newProducer(client), topic, partitions);
  }

  async publish(batch: Envelope[]): Promise<PublishOutcome[]> {
    const partition = this.partitions[this.nextPartition++ % this.partitions.length] as number;
    const previous = this.partitionTail.get(partition) ?? Promise.resolve();
    const mine = previous.then(() => this.send(partition, batch));
    this.partitionTail.set(
      partition,
      mine.catch(() => undefined),
    );
    return mine;
  }

  private async send(partition: number, batch: Envelope[]): Promise<PublishOutcome[]> {
    if (this.renewing) await this.renewing;
    const producer = this.producer;
    try {
      await producer.send({
        topic: this.topic,
        acks: -1,
        messages: batch.map((e) => ({ key: e.id, value: e.body, partition })),
      });
      return batch.map(() => ({ type: "ok" }));
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      if (fatalProducerErrors.test(error) && producer === this.producer) this.renew();
      return batch.map(() => ({ type: "info", error }));
    }
  }

  private renew(): void {
    const old = this.producer;
    this.renewing ??= (async () => {
      await old.disconnect().catch(() => undefined);
      for (;;) {
        try {
          this.producer = await KafkaPublisher.newProducer(this.client);
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    })().finally(() => {
      this.renewing = undefined;
    });
  }

  async close(): Promise<void> {
    await this.renewing;
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
    private readonly onError?: (what: string) => void,
  ) {}

  async start(onDelivery: (d: Received) => void): Promise<void> {
    const startOffsets = await withAdmin(this.client, (admin) => admin.fetchTopicOffsets(this.topic));

    const consumer = this.client.consumer({
      groupId: this.groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      rebalanceTimeout: 20_000,
      allowAutoTopicCreation: false,
      // kafkajs 2.2.4 keeps retrying commits and heartbeats against a group coordinator that has moved (NOT_COORDINATOR)
      // without looking it up again; only a consumer restart does. So: few, short retries, then restart, always
      // (offsets are committed only after counting, so a restart can re-read, never skip).
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000, restartOnFailure: async () => true },
    });
    consumer.on(consumer.events.CRASH, (e) =>
      this.onError?.(`kafka consumer crashed, restarting: ${e.payload.error.message}`),
    );
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
          // A failed commit (coordinator moving) is not a reason to stop reading: the next batch commits again,
          // and at worst a restart re-reads what was already counted (a duplicate delivery, never a loss).
          await consumer
            .commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }])
            .catch((e: unknown) =>
              this.onError?.(`kafka commit failed: ${e instanceof Error ? e.message : String(e)}`),
            );
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
