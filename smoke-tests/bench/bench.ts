// `npm run bench`: our workload and the broker's own perf tool, side by side on the same target with the same
// durability settings, in alternating rounds (ours, reference, ours, reference, ...) so drift hits both equally.
// The figure of merit is the median of ours/reference per system; timing assertions never go into tests.
// Whether our consumers keep up (sustained throughput, backlog bounded or growing) is reported beside the ratio, which
// stays publish rate against publish rate on equal terms: PerfTest consumes while it publishes, so our RabbitMQ rounds
// do too; ProducerPerformance does not, so our Kafka rounds publish only and one extra Kafka round adds a consumer.
import { dirname } from "node:path";
import * as amqp from "amqplib";
import { withAdmin } from "../../brokers/kafka";
import type { SystemName } from "../../contract/systems";
import type { Target } from "../../contract/target";
import { withPrivateFile } from "../../toolchain/src/secrets";
import { defaultKafkaClient, type KafkaClientName, kafkaProducerClient } from "../clients/kafka-client";
import { defaultKafkaConsumer, type KafkaConsumerName, kafkaSubscriber } from "../clients/kafka-consumer";
import { kafka } from "../clients/kafkajs";
import { amqpTlsOptions, amqpUrl, RabbitPublisher, RabbitSubscriber } from "../clients/rabbitmq";
import type { Publisher } from "../clients/types";
import { Ledger } from "../ledger/ledger";
import { newRunId } from "../ledger/message-id";
import { type Sustained, sustainedOverLoad } from "../stats/sustained";
import { TimelineRecorder } from "../stats/timeline";
import { clusterHostsFile } from "../target-select/cluster-dns";
import { sleep, Workload } from "../workload/workload";
import { median } from "./consumers";
import type { CpuProfiler, ProfiledRuns } from "./cpu-profiler";
import { oursLatency } from "./latency";
import {
  atRate,
  endToEndLatencyArgs,
  type LatencyComparison,
  latencyRate,
  parseEndToEndLatency,
  parsePerfTestLatency,
} from "./latency-tools";
import {
  describeTuning,
  oneByOne,
  type ProducerTuning,
  parsePerfTest,
  parseProducerPerformance,
  perfTestArgs,
  perfTestEnv,
  perfTestTrustStore,
  producerPerformanceArgs,
  producerProperties,
  producerSweep,
  type RabbitShape,
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
  /** Kafka: the client library our producer uses. */
  kafkaClient: KafkaClientName;
  /**
   * Kafka: more clients to run in the same rounds, each right after the first, against the same reference runs: the
   * clients' ratios are side by side under the same conditions.
   */
  otherKafkaClients: KafkaClientName[];
  /** Kafka: the counting consumer's library, in the keep-up round and the latency run. */
  kafkaConsumer: KafkaConsumerName;
  /** Our latency run and PerfTest's: seconds each, at half our median maximum rate. */
  latencySeconds: number;
  /** Kafka's EndToEndLatency: records, each sent alone and awaited (a few ms each). */
  kafkaLatencyRecords: number;
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
  kafkaClient: defaultKafkaClient,
  otherKafkaClients: [],
  kafkaConsumer: defaultKafkaConsumer,
  latencySeconds: 10,
  kafkaLatencyRecords: 3_000,
};

export interface BenchRound {
  round: number;
  ours: ReferenceResult;
  /** The reference tool with our settings (batching, in-flight, confirm window). */
  reference: ReferenceResult;
  /** The reference tool at its own best settings (from the sweep). */
  best: ReferenceResult;
  ratio: number;
  /** Ours (at the best's shape, when the best is RabbitMQ with more than one producer) over the best. */
  ratioBest: number;
  /** RabbitMQ, when the reference's best has more producers × consumers: ours at that shape. */
  oursBest?: ReferenceResult;
  /** Kafka, with otherKafkaClients: each other client's result in this round, against the same reference runs. */
  others?: Array<{ client: KafkaClientName; ours: ReferenceResult; ratio: number; ratioBest: number }>;
}

