// The bench's end-to-end latency beside the reference tools': the rate it is measured at, the tools' command lines
// and their output read back. Pure, so every figure is tested against the tools' own output formats without a broker.
//
// What each side measures (from send to delivery, in one process, so one clock):
// - ours: every message from the moment its batch is stamped to its delivery to our counting consumer, at a fixed
//   rate (half our measured maximum), in our client's batches, while the consumer keeps up (the keep-up verdict
//   says so beside the figures). Date.now() stamps: whole milliseconds.
// - Kafka's EndToEndLatency (org.apache.kafka.tools.EndToEndLatency): one record at a time, synchronously: it sends
//   a record, waits for the broker's acknowledgement (send().get(), acks=all here), polls until its consumer (all
//   partitions assigned, at the end, fetch.max.wait.ms=0) reads it, then sends the next. It has no rate: its rate is
//   one record per round trip, so it gives the platform's unloaded latency, a floor under ours, and only p50, p99 and
//   p99.9, in whole milliseconds.
// - RabbitMQ PerfTest: one producer at --rate R and one consumer, the send time carried in each message's body;
//   its "consumer latency" percentiles, in microseconds, at the same rate and size as ours.
import { join } from "node:path";
import { toolPaths } from "../../toolchain/src/paths";
import type { Sustained } from "../stats/sustained";

export interface LatencyResult {
  /** Who measured it, in words ("ours (kafkajs)", "kafka EndToEndLatency"). */
  tool: string;
  /** The rate the messages were offered at; undefined for a tool that sends one at a time. */
  ratePerSec?: number;
  /** Messages measured. */
  messages: number;
  p50Ms: number;
  /** Absent where the tool does not report it (EndToEndLatency: p50, p99, p99.9 only). */
  p95Ms?: number;
  p99Ms: number;
  /** Ours only: did our consumer keep up at this rate (the figures mean nothing over a growing backlog)? */
  sustained?: Sustained;
  /** The tool's own lines, or ours in words, for the report. */
  raw: string;
}

/** One system's latency comparison: ours and the reference's, at `ratePerSec`. */
export interface LatencyComparison {
  ratePerSec: number;
  ours: LatencyResult;
  reference: LatencyResult;
}

/** Pure: the fixed rate latency is measured at: half our client's measured maximum, a whole number, at least 1. */
export function latencyRate(ourMaxMessagesPerSec: number): number {
  if (!(ourMaxMessagesPerSec > 0)) throw new Error(`our maximum rate = ${ourMaxMessagesPerSec}: must be > 0 msg/s`);
  return Math.max(1, Math.round(ourMaxMessagesPerSec / 2));
}

/**
 * EndToEndLatency's arguments, named as Kafka 4 takes them (its positional form is deprecated, to go in Kafka 5).
 * The properties file (credentials, TLS, acks=all, idempotence) serves its producer and its consumer, as
 * ProducerPerformance's does; `recordBytes` as ProducerPerformance's (our key's bytes in its value: equalRecordBytes).
 */
export function endToEndLatencyArgs(
  propertiesFile: string,
  bootstrapServers: readonly string[],
  topic: string,
  records: number,
  recordBytes: number,
): string[] {
  return [
    "-Xmx512m",
    "-cp",
    `${join(toolPaths.kafkaHome, "libs")}/*`,
    "org.apache.kafka.tools.EndToEndLatency",
    "--bootstrap-server",
    bootstrapServers.join(","),
    "--topic",
    topic,
    "--num-records",
    String(records),
    "--producer-acks",
    "all",
    "--record-size",
    String(recordBytes),
    "--command-config",
    propertiesFile,
  ];
}

/**
 * Reads EndToEndLatency's summary. Format from the tool's source (kafka-tools 4.3.1, EndToEndLatency.printResults):
 * `printf("Avg latency: %.4f ms%n")` and `printf("Percentiles: 50th = %d, 99th = %d, 99.9th = %d%n")`, the
 * percentiles whole milliseconds; before them, every 1000th record, "<i>\t<latency ms>".
 */
export function parseEndToEndLatency(output: string, records: number): LatencyResult {
  const percentiles = /Percentiles: 50th = (\d+), 99th = (\d+), 99\.9th = (\d+)/.exec(output);
  const avg = /Avg latency: ([\d.]+) ms/.exec(output);
  if (!percentiles) throw new Error(`EndToEndLatency printed no percentiles:\n${output.slice(-2000)}`);
  return {
    tool: "kafka EndToEndLatency (one record at a time, no load)",
    messages: records,
    p50Ms: Number(percentiles[1]),
    p99Ms: Number(percentiles[2]),
    raw: [avg?.[0], percentiles[0]].filter((l) => l !== undefined).join("; "),
  };
}

/** PerfTest's arguments (perfTestArgs) with its one producer held at `ratePerSec` messages per second. */
export function atRate(perfTestArgs: readonly string[], ratePerSec: number): string[] {
  return [...perfTestArgs, "--rate", String(ratePerSec)];
}

/**
 * Reads PerfTest's consumer latency at a rate. Format from PerfTest's summary as captured on the embedded default
 * (npm run bench, 2026-11-29; see test/parsers.test.ts): "consumer latency min/median/75th/95th/99th
 * 6691/41676/62645/172754/403071 µs" (ms when PerfTest is given --use-millis).
 */
export function parsePerfTestLatency(output: string, ratePerSec: number, seconds: number): LatencyResult {
  const m =
    /consumer latency min\/median\/75th\/95th\/99th ([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+) (µs|ms)/.exec(
      output,
    );
  if (!m) throw new Error(`PerfTest printed no consumer latency:\n${output.slice(-2000)}`);
  const ms = (v: string | undefined) => (m[6] === "µs" ? Number(v) / 1000 : Number(v));
  const received = Number(/receiving rate avg: ([\d.]+) msg\/s/.exec(output)?.[1] ?? Number.NaN);
  return {
    tool: "RabbitMQ PerfTest",
    ratePerSec,
    messages: Math.round(received * seconds),
    p50Ms: ms(m[2]),
    p95Ms: ms(m[4]),
    p99Ms: ms(m[5]),
    raw: m[0],
  };
}
