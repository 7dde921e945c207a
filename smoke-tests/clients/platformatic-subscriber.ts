// A counting consumer on @platformatic/kafka (plain JavaScript, no native build, so it runs wherever the workload
// does), held to KafkaSubscriber's contract: a group of its own, each partition read from where the topic ended
// before the run, resumed after the last record counted (on a rejoin and on a new stream after an error), commits
// only of what was counted, `shared` for one of several workers, and atEnd against the high watermarks.
import type { KafkaTarget } from "../../contract/target";
import { COMMIT_INTERVAL_MS, CountedPositions, kafkaDelivery, readToEndOffsets } from "./kafka-positions";
import { platformaticConnection } from "./platformatic-kafka";
import type { ReadToEnd, Received, Subscriber } from "./types";

interface PlatformaticMessage {
  value?: Buffer;
  partition: number;
  offset: bigint;
  /** Commits offset + 1 for its partition, coalesced with other commits of the stream (one in flight, never back). */
  commit(): Promise<void> | undefined;
}

interface PlatformaticStream {
  on(event: "data", listener: (m: PlatformaticMessage) => void): void;
  on(event: "error", listener: (e: Error) => void): void;
  close(): Promise<void>;
}

interface PlatformaticConsumer {
  assignments: Array<{ topic: string; partitions: number[] }> | null;
  consume(o: object): Promise<PlatformaticStream>;
  listOffsets(o: { topics: string[] }): Promise<Map<string, bigint[]>>;
  close(force?: boolean): Promise<void>;
}

function load(): { Consumer: new (o: object) => PlatformaticConsumer } {
  // An ES module: Node 22.12+ loads it with require().
  return require("@platformatic/kafka");
}

/** Commits follow counting (autocommit off); one fetch waits at most 500 ms for new records, so a run's tail is read promptly. */
const platformaticFetch = { autocommit: false, maxWaitTime: 500 };

/**
 * Pure: the consumer's group and fetch settings. The group timings are kafkajs's (so a broker loss is ridden out the
 * same way), and the fetch settings below.
 */
export function platformaticConsumerOptions(target: KafkaTarget, clientId: string, groupId: string) {
  return {
    ...platformaticConnection(target, clientId),
    groupId,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    rebalanceTimeout: 20_000,
    ...platformaticFetch,
  };
}

/** Pure: a ListOffsets answer for one topic (one offset per partition, by index) as partition → offset. */
export function topicEnds(answer: ReadonlyMap<string, readonly bigint[]>, topic: string): Map<number, bigint> {
  const ends = answer.get(topic);
  if (!ends || ends.length === 0) throw new Error(`topic ${topic} has no partitions (does it exist?)`);
  return new Map(ends.map((offset, partition) => [partition, offset]));
}

export interface PlatformaticSubscriberOptions {
  clientId: string;
  onError?: (what: string) => void;
  /** One of several consumers of the group: atEnd speaks for its assigned partitions only. */
  shared?: boolean;
}

export class PlatformaticSubscriber implements Subscriber {
  private consumer: PlatformaticConsumer | undefined;
  private stream: PlatformaticStream | undefined;
  private readonly positions = new CountedPositions();
  /** Per partition, the last record counted: committing it commits the position after it. */
  private readonly lastCounted = new Map<number, PlatformaticMessage>();
  private endOffsets: Map<number, bigint> | undefined;
  private commitTimer: NodeJS.Timeout | undefined;
  private committing: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly target: KafkaTarget,
    private readonly topic: string,
    private readonly groupId: string,
    private readonly opts: PlatformaticSubscriberOptions,
  ) {}

  async start(onDelivery: (d: Received) => void): Promise<void> {
    const { Consumer } = load();
    const consumer = new Consumer(platformaticConsumerOptions(this.target, this.opts.clientId, this.groupId));
    this.consumer = consumer;
    // Seeded before joining: every partition starts where the topic ended before this run, whichever member reads it.
    this.positions.seed(topicEnds(await consumer.listOffsets({ topics: [this.topic] }), this.topic));
    // consume() returns once the group is joined: nothing produced after start() returns is missed.
    await this.open(consumer, onDelivery);
    this.commitTimer = setInterval(() => this.commit(), COMMIT_INTERVAL_MS);
    this.commitTimer.unref();
  }

  /** A stream reading every assigned partition from its counted position; a failed stream is replaced by a new one. */
  private async open(consumer: PlatformaticConsumer, onDelivery: (d: Received) => void): Promise<void> {
    const stream = await consumer.consume({
      topics: [this.topic],
      mode: "manual",
      ...platformaticFetch,
      offsets: [...this.positions.nextOffsets].map(([partition, offset]) => ({ topic: this.topic, partition, offset })),
    });
    this.stream = stream;
    stream.on("data", (m) => {
      onDelivery(kafkaDelivery(m.value, m.partition, m.offset, Date.now()));
      this.positions.counted(m.partition, m.offset);
      this.lastCounted.set(m.partition, m);
    });
    stream.on("error", (e) => {
      if (this.stopped) return;
      this.opts.onError?.(`platformatic consumer failed, reading on from the last counted offsets: ${e.message}`);
      void this.reopen(consumer, onDelivery);
    });
  }

  private async reopen(consumer: PlatformaticConsumer, onDelivery: (d: Received) => void): Promise<void> {
    while (!this.stopped) {
      await new Promise((r) => setTimeout(r, 500));
      try {
        await this.open(consumer, onDelivery);
        return;
      } catch (e) {
        this.opts.onError?.(`platformatic consumer: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private assigned(): Set<number> {
    return new Set(this.consumer?.assignments?.find((a) => a.topic === this.topic)?.partitions ?? []);
  }

  /** Commits the last counted record of every assigned partition read since its last commit, one round at a time. */
  private commit(): Promise<unknown> | undefined {
    if (this.committing) return this.committing;
    const due = this.positions.dueCommits(this.assigned());
    if (due.length === 0) return undefined;
    this.committing = Promise.all(
      due.map((c) =>
        Promise.resolve(this.lastCounted.get(c.partition)?.commit()).then(
          () => this.positions.markCommitted([c]),
          (e: unknown) =>
            this.opts.onError?.(`platformatic commit failed: ${e instanceof Error ? e.message : String(e)}`),
        ),
      ),
    ).finally(() => {
      this.committing = undefined;
    });
    return this.committing;
  }

  async atEnd(): Promise<ReadToEnd> {
    try {
      // Read once, on the first call after the producers stopped: nothing is written past it any more.
      this.endOffsets ??= topicEnds(
        (await this.consumer?.listOffsets({ topics: [this.topic] })) ?? new Map(),
        this.topic,
      );
    } catch (e) {
      return { atEnd: false, detail: `cannot read the high watermarks: ${e instanceof Error ? e.message : String(e)}` };
    }
    return readToEndOffsets(
      this.positions.nextOffsets,
      this.endOffsets,
      this.opts.shared ? this.assigned() : undefined,
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.commitTimer);
    // The last counted positions, for the next member of the group (a worker's partitions moving to another).
    await this.committing;
    await this.commit();
    await this.stream?.close().catch(() => undefined);
    await this.consumer?.close(true).catch(() => undefined);
  }
}