export interface BenchSystemResult {
  system: SystemName;
  /** Kafka: the client of the rounds' "ours" (its ratio's target depends on it). */
  client?: KafkaClientName;
  settings: Record<string, string | number | boolean>;
  /** What "equal" and "best" meant for the reference tool, in its own words. */
  referenceEqual: string;
  referenceBest: string;
  /** The sweep that chose "best": each candidate's median rate over its samples. */
  sweep: Array<{ settings: string; messagesPerSec: number; samples: number[] }>;
  rounds: BenchRound[];
  /** Whether our consumers kept up: from each RabbitMQ round, or from one extra Kafka round with a consumer. */
  keepUp: Sustained[];
  /** Kafka: the rate the keep-up round asked for (the reference's best median); what was acknowledged is in keepUp. */
  keepUpAskedPerSec?: number;
  medianRatio: number;
  medianRatioBest: number;
  /** Kafka: every client's median rate and ratios over the counted rounds, the first client first. */
  clients?: Array<{ client: KafkaClientName; medianMsgPerSec: number; medianRatio: number; medianRatioBest: number }>;
  /** End-to-end latency at half our median maximum: ours beside the reference's (EndToEndLatency, PerfTest). */
  latency?: LatencyComparison;
  /** With --profile: where our rounds' CPU time went, per client (and the Kafka keep-up round's consumer). */
  profiles?: ProfiledRuns[];
}

/** Creates the bench topic with the target's durability (auto-create is off on a durable cluster). */
/** The bench topic's partitions: the equal tuning's in-flight limit is derived from them. */
const benchPartitions = 6;

async function ensureKafkaTopic(target: Target, topic: string): Promise<void> {
  const t = target.kafka;
  await withAdmin(kafka(t, { clientId: "mp-bench-admin" }), async (admin) => {
    if ((await admin.listTopics()).includes(topic)) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: benchPartitions,
          replicationFactor: t.expected.replicationFactor,
          configEntries: [{ name: "min.insync.replicas", value: String(t.expected.minInsyncReplicas) }],
        },
      ],
    });
  });
}

/**
 * Our Kafka client: one producer, `kafkaBatch` records per send, 5 sends in flight (one per partition lane), acks=all,
 * idempotent. The reference's "equal" tuning is derived from exactly these numbers.
 */
const oursKafkaShape = { producers: 1, recordsPerSend: 500, inFlight: 5 };

/** Our RabbitMQ consumer's prefetch; PerfTest's consumer is given the same (--qos). */
const oursRabbitPrefetch = 500;

/** The shapes the RabbitMQ sweep tries, the reference's and ours alike (issue 28: 1×1, 2×2, 4×4). */
export const rabbitShapes: readonly RabbitShape[] = [1, 2, 4].map((n) => ({ producers: n, consumers: n }));
const isOneByOne = (x: RabbitShape) => x.producers === 1 && x.consumers === 1;

/** Our RabbitMQ publisher: two batches of half the window in flight, at most confirmWindow unconfirmed (as --confirm). */
const oursRabbitShape = (s: Pick<BenchSettings, "confirmWindow">) => ({
  batchSize: s.confirmWindow / 2,
  inFlightBatches: 2,
});

/**
 * Pure: the record size ProducerPerformance is given so that its records weigh what ours weigh on the wire: it sends
 * no key, ours carry the message id as key, so its value carries the key's bytes too.
 */
export function equalRecordBytes(messageBytes: number, key: string): number {
  return messageBytes + Buffer.byteLength(key);
}

/** Samples per sweep candidate, each at a round's full size: one short sample cannot tell close candidates apart. */
export const sweepSamples = 3;

