// Our end-to-end latency at a fixed rate: one producer held at the rate, one counting consumer, for a fixed time;
// every delivery's latency is what the recording already measures for the gate (its batch's send stamp to delivery).
// The reference tools' side is run by the bench beside it, with latency-tools.ts's command lines.
import type { SystemName } from "../../contract/systems";
import type { Target } from "../../contract/target";
import { type KafkaClientName, kafkaProducerClient } from "../clients/kafka-client";
import { type KafkaConsumerName, kafkaSubscriber } from "../clients/kafka-consumer";
import { RabbitPublisher, RabbitSubscriber } from "../clients/rabbitmq";
import type { Publisher, Subscriber } from "../clients/types";
import { Ledger } from "../ledger/ledger";
import { newRunId } from "../ledger/message-id";
import { sustainedOverLoad } from "../stats/sustained";
import { TimelineRecorder } from "../stats/timeline";
import { sleep, Workload } from "../workload/workload";
import type { LatencyResult } from "./latency-tools";

/** One latency run of ours: which system and client, where, at what rate, for how long, in the bench's own shape. */
export interface OursLatencyRequest {
  target: Target;
  system: SystemName;
  /** Kafka: the producer's client library. */
  kafkaClient: KafkaClientName;
  /** Kafka: the counting consumer's library, as in the bench's keep-up round. */
  kafkaConsumer: KafkaConsumerName;
  /** The topic or queue, already there (the bench made it). */
  destination: string;
  ratePerSec: number;
  seconds: number;
  messageBytes: number;
  /** As the bench's throughput rounds send: messages per publish call and calls in flight. */
  batchSize: number;
  inFlightBatches: number;
  /** RabbitMQ: the consumer's prefetch, PerfTest's --qos too. */
  prefetch: number;
}

async function clients(
  r: OursLatencyRequest,
  runId: string,
): Promise<{ publisher: Publisher; subscriber: Subscriber }> {
  if (r.system === "kafka") {
    const publisher = await kafkaProducerClient(r.kafkaClient).openPublisher(r.target.kafka, r.destination, {
      clientId: "mp-bench-latency-producer",
      acks: "all",
    });
    // A fresh group, seeded at the topic's end: it reads this run's records only.
    const subscriber = kafkaSubscriber({
      consumer: r.kafkaConsumer,
      target: r.target.kafka,
      topic: r.destination,
      groupId: `mp-bench-latency-${runId}`,
      clientId: "mp-bench-latency-consumer",
    });
    return { publisher, subscriber };
  }
  const publisher = await RabbitPublisher.open(r.target.rabbitmq, r.destination, { firstNode: 0 });
  const subscriber = new RabbitSubscriber(r.target.rabbitmq, r.destination, {
    firstNode: 0,
    prefetch: r.prefetch,
    purge: true,
  });
  return { publisher, subscriber };
}

/** Ours at `ratePerSec` for `seconds`: the end-to-end percentiles of every message delivered, and whether we kept up. */
export async function oursLatency(r: OursLatencyRequest): Promise<LatencyResult> {
  const runId = newRunId();
  const { publisher, subscriber } = await clients(r, runId);
  const timeline = new TimelineRecorder(Date.now());
  const wl = new Workload(new Ledger(runId), timeline, [{ name: "l0", publisher }], [subscriber], {
    messageBytes: r.messageBytes,
    batchSize: r.batchSize,
    inFlightBatches: r.inFlightBatches,
    ratePerSec: r.ratePerSec,
  });
  try {
    await wl.startConsuming();
    const start = Date.now();
    wl.startProducing();
    await sleep(r.seconds * 1000);
    const loadEnd = Date.now();
    await wl.stopProducing();
    const sustained = sustainedOverLoad(timeline.snapshot(), start - timeline.startedAt, loadEnd - timeline.startedAt);
    // The messages still on their way count too: the percentiles are over every delivery, not those before the stop.
    await wl.drain(10_000);
    const e = wl.stats.endToEndLatency.summary();
    const client = r.system === "kafka" ? `${r.kafkaClient}, consumer ${r.kafkaConsumer}` : "amqplib";
    return {
      tool: `ours (${client})`,
      ratePerSec: r.ratePerSec,
      messages: e.count,
      p50Ms: e.p50,
      p95Ms: e.p95,
      p99Ms: e.p99,
      sustained,
      raw: `${e.count} delivered over ${r.seconds} s at ${r.ratePerSec} msg/s, ${r.batchSize} per publish, ${r.inFlightBatches} in flight`,
    };
  } finally {
    await wl.close();
  }
}
