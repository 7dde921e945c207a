// The brokers' own perf tools, run on the same target with the same durability settings as our workload:
// Kafka's ProducerPerformance (kafka-tools, acks=all, idempotence) and RabbitMQ PerfTest (quorum queue,
// persistent, publisher confirms). Pure argument builders and output parsers are exported for tests.
// No password is ever on a tool's command line: Kafka's is in a private properties file, RabbitMQ's URI (with its
// credentials) in PerfTest's environment. Over TLS both verify the server against the target's CA.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { KafkaTarget, RabbitMQTarget } from "../../contract/target";
import { toolPaths } from "../../toolchain/src/paths";
import { maskSecrets } from "../../toolchain/src/secrets";
import type { Sustained } from "../stats/sustained";

export interface ReferenceResult {
  tool: string;
  messages: number;
  messagesPerSec: number;
  /** Consumed per second over the same run, where the tool consumes (RabbitMQ PerfTest's receiving rate). */
  consumedPerSec?: number;
  /** Ours only: did our consumers keep up over the load (backlog bounded or growing)? */
  sustained?: Sustained;
  megabytesPerSec: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  /** The tool's own summary line(s), kept for the report. */
  raw: string;
}

const java = () => join(process.env.JAVA_HOME ?? "/usr/lib/jvm/java-17-openjdk-amd64", "bin", "java");

/** How the Java producer batches: the knobs that decide its throughput, printed with every result. */
export interface ProducerTuning {
  /** batch.size in bytes (the producer's default: 16384). */
  batchBytes: number;
  /** linger.ms (default 0). */
  lingerMs: number;
  /** max.in.flight.requests.per.connection (at most 5 with idempotence). */
  maxInFlight: number;
}

export const producerDefaults: ProducerTuning = { batchBytes: 16_384, lingerMs: 0, maxInFlight: 5 };

/** The reference's own best candidates: its default, and larger batches with some linger (OMB's driver: 1 MiB, 100 ms). */
export const producerSweep: ProducerTuning[] = [
  producerDefaults,
  { batchBytes: 262_144, lingerMs: 5, maxInFlight: 5 },
  { batchBytes: 1_048_576, lingerMs: 20, maxInFlight: 5 },
  { batchBytes: 1_048_576, lingerMs: 100, maxInFlight: 5 },
];

export function describeTuning(t: ProducerTuning): string {
  return `batch.size=${t.batchBytes} linger.ms=${t.lingerMs} max.in.flight=${t.maxInFlight}`;
}

/** The client properties, as a file: the JAAS line has spaces and '=' that a --command-property cannot carry. */
export function producerProperties(t: KafkaTarget): string {
  const jaas = `org.apache.kafka.common.security.scram.ScramLoginModule required username="${t.sasl.username}" password="${t.sasl.password}";`;
  return [
    `bootstrap.servers=${t.bootstrapServers.join(",")}`,
    "acks=all",
    "enable.idempotence=true",
    `security.protocol=${t.tls ? "SASL_SSL" : "SASL_PLAINTEXT"}`,
    // Over TLS: trust the target's CA alone (a PEM truststore inline; Properties reads \n as a line break); the
    // broker's host name is checked by default (ssl.endpoint.identification.algorithm=https).
    ...(t.tls && t.ca
      ? ["ssl.truststore.type=PEM", `ssl.truststore.certificates=${t.ca.trim().replaceAll("\n", "\\n")}`]
      : []),
    "sasl.mechanism=SCRAM-SHA-512",
    `sasl.jaas.config=${jaas}`,
    "",
  ].join("\n");
}

export function producerPerformanceArgs(
  propertiesFile: string,
  topic: string,
  records: number,
  recordBytes: number,
  tuning: ProducerTuning = producerDefaults,
): string[] {
  return [
    "-Xmx512m",
    "-cp",
    `${join(toolPaths.kafkaHome, "libs")}/*`,
    "org.apache.kafka.tools.ProducerPerformance",
    "--topic",
    topic,
    "--num-records",
    String(records),
    "--record-size",
    String(recordBytes),
    "--throughput",
    "-1",
    "--command-config",
    propertiesFile,
    "--producer-props",
    `batch.size=${tuning.batchBytes}`,
    `linger.ms=${tuning.lingerMs}`,
    `max.in.flight.requests.per.connection=${tuning.maxInFlight}`,
  ];
}