/** Pure: the candidate with the highest median over its samples (the first of equals: the equal tuning is listed first). */
export function bestByMedian<T>(candidates: ReadonlyArray<{ tuning: T; rates: number[] }>): {
  tuning: T;
  median: number;
} {
  const first = candidates[0];
  if (!first) throw new Error("the sweep has no candidate");
  return candidates.reduce(
    (best, c) => (median(c.rates) > best.median ? { tuning: c.tuning, median: median(c.rates) } : best),
    { tuning: first.tuning, median: median(first.rates) },
  );
}

/**
 * The Java producer tuned as ours runs: a batch holds what one of our sends holds, no linger, and as many records in
 * flight per broker connection as ours. Ours keeps `inFlight` sends in total, one partition each, spread over the
 * brokers; the Java producer's max.in.flight counts requests per connection, and each request carries a batch for
 * every partition the broker leads. So its limit is ours per connection over the partitions per broker, at least 1.
 * `recordBytes`: the record as the Java tool sends it (our key's bytes in its value, see equalRecordBytes).
 */
export function equalProducerTuning(recordBytes: number, brokers: number, partitions: number): ProducerTuning {
  // Each record in a v2 batch costs its value plus a few dozen bytes of framing (headers, varints).
  const batchBytes = oursKafkaShape.recordsPerSend * (recordBytes + 64);
  const perConnection = oursKafkaShape.inFlight / Math.max(1, brokers);
  const partitionsPerBroker = Math.ceil(partitions / Math.max(1, brokers));
  return { batchBytes, lingerMs: 0, maxInFlight: Math.max(1, Math.round(perConnection / partitionsPerBroker)) };
}

async function oursKafka(
  target: Target,
  s: BenchSettings,
  consume: boolean,
  clientName: KafkaClientName = s.kafkaClient,
  /** Paced at this rate (the keep-up round: the reference's best); unpaced when absent. */
  ratePerSec?: number,
): Promise<ReferenceResult> {
  const runId = newRunId();
  const client = kafkaProducerClient(clientName);
  const publishers: Array<{ name: string; publisher: Publisher }> = [];
  for (let i = 0; i < oursKafkaShape.producers; i++) {
    const publisher = await client.openPublisher(target.kafka, s.kafkaTopic, {
      clientId: "mp-bench-producer",
      acks: "all",
    });
    publishers.push({ name: `b${i}`, publisher });
  }
  // A fresh group per round, seeded at the topic's end: it reads this round's records only, not earlier rounds' or
  // the reference tool's.
  const subscribers = consume
    ? [
        kafkaSubscriber({
          consumer: s.kafkaConsumer,
          target: target.kafka,
          topic: s.kafkaTopic,
          groupId: `mp-bench-${runId}`,
          clientId: "mp-bench-consumer",
        }),
      ]
    : [];
  const timeline = new TimelineRecorder(Date.now());
  const wl = new Workload(new Ledger(runId), timeline, publishers, subscribers, {
    messageBytes: s.messageBytes,
    batchSize: oursKafkaShape.recordsPerSend,
    inFlightBatches: oursKafkaShape.inFlight,
    ...(ratePerSec === undefined ? {} : { ratePerSec }),
  });
  try {
    await wl.startConsuming();
    const start = Date.now();
    wl.startProducing();
    while (wl.stats.acked.overall(Date.now()).messages < s.kafkaRecords && Date.now() - start < 300_000)
      await sleep(20);
    const loadEnd = Date.now();
    // Summarized when the count is reached, as before: the sends still in flight are not counted.
    const result = summarize(`ours (${clientName}, idempotent, acks=all)`, wl, start, s.messageBytes);
    await wl.stopProducing();
    if (!consume) return result;
    const sustained = sustainedOverLoad(timeline.snapshot(), start - timeline.startedAt, loadEnd - timeline.startedAt);
    await wl.drain(10_000);
    return { ...result, sustained };
  } finally {
    await wl.close();
  }
}

