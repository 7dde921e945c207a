// `npm run bench`: our workload and the broker's own perf tool, side by side on the same target with the same
// durability settings, in alternating rounds (ours, reference, ours, reference, ...) so drift hits both equally.
// The figure of merit is the median of ours/reference per system; timing assertions never go into tests.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as amqp from "amqplib";
import { withAdmin } from "../../brokers/kafka";
import type { SystemName } from "../../contract/systems";
import type { Target } from "../../contract/target";
import { KafkaPublisher, kafka } from "../clients/kafka";
import { amqpUrl, RabbitPublisher, RabbitSubscriber } from "../clients/rabbitmq";
import type { Publisher } from "../clients/types";
import { Ledger } from "../ledger/ledger";
import { newRunId } from "../ledger/message-id";
import { TimelineRecorder } from "../stats/timeline";
import { sleep, Workload } from "../workload/workload";
import {
  parsePerfTest,
  parseProducerPerformance,
  perfTestArgs,
  producerPerformanceArgs,
  producerProperties,
  type ReferenceResult,
  runJava,
} from "./reference-tools";

export interface BenchSettings {
  rounds: number;
  /** Rounds of both tools run first and not counted (JIT, page cache, connection set-up), as OMB's warm-up phase. */
  warmupRounds: number;
  messageBytes: number;
  /** Kafka: records per round (ProducerPerformance runs a fixed count). */
  kafkaRecords: number;
  /** RabbitMQ: seconds per round (PerfTest runs for a fixed time). */
  rabbitSeconds: number;
  /** RabbitMQ: unconfirmed publishes allowed in flight, the same for both clients. */
  confirmWindow: number;
  kafkaTopic: string;
  rabbitQueue: string;
}

export const defaultBenchSettings: BenchSettings = {
  rounds: 3,
  warmupRounds: 1,
  messageBytes: 1024,
  // ProducerPerformance starts a fresh JVM each round; 300k records keep its JIT warm-up a small part of the run.
  kafkaRecords: 300_000,
  rabbitSeconds: 10,
  confirmWindow: 200,
  kafkaTopic: "mp-bench",
  rabbitQueue: "mp-bench",
};

export interface BenchRound {
  round: number;
  ours: ReferenceResult;
  reference: ReferenceResult;
  ratio: number;
}

export interface BenchSystemResult {
  system: SystemName;
  settings: Record<string, string | number | boolean>;
  rounds: BenchRound[];
  medianRatio: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? Number.NaN : s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Creates the bench topic with the target's durability (auto-create is off on a durable cluster). */
async function ensureKafkaTopic(target: Target, topic: string): Promise<void> {
  const t = target.kafka;
  await withAdmin(kafka(t, { clientId: "mp-bench-admin" }), async (admin) => {
    if ((await admin.listTopics()).includes(topic)) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: 6,
          replicationFactor: t.expected.replicationFactor,
          configEntries: [{ name: "min.insync.replicas", value: String(t.expected.minInsyncReplicas) }],
        },
      ],
    });
  });
}

async function oursKafka(target: Target, s: BenchSettings): Promise<ReferenceResult> {
  const client = kafka(target.kafka, { clientId: "mp-bench-producer" });
  const publishers: Array<{ name: string; publisher: Publisher }> = [];
  for (let i = 0; i < 2; i++)
    publishers.push({ name: `b${i}`, publisher: await KafkaPublisher.open(client, s.kafkaTopic) });
  const ledger = new Ledger(newRunId());
  const wl = new Workload(ledger, new TimelineRecorder(Date.now()), publishers, [], {
    messageBytes: s.messageBytes,
    batchSize: 500,
    inFlightBatches: 5,
  });
  const start = Date.now();
  wl.startProducing();
  while (wl.stats.acked.overall(Date.now()).messages < s.kafkaRecords && Date.now() - start < 300_000) await sleep(20);
  await wl.close();
  return summarize("ours (kafkajs, idempotent, acks=all)", wl, start);
}

async function oursRabbit(target: Target, s: BenchSettings): Promise<ReferenceResult> {
  const runId = newRunId();
  const publisher = await RabbitPublisher.open(target.rabbitmq, s.rabbitQueue, { firstNode: 0 });
  const subscriber = new RabbitSubscriber(target.rabbitmq, s.rabbitQueue, `${runId}/`, { firstNode: 0, prefetch: 500 });
  const ledger = new Ledger(runId);
  const wl = new Workload(ledger, new TimelineRecorder(Date.now()), [{ name: "b0", publisher }], [subscriber], {
    messageBytes: s.messageBytes,
    batchSize: s.confirmWindow / 2,
    inFlightBatches: 2,
  });
  await wl.startConsuming();
  const start = Date.now();
  wl.startProducing();
  await sleep(s.rabbitSeconds * 1000);
  await wl.stopProducing();
  const result = summarize("ours (amqplib, quorum, persistent, confirms)", wl, start);
  await wl.drain(30_000);
  await wl.close();
  return result;
}

