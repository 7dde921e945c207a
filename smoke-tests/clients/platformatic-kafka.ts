// @platformatic/kafka, a Kafka client in plain JavaScript (no native code), as a workload producer with the setting
// its maintainers give for no loss: idempotent: true, which implies acks=all, one request in flight per partition and
// retries without limit. Each batch goes to one partition (its lane's), and the produce response's base offset places
// every message of the batch; batches overlap as an application's would.
import { tlsClientOptions } from "../../brokers/tls";
import type { KafkaTarget } from "../../contract/target";
import type { Envelope } from "./envelope";
import { installedVersion } from "./installed-version";
import type { KafkaProducerClient, PublisherAcks, PublisherOptions } from "./kafka-producer";
import { partitionsOf } from "./kafkajs";
import { type Lane, PartitionRouter } from "./lanes";
import type { Publisher, PublishOutcome } from "./types";

/** Per-request timeout: past the 9 s a hard-killed leader takes to be fenced, so a retry finds the new leader. */
export const PLATFORMATIC_TIMEOUT_MS = 10_000;

/** Pure: the durability settings, by the library's option names. */
export function platformaticDurability(acks: PublisherAcks): { idempotent: boolean; acks: number; timeout: number } {
  return acks === "all"
    ? { idempotent: true, acks: -1, timeout: PLATFORMATIC_TIMEOUT_MS }
    : { idempotent: false, acks: 1, timeout: PLATFORMATIC_TIMEOUT_MS };
}

/**
 * Pure: where and who, for producers and consumers alike: SCRAM-SHA-512, over TLS trusting the stack's CA when the
 * target has TLS.
 */
export function platformaticConnection(target: KafkaTarget, clientId: string) {
  return {
    clientId,
    bootstrapBrokers: target.bootstrapServers,
    sasl: { mechanism: "SCRAM-SHA-512", username: target.sasl.username, password: target.sasl.password },
    ...(target.tls ? { tls: tlsClientOptions(target.ca) } : {}),
  };
}

interface PlatformaticProducer {
  send(o: {
    messages: Array<{ topic: string; partition: number; key: Buffer; value: Buffer }>;
  }): Promise<{ offsets?: Array<{ topic: string; partition: number; offset: bigint }> }>;
  close(): Promise<void>;
}

function load(): { Producer: new (o: object) => PlatformaticProducer } {
  // An ES module: Node 22.12+ loads it with require().
  return require("@platformatic/kafka");
}

/** Pure: what a produce response says about a batch written to one partition (consecutive offsets from its base). */
export function batchOutcomes(
  offsets: ReadonlyArray<{ partition: number; offset: bigint }> | undefined,
  partition: number,
  count: number,
): PublishOutcome[] {
  const base = offsets?.find((o) => o.partition === partition)?.offset;
  if (base === undefined) {
    const error = `platformatic: the produce response names no offset for partition ${partition}`;
    return Array.from({ length: count }, () => ({ type: "info", error }));
  }
  return Array.from({ length: count }, (_, i) => ({
    type: "ok",
    position: { partition, offset: Number(base) + i },
  }));
}

export class PlatformaticPublisher implements Publisher {
  private readonly router: PartitionRouter;

  private constructor(
    private readonly producer: PlatformaticProducer,
    private readonly topic: string,
    partitions: number[],
  ) {
    this.router = new PartitionRouter(partitions);
  }

  static async open(target: KafkaTarget, topic: string, opts: PublisherOptions): Promise<PlatformaticPublisher> {
    const partitions = await partitionsOf(target, topic);
    const { Producer } = load();
    const producer = new Producer({
      ...platformaticConnection(target, opts.clientId),
      ...platformaticDurability(opts.acks),
    });
    return new PlatformaticPublisher(producer, topic, partitions);
  }

  async publish(batch: Envelope[], lane?: Lane): Promise<PublishOutcome[]> {
    const partition = this.router.next(lane);
    try {
      const result = await this.producer.send({
        messages: batch.map((e) => ({ topic: this.topic, partition, key: Buffer.from(e.id), value: e.body })),
      });
      return batchOutcomes(result.offsets, partition, batch.length);
    } catch (err) {
      const error = `platformatic: ${err instanceof Error ? err.message : String(err)}`;
      return batch.map(() => ({ type: "info", error }));
    }
  }

  async close(): Promise<void> {
    await this.producer.close().catch(() => undefined);
  }
}

export const platformaticClient: KafkaProducerClient = {
  name: "platformatic",
  idempotent: (acks) => platformaticDurability(acks).idempotent,
  describe(acks) {
    const d = platformaticDurability(acks);
    const version = installedVersion("@platformatic/kafka");
    return acks === "all"
      ? `@platformatic/kafka ${version}: idempotent (acks=all, 1 request in flight per partition, retries without limit), timeout ${d.timeout} ms`
      : `@platformatic/kafka ${version}: acks=1, not idempotent (unsafe)`;
  },
  openPublisher: (target, topic, opts) => PlatformaticPublisher.open(target, topic, opts),
};