/** Ours at `shape`: each publisher and each consumer on a connection of its own to the first node, as PerfTest's. */
async function oursRabbit(target: Target, s: BenchSettings, shape: RabbitShape = oneByOne): Promise<ReferenceResult> {
  const runId = newRunId();
  const publishers = [];
  for (let i = 0; i < shape.producers; i++)
    publishers.push({
      name: `b${i}`,
      publisher: await RabbitPublisher.open(target.rabbitmq, s.rabbitQueue, { firstNode: 0 }),
    });
  const subscribers = Array.from(
    { length: shape.consumers },
    (_, i) =>
      new RabbitSubscriber(target.rabbitmq, s.rabbitQueue, {
        firstNode: 0,
        prefetch: oursRabbitPrefetch,
        // The first consumer empties the queue of an earlier run; the others only read.
        purge: i === 0,
      }),
  );
  const timeline = new TimelineRecorder(Date.now());
  const wl = new Workload(new Ledger(runId), timeline, publishers, subscribers, {
    messageBytes: s.messageBytes,
    ...oursRabbitShape(s),
  });
  try {
    await wl.startConsuming();
    const start = Date.now();
    wl.startProducing();
    await sleep(s.rabbitSeconds * 1000);
    const loadEnd = Date.now();
    await wl.stopProducing();
    const who = isOneByOne(shape) ? "" : `, ${shapeText(shape)}`;
    const result = summarize(`ours (amqplib, quorum, persistent, confirms${who})`, wl, start, s.messageBytes);
    const sustained = sustainedOverLoad(timeline.snapshot(), start - timeline.startedAt, loadEnd - timeline.startedAt);
    await wl.drain(30_000);
    return { ...result, sustained };
  } finally {
    await wl.close();
  }
}

/** From the start to the last acknowledgement, as the reference tools count: connecting and disconnecting excluded. */
function summarize(tool: string, wl: Workload, start: number, messageBytes: number): ReferenceResult {
  const end = Number.isFinite(wl.lastAcknowledgedAt) ? wl.lastAcknowledgedAt : Date.now();
  const t = wl.stats.acked.overall(end);
  const l = wl.stats.publishLatency.summary();
  const seconds = Math.max(0.001, (end - start) / 1000);
  return {
    tool,
    messages: t.messages,
    messagesPerSec: t.messages / seconds,
    megabytesPerSec: (t.messages * messageBytes) / (1024 * 1024) / seconds,
    p50Ms: l.p50,
    p95Ms: l.p95,
    p99Ms: l.p99,
    raw: `${t.messages} acknowledged in ${seconds.toFixed(1)} s`,
  };
}

/** PerfTest declares its queue itself; declare it first so our client can publish to it in round 1. */
async function ensureRabbitQueue(target: Target, queue: string): Promise<void> {
  const conn = await amqp.connect(amqpUrl(target.rabbitmq, 0), amqpTlsOptions(target.rabbitmq));
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
  profiler?: CpuProfiler,
): Promise<BenchSystemResult> {
  // The brokers' cluster names, for the Java tools, from the cluster's DNS (a hosts file the JVM reads alone).
  const hosts = await clusterHostsFile(target);
  const withHosts = <T>(body: (javaEnv: Record<string, string>) => Promise<T>): Promise<T> =>
    hosts === undefined
      ? body({})
      : withPrivateFile("hosts", hosts, (file) => body({ JDK_JAVA_OPTIONS: `-Djdk.net.hosts.file=${file}` }));
  if (system === "rabbitmq") {
    await ensureRabbitQueue(target, s.rabbitQueue);
    // Over amqps PerfTest verifies the server against the target's CA: a truststore made in a private temp dir, removed after.
    return await withHosts((javaEnv) =>
      withPrivateFile("README", "PerfTest's truststore, removed after the bench\n", async (file) =>
        benchRounds(
          target,
          system,
          s,
          "",
          progress,
          profiler,
          await perfTestTrustStore(target.rabbitmq, dirname(file)),
          javaEnv,
        ),
      ),
    );
  }
  await ensureKafkaTopic(target, s.kafkaTopic);
  try {
    // Kafka's credentials go to a private temp file for the Java tool, never onto its command line; removed after.
    return await withHosts((javaEnv) =>
      withPrivateFile("producer.properties", producerProperties(target.kafka), (propsFile) =>
        benchRounds(target, system, s, propsFile, progress, profiler, [], javaEnv),
      ),
    );
  } finally {
    // A bench writes gigabytes (every round, both tools, times the replication factor): none of it is kept.
    await withAdmin(kafka(target.kafka, { clientId: "mp-bench-admin" }), (admin) =>
      admin.deleteTopics({ topics: [s.kafkaTopic] }),
    );
  }
}