function summarize(tool: string, wl: Workload, start: number): ReferenceResult {
  const t = wl.stats.acked.overall(Date.now());
  const l = wl.stats.publishLatency.summary();
  return {
    tool,
    messages: t.messages,
    messagesPerSec: t.messages / ((Date.now() - start) / 1000),
    megabytesPerSec: t.megabytesPerSecond,
    p50Ms: l.p50,
    p95Ms: l.p95,
    p99Ms: l.p99,
    raw: `${t.messages} acknowledged in ${((Date.now() - start) / 1000).toFixed(1)} s`,
  };
}

/** PerfTest declares its queue itself; declare it first so our client can publish to it in round 1. */
async function ensureRabbitQueue(target: Target, queue: string): Promise<void> {
  const conn = await amqp.connect(amqpUrl(target.rabbitmq, 0));
  try {
    const ch = await conn.createChannel();
    await ch.assertQueue(queue, { durable: true, arguments: { "x-queue-type": "quorum" } });
    await ch.purgeQueue(queue);
  } finally {
    await conn.close();
  }
}

export async function benchSystem(
  target: Target,
  system: SystemName,
  s: BenchSettings,
  progress: (line: string) => void,
): Promise<BenchSystemResult> {
  if (system === "kafka") await ensureKafkaTopic(target, s.kafkaTopic);
  else await ensureRabbitQueue(target, s.rabbitQueue);
  // Kafka's credentials go to a private temp file for the Java tool, never onto its command line; removed after.
  const tmp = system === "kafka" ? mkdtempSync(join(tmpdir(), "mp-bench-")) : undefined;
  const propsFile = join(tmp ?? "", "producer.properties");
  if (tmp) writeFileSync(propsFile, producerProperties(target.kafka), { mode: 0o600 });
  try {
    return await benchRounds(target, system, s, propsFile, progress);
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

async function benchRounds(
  target: Target,
  system: SystemName,
  s: BenchSettings,
  propsFile: string,
  progress: (line: string) => void,
): Promise<BenchSystemResult> {
  const rounds: BenchRound[] = [];
  for (let round = 1 - s.warmupRounds; round <= s.rounds; round++) {
    const label = round < 1 ? `warm-up ${round + s.warmupRounds}/${s.warmupRounds}` : `round ${round}/${s.rounds}`;
    progress(`${system} ${label}: ours`);
    const ours = system === "kafka" ? await oursKafka(target, s) : await oursRabbit(target, s);
    progress(`${system} ${label}: reference`);
    const reference =
      system === "kafka"
        ? parseProducerPerformance(
            await runJava(producerPerformanceArgs(propsFile, s.kafkaTopic, s.kafkaRecords, s.messageBytes), 300_000),
          )
        : parsePerfTest(
            await runJava(
              perfTestArgs(target.rabbitmq, s.rabbitQueue, s.rabbitSeconds, s.messageBytes, s.confirmWindow),
              s.rabbitSeconds * 1000 + 60_000,
            ),
            s.messageBytes,
          );
    if (round >= 1) rounds.push({ round, ours, reference, ratio: ours.messagesPerSec / reference.messagesPerSec });
    progress(
      `${system} ${label}${round < 1 ? " (not counted)" : ""}: ours ${ours.messagesPerSec.toFixed(0)} msg/s, reference ${reference.messagesPerSec.toFixed(0)} msg/s, ratio ${(ours.messagesPerSec / reference.messagesPerSec).toFixed(2)}`,
    );
  }
  return {
    system,
    settings:
      system === "kafka"
        ? { records: s.kafkaRecords, recordBytes: s.messageBytes, acks: "all", idempotence: true, topic: s.kafkaTopic }
        : {
            seconds: s.rabbitSeconds,
            messageBytes: s.messageBytes,
            queueType: "quorum",
            persistent: true,
            confirmWindow: s.confirmWindow,
            queue: s.rabbitQueue,
          },
    rounds,
    medianRatio: median(rounds.map((r) => r.ratio)),
  };
}
