// Kafka done right for durability checks (kafkajs): idempotent producer with acks=all, consumers that commit
// offsets by hand only after a message is recorded, no transactions: the settings of a synchronous, acks=all
// durability profile.
import { type Consumer, Kafka, type KafkaConfig, logLevel, type Producer } from "kafkajs";
import { topicPartitions, withAdmin } from "../../brokers/kafka";
import { kafkajsSocketFactory } from "../../brokers/kafkajs-socket";
import { quietNegativeTimeoutWarnings } from "../../brokers/kafkajs-warnings";
import { tlsClientOptions } from "../../brokers/tls";
import type { KafkaTarget } from "../../contract/target";
import type { Envelope } from "./envelope";
import { COMMIT_INTERVAL_MS, CountedPositions, kafkaDelivery, readToEndOffsets } from "./kafka-positions";
import type { PublisherAcks } from "./kafka-producer";
import { type Lane, PartitionRouter } from "./lanes";
import type { ClientEvents, Publisher, PublishOutcome, ReadToEnd, Received, Subscriber } from "./types";

export interface KafkaClientOptions extends ClientEvents {
  clientId: string;
  /** Per-request timeout; a hard-killed leader is only fenced after broker.session.timeout.ms (9 s). */
  requestTimeoutMs?: number;
  connectionTimeoutMs?: number;
  /** Retries inside kafkajs before a send is reported as unknown (info). */
  retries?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * How long one send may take before its outcome is declared unknown and a new producer takes over: the Java client's
 * delivery.timeout.ms. Needed because kafkajs 2.2.4 refreshes metadata after a connection error but not after a
 * request timeout: a leader that is partitioned away (packets dropped, connection still open) is retried for every
 * retry, ~100 s, long after the controller fenced it (9 s) and moved its partitions. Found by the isolate-node drill:
 * no write was acknowledged for the whole 20 s partition. Shorter than the fencing time, so a send that went to the
 * stale leader is retried from fresh metadata (the new producer reads it when it connects) within ~6 s of the move;
 * far above any produce latency of a healthy cluster, so it never cuts a send that would have succeeded.
 */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 6_000;

export function kafkaConfig(target: KafkaTarget, opts: KafkaClientOptions): KafkaConfig {
  quietNegativeTimeoutWarnings();
  return {
    clientId: opts.clientId,
    brokers: target.bootstrapServers,
    ssl: target.tls ? tlsClientOptions(target.ca) : false,
    socketFactory: kafkajsSocketFactory,
    sasl: { mechanism: "scram-sha-512", username: target.sasl.username, password: target.sasl.password },
    connectionTimeout: opts.connectionTimeoutMs ?? 3_000,
    requestTimeout: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
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
 * Pure: what one produce response says about a batch sent to one partition. The batch sits at consecutive offsets from
 * the response's base offset. A response that does not name the partition acknowledges nothing there: that is exactly
 * how kafkajs's skipped-partition retry resolves (see below), so those writes are unknown, not acknowledged.
 */
export function produceOutcomes(
  written: ReadonlyArray<{ partition: number; baseOffset?: string }>,
  partition: number,
  count: number,
): PublishOutcome[] {
  const base = written.find((r) => r.partition === partition)?.baseOffset;
  if (base === undefined || base === "" || Number.isNaN(Number(base))) {
    const named = written.map((r) => r.partition).join(", ") || "none";
    const error = `the produce response names no offset for partition ${partition} (partitions named: ${named})`;
    return Array.from({ length: count }, () => ({ type: "info", error }));
  }
  return Array.from({ length: count }, (_, i) => ({ type: "ok", position: { partition, offset: Number(base) + i } }));
}

/**
 * A batch either lands whole (ok) or its fate is unknown (info): a rejected send may have been written.
 *
 * Every send goes to ONE partition (its lane's share, round robin: see lanes.ts). Found by this project's own kill-leader drill: kafkajs 2.2.4
 * loses acknowledged messages when a send spans partitions on several brokers and a leader moves mid-send. Its retry
 * (producer/sendMessages.js) re-sends only to brokers that have not answered yet; a partition whose leadership moved
 * to a broker that already answered for other partitions is silently skipped, and send() resolves as if all were
 * written. With one partition per send, a retry always targets the partition's current leader.
 *
 * And sends to one partition never overlap. kafkajs assigns idempotence sequence numbers per partition and, when a
 * send fails, hands its numbers back by decrementing the counter; if another send to the same partition took the next
 * range meanwhile, the retry reuses that range, the broker answers DUPLICATE_SEQUENCE_NUMBER for one of the two, and
 * kafkajs reports it as written: one batch acknowledged and lost (seen as exactly one batch missing in a drill).
 *
 * And after ANY failed send, a new producer (a new producer id) takes over. A failed send's outcome is unknown: it may
 * have been written. kafkajs 2.2.4 hands its sequence numbers back on failure and, unlike the Java client, does not
 * bump the epoch, so the next send would reuse that range: if the failed batch was in fact written, the broker answers
 * DUPLICATE_SEQUENCE_NUMBER and kafkajs reports the new batch as written although it was not. A new producer id starts
 * its sequences afresh, so no range is ever reused.
 */
/**
 * Pure: whether the kafkajs producer runs idempotent. idempotent=true implies acks=all and at most 5 in-flight requests
 * per broker, retries without reordering; acks=1 (only for the drill that must lose) cannot be idempotent.
 */
export function kafkajsIdempotent(acks: PublisherAcks): boolean {
  return acks === "all";
}

export class KafkaPublisher implements Publisher {
  private producer: Producer;
  private renewing: Promise<void> | undefined;
  private readonly router: PartitionRouter;
  /** One send at a time per partition (see above): the tail of each partition's chain of sends. */
  private readonly partitionTail = new Map<number, Promise<unknown>>();
  /** Disconnects of producers replaced after a failed send. */
  private readonly retired: Promise<unknown>[] = [];

  private constructor(
    private readonly client: Kafka,
    producer: Producer,
    private readonly topic: string,
    private readonly partitions: number[],
    private readonly acks: PublisherAcks,
    private readonly deliveryTimeoutMs: number,
  ) {
    this.producer = producer;
    this.router = new PartitionRouter(partitions);
  }

  private static async newProducer(client: Kafka, acks: PublisherAcks): Promise<Producer> {
    const producer = client.producer({
      idempotent: kafkajsIdempotent(acks),
      maxInFlightRequests: 5,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    return producer;
  }

  /**
   * acks "all" (the default, and the only durable choice) waits for every in-sync replica; "leader" (acks=1) only
   * for the partition leader: the unsafe setting the checker must catch losing writes.
   */
  static async open(
    client: Kafka,
    topic: string,
    acks: PublisherAcks = "all",
    deliveryTimeoutMs = DEFAULT_DELIVERY_TIMEOUT_MS,
  ): Promise<KafkaPublisher> {
    const partitions = (await topicPartitions(client, topic)).map((p) => p.partition).sort((a, b) => a - b);
    if (partitions.length === 0) throw new Error(`topic ${topic} has no partitions (does it exist?)`);
    const producer = await KafkaPublisher.newProducer(client, acks);
    return new KafkaPublisher(client, producer, topic, partitions, acks, deliveryTimeoutMs);
  }

  async publish(batch: Envelope[], lane?: Lane): Promise<PublishOutcome[]> {
    const partition = this.router.next(lane);
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
    let timer: NodeJS.Timeout | undefined;
    try {
      const sent = producer.send({
        topic: this.topic,
        acks: this.acks === "all" ? -1 : 1,
        messages: batch.map((e) => ({ key: e.id, value: e.body, partition })),
      });
      // The abandoned send may still land later (from the old producer, with its own producer id): unknown, not lost.
      sent.catch(() => undefined);
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within the delivery timeout (${this.deliveryTimeoutMs} ms)`)),
          this.deliveryTimeoutMs,
        );
      });
      const written = await Promise.race([sent, deadline]);
      return produceOutcomes(written, partition, batch.length);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      if (producer === this.producer) this.renew();
      return batch.map(() => ({ type: "info", error }));
    } finally {
      clearTimeout(timer);
    }
  }

  private renew(): void {
    const old = this.producer;
    this.renewing ??= (async () => {
      // Not awaited: disconnecting from a partitioned-away broker can wait as long as the send did.
      this.retired.push(old.disconnect().catch(() => undefined));
      for (;;) {
        try {
          this.producer = await KafkaPublisher.newProducer(this.client, this.acks);
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
    await Promise.race([Promise.all(this.retired), new Promise((r) => setTimeout(r, 5_000).unref())]);
  }
}

/**
 * Reads the topic from the offsets it had when the subscriber was created (so earlier runs are not re-read) and
 * records each message; what was counted is committed after it, never before (kafka-positions.ts says how often).
 */
export class KafkaSubscriber implements Subscriber {
  private consumer: Consumer | undefined;
  /** Per partition, where a restarted consumer resumes (after the last message counted), and what is to commit. */
  private readonly positions = new CountedPositions();
  /** Per partition, the high watermark once the producers stopped: the end the drain reads to. */
  private endOffsets: Map<number, bigint> | undefined;
  /** The partitions the group gave this consumer at its latest join. */
  private assigned = new Set<number>();
  /** The commit in flight, if any: one at a time, so a late answer never lands after a newer commit. */
  private committing: Promise<void> | undefined;
  private lastCommitAt = 0;

  /**
   * `shared`: one of several consumers of the group (a workload split over workers), each reading the partitions
   * assigned to it; its atEnd then speaks for those only, and the coordinator asks every worker.
   */
  constructor(
    private readonly client: Kafka,
    private readonly topic: string,
    private readonly groupId: string,
    private readonly onError?: (what: string) => void,
    private readonly shared = false,
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
    // A brand-new group has no committed offsets: start each partition where the topic ended before this run. And
    // on every later join (a restart after a crash, a rebalance) resume each assigned partition right after the last
    // message counted: a restart before the first commit would otherwise jump to the latest offset and skip messages
    // (a false "lost"). start() returns once the group is joined and seeded, so nothing produced after it is missed.
    this.positions.seed(startOffsets.map((p) => [p.partition, BigInt(p.offset)] as const));
    const joined = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`consumer group ${this.groupId} did not join within 30 s`)),
        30_000,
      );
      consumer.on(consumer.events.GROUP_JOIN, (e) => {
        const assigned = e.payload.memberAssignment[this.topic] ?? [];
        this.assigned = new Set(assigned);
        for (const partition of assigned) {
          const offset = this.positions.resumeAt(partition);
          if (offset !== undefined) consumer.seek({ topic: this.topic, partition, offset: offset.toString() });
        }
        clearTimeout(timer);
        resolve();
      });
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Nothing here awaits the broker but the heartbeat (sent at most once per heartbeatInterval): the batch is
      // counted synchronously, its last offset resolved once, and the commit goes out beside the reading.
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        let last: string | undefined;
        for (const m of batch.messages) {
          if (!isRunning() || isStale()) break;
          onDelivery(kafkaDelivery(m.value, batch.partition, m.offset, Date.now()));
          last = m.offset;
        }
        if (last !== undefined) {
          resolveOffset(last);
          this.positions.counted(batch.partition, BigInt(last));
          this.commitIfDue(consumer);
        }
        await heartbeat();
      },
    });
    await joined;
  }

  /**
   * Commits what was counted, at most every COMMIT_INTERVAL_MS and one commit at a time, never awaited by the reading.
   * A failed commit (coordinator moving) is not a reason to stop reading: the next one commits again, and at worst a
   * restart re-reads what was already counted (a re-delivery, never a loss).
   */
  private commitIfDue(consumer: Consumer, force = false): Promise<void> | undefined {
    if (this.committing || (!force && Date.now() - this.lastCommitAt < COMMIT_INTERVAL_MS)) return this.committing;
    const due = this.positions.dueCommits(this.assigned);
    if (due.length === 0) return undefined;
    this.lastCommitAt = Date.now();
    this.committing = consumer
      .commitOffsets(due.map((c) => ({ topic: this.topic, partition: c.partition, offset: c.offset.toString() })))
      .then(
        () => this.positions.markCommitted(due),
        (e: unknown) => this.onError?.(`kafka commit failed: ${e instanceof Error ? e.message : String(e)}`),
      )
      .finally(() => {
        this.committing = undefined;
      });
    return this.committing;
  }

  async atEnd(): Promise<ReadToEnd> {
    try {
      // Read once, on the first call after the producers stopped: nothing is written past it any more.
      this.endOffsets ??= new Map(
        (await withAdmin(this.client, (admin) => admin.fetchTopicOffsets(this.topic))).map((p) => [
          p.partition,
          BigInt(p.offset),
        ]),
      );
    } catch (e) {
      return { atEnd: false, detail: `cannot read the high watermarks: ${e instanceof Error ? e.message : String(e)}` };
    }
    return readToEndOffsets(this.positions.nextOffsets, this.endOffsets, this.shared ? this.assigned : undefined);
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    // The last counted positions, for the next member of the group (a worker's partitions moving to another).
    await this.committing;
    await this.commitIfDue(consumer, true);
    await consumer.disconnect().catch(() => undefined);
  }
}

/** The topic's partitions, or an error naming the topic when it has none (it does not exist). */
export async function partitionsOf(target: KafkaTarget, topic: string): Promise<number[]> {
  const partitions = (await topicPartitions(kafka(target, { clientId: "mp-metadata", retries: 2 }), topic))
    .map((p) => p.partition)
    .sort((a, b) => a - b);
  if (partitions.length === 0) throw new Error(`topic ${topic} has no partitions (does it exist?)`);
  return partitions;
}