/** One run of the reference tool with the given settings. */
type ReferenceRun = (tuning: ReferenceTuning, scale: number) => Promise<ReferenceResult>;
type ReferenceTuning =
  | { kind: "kafka"; producer: ProducerTuning }
  | { kind: "rabbitmq"; confirmWindow: number; shape: RabbitShape };

/** "2 producers × 2 consumers". */
export const shapeText = (x: RabbitShape) =>
  `${x.producers} producer${x.producers === 1 ? "" : "s"} × ${x.consumers} consumer${x.consumers === 1 ? "" : "s"}`;

const describeReference = (t: ReferenceTuning) =>
  t.kind === "kafka"
    ? describeTuning(t.producer)
    : `--confirm ${t.confirmWindow} (unconfirmed publishes in flight per producer), ${shapeText(t.shape)}`;

/**
 * The RabbitMQ sweep: the equal tuning first, larger confirm windows at 1×1, then each larger shape at the equal
 * window. Pure.
 */
export function rabbitCandidates(confirmWindow: number): Array<{ confirmWindow: number; shape: RabbitShape }> {
  return [
    { confirmWindow, shape: oneByOne },
    ...[1000, 3000].map((w) => ({ confirmWindow: w, shape: oneByOne })),
    ...rabbitShapes.filter((x) => !isOneByOne(x)).map((shape) => ({ confirmWindow, shape })),
  ];
}

