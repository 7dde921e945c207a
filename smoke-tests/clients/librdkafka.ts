// librdkafka (through @confluentinc/kafka-javascript's KafkaJS-compatible API) as a workload producer, with the
// settings librdkafka's maintainers give for no loss: enable.idempotence=true, which implies acks=all, retries
// without limit and at most 5 requests in flight per broker with ordering kept. No workaround of ours: sends overlap
// and span partitions freely, as an application's would.
import type { KafkaTarget } from "../../contract/target";
import type { Envelope } from "./envelope";
import { installedVersion } from "./installed-version";
import type { KafkaProducerClient, PublisherAcks, PublisherOptions } from "./kafka-producer";
import { partitionsOf } from "./kafkajs";
import { type Lane, PartitionRouter } from "./lanes";
import type { Publisher, PublishOutcome } from "./types";

/**
 * How long librdkafka may keep retrying one message before it reports it failed (message.timeout.ms, default 300 s):
 * longer than any leader election (the fencing time is 9 s) so a broker loss never times a write out, short enough
 * that a run does not hang for five minutes on a cluster that is gone.
 */
export const LIBRDKAFKA_MESSAGE_TIMEOUT_MS = 60_000;

export type LibrdkafkaConfig = Record<string, string | number | boolean>;

/** Pure: the settings that make a librdkafka producer durable (or, for the unsafe drill, not), by librdkafka's names. */
export function librdkafkaDurability(acks: PublisherAcks): LibrdkafkaConfig {
  return {
    ...(acks === "all"
      ? { "enable.idempotence": true, acks: "all", "max.in.flight.requests.per.connection": 5 }
      : { "enable.idempotence": false, acks: 1 }),
    "message.timeout.ms": LIBRDKAFKA_MESSAGE_TIMEOUT_MS,
    "linger.ms": 5,
  };
}

/**
 * Pure: the whole producer configuration: where and who (SCRAM-SHA-512; over TLS when the target has it, trusting the
 * stack's CA and checking the broker's host name, librdkafka's default), then durability.
 */
export function librdkafkaProducerConfig(target: KafkaTarget, acks: PublisherAcks, clientId: string): LibrdkafkaConfig {
  return {
    "bootstrap.servers": target.bootstrapServers.join(","),
    "client.id": clientId,
    "security.protocol": target.tls ? "sasl_ssl" : "sasl_plaintext",
    ...(target.tls && target.ca ? { "ssl.ca.pem": target.ca } : {}),
    "sasl.mechanisms": "SCRAM-SHA-512",
    "sasl.username": target.sasl.username,
    "sasl.password": target.sasl.password,
    ...librdkafkaDurability(acks),
  };
}

interface RdProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  send(r: {
    topic: string;
    messages: Array<{ key: string; value: Buffer; partition: number }>;
  }): Promise<Array<{ partition: number; errorCode: number; baseOffset?: string }>>;
}

interface Binding {
  librdkafkaVersion: string;
  KafkaJS: { Kafka: new (config: object) => { producer(config: object): RdProducer } };
}

let binding: Binding | undefined;
function load(): Binding {
  if (binding) return binding;
  try {
    binding = require("@confluentinc/kafka-javascript") as Binding;
    return binding;
  } catch (err) {
    throw new Error(
      `the librdkafka client is not built (${err instanceof Error ? err.message.split("\n")[0] : String(err)}): run 'npm run setup' (its librdkafka step builds it from the package's sources)`,
    );
  }
}

/** Pure: one message's outcome from its own delivery report. */
export function deliveryOutcome(
  settled: PromiseSettledResult<Array<{ partition: number; errorCode: number; baseOffset?: string }>>,
): PublishOutcome {
  if (settled.status === "rejected") {
    const e = settled.reason as { message?: string; code?: number } | undefined;
    // A delivery error after librdkafka's own retries (message timed out, broker gone): it may have been written.
    return { type: "info", error: `librdkafka: ${e?.message ?? String(settled.reason)}` };
  }
  const r = settled.value[0];
  const offset = Number(r?.baseOffset);
  if (!r || r.errorCode !== 0 || r.baseOffset === undefined || Number.isNaN(offset)) {
    return { type: "info", error: `librdkafka: delivery report without an offset (${JSON.stringify(r ?? null)})` };
  }
  return { type: "ok", position: { partition: r.partition, offset } };
}

export class LibrdkafkaPublisher implements Publisher {
  private readonly router: PartitionRouter;

  private constructor(
    private readonly producer: RdProducer,
    private readonly topic: string,
    partitions: number[],
  ) {
    this.router = new PartitionRouter(partitions);
  }

  static async open(target: KafkaTarget, topic: string, opts: PublisherOptions): Promise<LibrdkafkaPublisher> {
    const { KafkaJS } = load();
    const quiet = () => undefined;
    const report = (message: string) => opts.onError?.(`librdkafka: ${message}`);
    const logger = {
      info: quiet,
      debug: quiet,
      warn: report,
      error: report,
      namespace() {
        return this;
      },
      setLogLevel: quiet,
    };
    const producer = new KafkaJS.Kafka({ kafkaJS: { logger } }).producer(
      librdkafkaProducerConfig(target, opts.acks, opts.clientId),
    );
    const partitions = await partitionsOf(target, topic);
    await producer.connect();
    return new LibrdkafkaPublisher(producer, topic, partitions);
  }

  /** One send per message, all to the lane's partition: each resolves with that message's own delivery report, so each ack carries its offset. */
  async publish(batch: Envelope[], lane?: Lane): Promise<PublishOutcome[]> {
    const partition = this.router.next(lane);
    const settled = await Promise.allSettled(
      batch.map((e) => this.producer.send({ topic: this.topic, messages: [{ key: e.id, value: e.body, partition }] })),
    );
    return settled.map(deliveryOutcome);
  }

  async close(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }
}

export const librdkafkaClient: KafkaProducerClient = {
  name: "librdkafka",
  idempotent: (acks) => librdkafkaDurability(acks)["enable.idempotence"] === true,
  describe(acks) {
    const settings = Object.entries(librdkafkaDurability(acks)).map(([k, v]) => `${k}=${v}`);
    let version = "not built";
    try {
      version = load().librdkafkaVersion;
    } catch {}
    const pkg = installedVersion("@confluentinc/kafka-javascript");
    return `librdkafka ${version} (@confluentinc/kafka-javascript ${pkg}): ${settings.join(", ")}`;
  },
  openPublisher: (target, topic, opts) => LibrdkafkaPublisher.open(target, topic, opts),
};