/** Parses ProducerPerformance's final line: "N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency, p50 ms 50th, ..." */
export function parseProducerPerformance(output: string): ReferenceResult {
  const line = output
    .split("\n")
    .reverse()
    .find((l) => /records sent, .* records\/sec .* 50th/.test(l));
  if (!line) throw new Error(`ProducerPerformance printed no summary line:\n${output.slice(-2000)}`);
  const num = (re: RegExp) => Number(re.exec(line)?.[1]);
  return {
    tool: "kafka ProducerPerformance",
    messages: num(/^(\d+) records sent/),
    messagesPerSec: num(/, ([\d.]+) records\/sec/),
    megabytesPerSec: num(/\(([\d.]+) MB\/sec\)/),
    p50Ms: num(/(\d+) ms 50th/),
    p95Ms: num(/(\d+) ms 95th/),
    p99Ms: num(/(\d+) ms 99th/),
    raw: line.trim(),
  };
}

/**
 * PerfTest reads any long option from an environment variable (PerfTest --env lists them): `--uri` from URI, under
 * the prefix RABBITMQ_PERF_TEST_ENV_PREFIX names. The prefix also keeps PerfTest from reading stray variables of ours
 * (TIME, SIZE, QUEUE...) as options.
 */
export const PERF_TEST_ENV_PREFIX = "MP_PERF_TEST_";

/** PerfTest's environment: the connection URI, credentials included, which must never be an argument. */
export function perfTestEnv(t: RabbitMQTarget): Record<string, string> {
  const base = new URL(t.amqpUrls[0] ?? "");
  base.username = encodeURIComponent(t.username);
  base.password = encodeURIComponent(t.password);
  base.pathname = `/${encodeURIComponent(t.vhost)}`;
  return { RABBITMQ_PERF_TEST_ENV_PREFIX: PERF_TEST_ENV_PREFIX, [`${PERF_TEST_ENV_PREFIX}URI`]: base.toString() };
}

/**
 * PerfTest's trust over amqps: a PKCS12 truststore holding the target's CA alone, made at run time with keytool in a
 * private temporary directory (never in the repository) and removed by the caller. It holds a public certificate, so
 * it has no password (certificate and MAC protection NONE) and none reaches an argument. Any javax.net.ssl system
 * property makes PerfTest use the JVM's default SSLContext, which then verifies the server's certificate chain against
 * this CA (PerfTest's own default over amqps trusts every certificate). Returns PerfTest's JVM arguments, or none
 * when the target is plaintext.
 */
export async function perfTestTrustStore(t: RabbitMQTarget, dir: string): Promise<string[]> {
  if (!(t.amqpUrls[0] ?? "").startsWith("amqps:")) return [];
  if (t.ca === undefined)
    throw new Error("the target serves amqps but names no CA: PerfTest could not verify the server");
  const ca = join(dir, "ca.pem");
  const store = join(dir, "truststore.p12");
  writeFileSync(ca, t.ca, { mode: 0o600 });
  await runTool(
    keytool(),
    [
      "-J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE",
      "-J-Dkeystore.pkcs12.macAlgorithm=NONE",
      "-importcert",
      "-noprompt",
      "-alias",
      "stack-ca",
      "-file",
      ca,
      "-keystore",
      store,
      "-storetype",
      "PKCS12",
      // keytool insists on a store password; with protection NONE it protects nothing. Read from the environment.
      "-storepass:env",
      "MP_TRUSTSTORE_PASSWORD",
    ],
    { MP_TRUSTSTORE_PASSWORD: "unprotected" },
  );
  return [`-Djavax.net.ssl.trustStore=${store}`, "-Djavax.net.ssl.trustStoreType=PKCS12"];
}