async function benchRounds(
  target: Target,
  system: SystemName,
  s: BenchSettings,
  propsFile: string,
  progress: (line: string) => void,
  profiler: CpuProfiler | undefined,
  perfTestJvmArgs: string[] = [],
  javaEnv: Record<string, string> = {},
): Promise<BenchSystemResult> {
  // Our keys are message ids (one of this run's, as long as any): the Java tool's records carry their bytes too.
  const javaRecordBytes = equalRecordBytes(s.messageBytes, new Ledger(newRunId()).idFor("b0", s.kafkaRecords));
  const reference: ReferenceRun =
    system === "kafka"
      ? async (t, scale) =>
          parseProducerPerformance(
            await runJava(
              producerPerformanceArgs(
                propsFile,
                s.kafkaTopic,
                Math.round(s.kafkaRecords * scale),
                javaRecordBytes,
                t.kind === "kafka" ? t.producer : undefined,
              ),
              300_000,
              { env: javaEnv, secrets: [target.kafka.sasl.password] },
            ),
          )
      : async (t, scale) => {
          const seconds = Math.max(3, Math.round(s.rabbitSeconds * scale));
          const window = t.kind === "rabbitmq" ? t.confirmWindow : s.confirmWindow;
          const shape = t.kind === "rabbitmq" ? t.shape : oneByOne;
          return parsePerfTest(
            await runJava(
              perfTestArgs(s.rabbitQueue, seconds, s.messageBytes, window, oursRabbitPrefetch, perfTestJvmArgs, shape),
              seconds * 1000 + 60_000,
              { env: { ...javaEnv, ...perfTestEnv(target.rabbitmq) }, secrets: [target.rabbitmq.password] },
            ),
            s.messageBytes,
            seconds,
          );
        };
  const equal: ReferenceTuning =
    system === "kafka"
      ? {
          kind: "kafka",
          producer: equalProducerTuning(
            javaRecordBytes,
            target.kafka.nodes.filter((n) => n.roles.includes("broker")).length,
            benchPartitions,
          ),
        }
      : { kind: "rabbitmq", confirmWindow: s.confirmWindow, shape: oneByOne };
  // The equal tuning is a candidate too (first): "best" is never slower than "equal" by the sweep's own measure.
  const candidates: ReferenceTuning[] =
    system === "kafka"
      ? [equal, ...producerSweep.map((producer): ReferenceTuning => ({ kind: "kafka", producer }))]
      : rabbitCandidates(s.confirmWindow).map((c): ReferenceTuning => ({ kind: "rabbitmq", ...c }));

  // A sweep of the reference's own settings, sweepSamples full-size runs each, after one warm-up run of it.
  progress(`${system} sweep: warm-up`);
  await reference(equal, 1);
  const sampled: Array<{ tuning: ReferenceTuning; rates: number[] }> = [];
  for (const c of candidates) {
    const rates: number[] = [];
    for (let i = 0; i < sweepSamples; i++) rates.push((await reference(c, 1)).messagesPerSec);
    sampled.push({ tuning: c, rates });
    progress(`${system} sweep: ${describeReference(c)}: ${rates.map((r) => r.toFixed(0)).join(", ")} msg/s`);
  }
  const sweep: BenchSystemResult["sweep"] = sampled.map((c) => ({
    settings: describeReference(c.tuning),
    messagesPerSec: median(c.rates),
    samples: c.rates,
  }));
  const { tuning: best, median: bestRate } = bestByMedian(sampled);
  // Against the reference's best shape ours runs at that shape too: producers × consumers are not a client's merit.
  const bestShape = best.kind === "rabbitmq" && !isOneByOne(best.shape) ? best.shape : undefined;

  const rounds: BenchRound[] = [];
  for (let round = 1 - s.warmupRounds; round <= s.rounds; round++) {
    const label = round < 1 ? `warm-up ${round + s.warmupRounds}/${s.warmupRounds}` : `round ${round}/${s.rounds}`;
    progress(`${system} ${label}: ours`);
    // Counted rounds only, under the profiler when asked: a warm-up's profile is mostly the JIT compiling.
    const profiled = <T>(who: string, body: () => Promise<T>): Promise<T> =>
      profiler && round >= 1
        ? profiler.around(`${system}, ${who}`, `${system}-${who.replace(/\W+/g, "-")}-round${round}`, body)
        : body();
    const ours =
      system === "kafka"
        ? await profiled(`${s.kafkaClient} producer`, () => oursKafka(target, s, false))
        : await profiled("amqplib", () => oursRabbit(target, s));
    if (bestShape) progress(`${system} ${label}: ours at ${shapeText(bestShape)}`);
    const oursBest = bestShape
      ? await profiled(`amqplib ${bestShape.producers}x${bestShape.consumers}`, () => oursRabbit(target, s, bestShape))
      : undefined;
    const othersRaw: Array<{ client: KafkaClientName; ours: ReferenceResult }> = [];
    for (const client of system === "kafka" ? s.otherKafkaClients : []) {
      progress(`${system} ${label}: ours with ${client}`);
      othersRaw.push({ client, ours: await profiled(`${client} producer`, () => oursKafka(target, s, false, client)) });
    }
    progress(`${system} ${label}: reference at our settings`);
    const atEqual = await reference(equal, 1);
    progress(`${system} ${label}: reference at its best`);
    const atBest = await reference(best, 1);
    const ratio = ours.messagesPerSec / atEqual.messagesPerSec;
    const ratioBest = (oursBest ?? ours).messagesPerSec / atBest.messagesPerSec;
    const others = othersRaw.map((o) => ({
      ...o,
      ratio: o.ours.messagesPerSec / atEqual.messagesPerSec,
      ratioBest: o.ours.messagesPerSec / atBest.messagesPerSec,
    }));
    if (round >= 1)
      rounds.push({
        round,
        ours,
        reference: atEqual,
        best: atBest,
        ratio,
        ratioBest,
        ...(oursBest ? { oursBest } : {}),
        ...(others.length ? { others } : {}),
      });
    progress(
      `${system} ${label}${round < 1 ? " (not counted)" : ""}: ours ${ours.messagesPerSec.toFixed(0)} msg/s` +
        `${oursBest ? ` (${oursBest.messagesPerSec.toFixed(0)} at ${shapeText(bestShape as RabbitShape)})` : ""}, ` +
        `reference ${atEqual.messagesPerSec.toFixed(0)} at our settings (ratio ${ratio.toFixed(2)}), ` +
        `${atBest.messagesPerSec.toFixed(0)} at its best (ratio ${ratioBest.toFixed(2)})`,
    );
  }
  // Our consumer must keep up with the best producer measured here: the keep-up round asks for the reference's best rate.
  const keepUpAsked = Math.round(bestRate);
  if (system === "kafka")
    progress(
      `kafka keep-up round: ours with a consumer at ${keepUpAsked} msg/s, the reference's best (not in the ratio)`,
    );
  const keepUpLabel = `kafka, keep-up round: ${s.kafkaClient} producer, ${s.kafkaConsumer} consumer`;
  const keepUpRound = () => oursKafka(target, s, true, s.kafkaClient, keepUpAsked);
  const keepUpRounds =
    system === "kafka"
      ? [
          await (profiler
            ? profiler.around(keepUpLabel, `kafka-keep-up-${s.kafkaConsumer}-consumer`, keepUpRound)
            : keepUpRound()),
        ]
      : rounds.map((r) => r.oursBest ?? r.ours);
  const profiles = profiler?.summaries();
  const keepUp = keepUpRounds.flatMap((r) => (r.sustained ? [r.sustained] : []));
  const latency = await latencyComparison(target, system, s, {
    ourMaxPerSec: median(rounds.map((r) => r.ours.messagesPerSec)),
    progress,
    kafka: (records) =>
      runJava(
        endToEndLatencyArgs(propsFile, target.kafka.bootstrapServers, s.kafkaTopic, records, javaRecordBytes),
        300_000,
        {
          env: javaEnv,
          secrets: [target.kafka.sasl.password],
        },
      ),
    rabbitmq: (rate) =>
      runJava(
        atRate(
          perfTestArgs(
            s.rabbitQueue,
            s.latencySeconds,
            s.messageBytes,
            s.confirmWindow,
            oursRabbitPrefetch,
            perfTestJvmArgs,
          ),
          rate,
        ),
        s.latencySeconds * 1000 + 60_000,
        { env: { ...javaEnv, ...perfTestEnv(target.rabbitmq) }, secrets: [target.rabbitmq.password] },
      ),
  });
  return {
    system,
    ...(system === "kafka" ? { client: s.kafkaClient } : {}),
    ...(profiles ? { profiles } : {}),
    keepUp,
    ...(system === "kafka" ? { keepUpAskedPerSec: keepUpAsked } : {}),
    ...(latency ? { latency } : {}),
    settings:
      system === "kafka"
        ? {
            records: s.kafkaRecords,
            recordBytes: s.messageBytes,
            acks: "all",
            idempotence: true,
            topic: s.kafkaTopic,
            client: [s.kafkaClient, ...s.otherKafkaClients]
              .map((c) => kafkaProducerClient(c).describe("all"))
              .join(" | "),
            consumer: s.kafkaConsumer,
            ours: `${oursKafkaShape.producers} producer, ${oursKafkaShape.recordsPerSend} records per send, ${oursKafkaShape.inFlight} sends in flight`,
          }
        : {
            seconds: s.rabbitSeconds,
            messageBytes: s.messageBytes,
            queueType: "quorum",
            persistent: true,
            confirmWindow: s.confirmWindow,
            queue: s.rabbitQueue,
            shapes: rabbitShapes.map((x) => `${x.producers}x${x.consumers}`).join(","),
          },
    referenceEqual: describeReference(equal),
    referenceBest: describeReference(best),
    sweep,
    rounds,
    medianRatio: median(rounds.map((r) => r.ratio)),
    medianRatioBest: median(rounds.map((r) => r.ratioBest)),
    ...(system === "kafka" && s.otherKafkaClients.length > 0 ? { clients: clientMedians(s, rounds) } : {}),
  };
}