const keytool = () => join(process.env.JAVA_HOME ?? "/usr/lib/jvm/java-17-openjdk-amd64", "bin", "keytool");

function runTool(command: string, args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}:\n${out}`)),
    );
  });
}

/** RabbitMQ producers × consumers of one run: PerfTest's `--producers` and `--consumers`, and ours alike. */
export interface RabbitShape {
  producers: number;
  consumers: number;
}

export const oneByOne: RabbitShape = { producers: 1, consumers: 1 };

/**
 * PerfTest's arguments; the URI comes from perfTestEnv, the truststore's system properties from perfTestTrustStore.
 * `prefetch`: its consumer's prefetch (--qos), ours by default (PerfTest's own default is unlimited, which lets its
 * consumer outrun ours). `shape`: producers × consumers, each on its own connection (PerfTest's default).
 */
export function perfTestArgs(
  queue: string,
  seconds: number,
  messageBytes: number,
  confirmWindow: number,
  prefetch: number,
  jvmArgs: string[] = [],
  shape: RabbitShape = oneByOne,
): string[] {
  return [
    "-Xmx512m",
    ...jvmArgs,
    "-cp",
    `${join(toolPaths.perfTestHome, "libs")}/*`,
    "com.rabbitmq.perf.PerfTest",
    "--queue",
    queue,
    "--quorum-queue",
    "--auto-delete",
    "false",
    "--flag",
    "persistent",
    "--confirm",
    String(confirmWindow),
    "--size",
    String(messageBytes),
    "--producers",
    String(shape.producers),
    "--consumers",
    String(shape.consumers),
    "--qos",
    String(prefetch),
    "--time",
    String(seconds),
    "--metrics-format",
    "compact",
  ];
}

/** Parses PerfTest's summary: "sending rate avg: 12345 msg/s" and the confirm latency percentiles when present. */
export function parsePerfTest(output: string, messageBytes: number, seconds: number): ReferenceResult {
  const rate = /sending rate avg: ([\d.]+) msg\/s/.exec(output);
  if (!rate?.[1]) throw new Error(`PerfTest printed no summary:\n${output.slice(-2000)}`);
  const messagesPerSec = Number(rate[1]);
  // PerfTest's summary gives rates, not a total: the run's message count is its rate over its --time.
  const confirmed =
    /confirm latency min\/median\/75th\/95th\/99th ([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+) (µs|ms)/.exec(
      output,
    );
  const toMs = (v: string | undefined) =>
    v === undefined ? undefined : confirmed?.[6] === "µs" ? Number(v) / 1000 : Number(v);
  return {
    tool: "RabbitMQ PerfTest",
    messages: Math.round(messagesPerSec * seconds),
    consumedPerSec: Number(/receiving rate avg: ([\d.]+) msg\/s/.exec(output)?.[1] ?? Number.NaN),
    messagesPerSec,
    megabytesPerSec: (messagesPerSec * messageBytes) / (1024 * 1024),
    p50Ms: toMs(confirmed?.[2]),
    p95Ms: toMs(confirmed?.[4]),
    p99Ms: toMs(confirmed?.[5]),
    raw: output
      .split("\n")
      .filter((l) => /rate avg|latency/.test(l))
      .join("\n"),
  };
}

export interface JavaRunOptions {
  /** Added to the child's environment (readable by this user only, unlike the command line). */
  env?: Record<string, string>;
  /** Masked wherever they appear in a failure message (the tool's output is quoted there). */
  secrets?: readonly string[];
}

export function runJava(args: string[], timeoutMs: number, opts: JavaRunOptions = {}): Promise<string> {
  const tail = (out: string) => maskSecrets(out.slice(-2000), opts.secrets);
  return new Promise((resolve, reject) => {
    const child = spawn(java(), args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...opts.env } });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${args[3]} did not finish within ${timeoutMs / 1000} s:\n${tail(out)}`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${args[3]} exited with ${code}:\n${tail(out)}`));
    });
  });
}