/** How the latency comparison runs the reference tool: its output, for the parsers. */
interface LatencyReferences {
  /** Half our median maximum over the counted rounds. */
  ourMaxPerSec: number;
  progress: (line: string) => void;
  /** EndToEndLatency with this many records. */
  kafka: (records: number) => Promise<string>;
  /** PerfTest at this rate for latencySeconds. */
  rabbitmq: (ratePerSec: number) => Promise<string>;
}

/** Ours at half our maximum, then the reference beside it (EndToEndLatency has no rate: one record at a time). */
async function latencyComparison(
  target: Target,
  system: SystemName,
  s: BenchSettings,
  refs: LatencyReferences,
): Promise<LatencyComparison | undefined> {
  // No rate to hold when ours sent nothing: the rounds' figures say so already, and the report is still written.
  if (!(refs.ourMaxPerSec > 0)) {
    refs.progress(`${system} latency: not measured: our median maximum is ${refs.ourMaxPerSec} msg/s`);
    return undefined;
  }
  const ratePerSec = latencyRate(refs.ourMaxPerSec);
  refs.progress(`${system} latency: ours at ${ratePerSec} msg/s for ${s.latencySeconds} s`);
  const ours = await oursLatency({
    target,
    system,
    kafkaClient: s.kafkaClient,
    kafkaConsumer: s.kafkaConsumer,
    destination: system === "kafka" ? s.kafkaTopic : s.rabbitQueue,
    ratePerSec,
    seconds: s.latencySeconds,
    messageBytes: s.messageBytes,
    ...(system === "kafka"
      ? { batchSize: oursKafkaShape.recordsPerSend, inFlightBatches: oursKafkaShape.inFlight }
      : oursRabbitShape(s)),
    prefetch: oursRabbitPrefetch,
  });
  refs.progress(`${system} latency: reference`);
  const reference =
    system === "kafka"
      ? parseEndToEndLatency(await refs.kafka(s.kafkaLatencyRecords), s.kafkaLatencyRecords)
      : parsePerfTestLatency(await refs.rabbitmq(ratePerSec), ratePerSec, s.latencySeconds);
  return { ratePerSec, ours, reference };
}

/** Pure: each client's medians over the rounds: the first client from the rounds' own figures, the others from `others`. */
export function clientMedians(s: Pick<BenchSettings, "kafkaClient" | "otherKafkaClients">, rounds: BenchRound[]) {
  const of = (client: KafkaClientName) =>
    client === s.kafkaClient
      ? rounds.map((r) => ({ ours: r.ours, ratio: r.ratio, ratioBest: r.ratioBest }))
      : rounds.flatMap((r) => (r.others ?? []).filter((o) => o.client === client));
  return [s.kafkaClient, ...s.otherKafkaClients].map((client) => {
    const runs = of(client);
    return {
      client,
      medianMsgPerSec: median(runs.map((r) => r.ours.messagesPerSec)),
      medianRatio: median(runs.map((r) => r.ratio)),
      medianRatioBest: median(runs.map((r) => r.ratioBest)),
    };
  });
}
