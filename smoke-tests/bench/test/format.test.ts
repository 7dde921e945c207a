// What `npm run bench` prints: the settings, the reference's sweep, one row per counted round under its headings, our
// consumers, the median ratios, the clients side by side, the report's path; and the ledger's footprint line.
import type { BenchSystemResult } from "../bench";
import { formatBench, formatLedgerFootprint, latencyLines } from "../format";
import type { ReferenceResult } from "../reference-tools";

const result = (tool: string, messagesPerSec: number, p99Ms?: number): ReferenceResult => ({
  tool,
  messages: 0,
  messagesPerSec,
  megabytesPerSec: 0,
  raw: "",
  ...(p99Ms === undefined ? {} : { p99Ms }),
});

const kafka: BenchSystemResult = {
  system: "kafka",
  client: "kafkajs",
  settings: { acks: "all", partitions: 6 },
  referenceEqual: "batch.size=16384 linger.ms=0",
  referenceBest: "batch.size=65536 linger.ms=5",
  sweep: [
    { settings: "batch.size=16384", messagesPerSec: 41_000.4, samples: [40_000.2, 41_000.4, 42_000.6] },
    { settings: "batch.size=65536", messagesPerSec: 52_000, samples: [51_000, 52_000, 53_000] },
  ],
  rounds: [
    {
      round: 1,
      ours: result("ours", 20_500.5, 12.34),
      reference: result("ProducerPerformance", 41_000, 8.5),
      best: result("ProducerPerformance", 52_000, 9),
      ratio: 0.5,
      ratioBest: 0.394,
    },
  ],
  keepUp: [
    {
      publishedPerSec: 21_700,
      consumedPerSec: 21_300,
      backlogEarly: 1_200,
      backlogEnd: 900,
      growing: false,
      sustainedPerSec: 21_700,
    },
  ],
  keepUpAskedPerSec: 52_000,
  medianRatio: 0.5,
  medianRatioBest: 0.394,
  latency: {
    ratePerSec: 10_250,
    ours: {
      tool: "ours (kafkajs)",
      ratePerSec: 10_250,
      messages: 102_500,
      p50Ms: 3.04,
      p95Ms: 8,
      p99Ms: 15.26,
      sustained: {
        publishedPerSec: 10_250,
        consumedPerSec: 10_240,
        backlogEarly: 500,
        backlogEnd: 480,
        growing: false,
        sustainedPerSec: 10_250,
      },
      raw: "",
    },
    reference: {
      tool: "kafka EndToEndLatency (one record at a time, no load)",
      messages: 3000,
      p50Ms: 2,
      p99Ms: 6,
      raw: "",
    },
  },
  clients: [
    { client: "kafkajs", medianMsgPerSec: 20_500.5, medianRatio: 0.5, medianRatioBest: 0.394 },
    { client: "librdkafka", medianMsgPerSec: 60_000, medianRatio: 1.463, medianRatioBest: 1.154 },
  ],
};

const rabbitmq: BenchSystemResult = {
  system: "rabbitmq",
  settings: { confirmWindow: 200 },
  referenceEqual: "--confirm 200",
  referenceBest: "--confirm 1000",
  sweep: [{ settings: "--confirm 1000", messagesPerSec: 12_000, samples: [12_000] }],
  rounds: [
    {
      round: 1,
      ours: result("ours", 9_000, 4),
      reference: result("PerfTest", 10_000, 3.25),
      best: result("PerfTest", 12_000),
      ratio: 0.9,
      ratioBest: 0.75,
    },
  ],
  keepUp: [],
  medianRatio: 0.9,
  medianRatioBest: 0.75,
};

const settings = { rounds: 3, warmupRounds: 1, messageBytes: 1024 };
const lines = formatBench("embedded", settings, [kafka, rabbitmq], "/r/bench-x/bench.json").split("\n");

describe("the bench's results on the terminal", () => {
  it("names the target and the rounds, then each system's settings, references, rounds and ratios, then the report", () => {
    expect(lines).toEqual([
      "",
      "bench on embedded (3 alternating rounds after 1 warm-up, 1024 B messages)",
      "",
      "kafka: acks=all partitions=6",
      "  reference at our settings: batch.size=16384 linger.ms=0",
      "  reference at its best:     batch.size=65536 linger.ms=5 (sweep, median of batch.size=16384 → 41000 [40000, 41000, 42001]; batch.size=65536 → 52000 [51000, 52000, 53000])",
      "  round  ours msg/s  ref@ours msg/s  ratio  ref@best msg/s  ratio   ours p99  ref p99",
      "      1       20501           41000   0.50           52000   0.39       12.3      8.5",
      "  consumers (ours, one more round with a consumer, asked 52,000 msg/s): 21,300 msg/s consumed vs 21,700 acknowledged; backlog 1,200 → 900: bounded",
      "  median ratio ours/reference: 0.50 at our settings, 0.39 against its best (ProducerPerformance); target 0.8 at our settings: below 0.8",
      "  end-to-end latency at 10,250 msg/s (half our median maximum):  p50 ms  p95 ms  p99 ms  messages",
      "    ours (kafkajs), backlog bounded                                 3.0     8.0    15.3   102,500",
      "    kafka EndToEndLatency (one record at a time, no load)           2.0       —     6.0     3,000",
      "  clients, same rounds, same reference runs:  client        median msg/s  ratio@ours  ratio@best  target",
      "                                              kafkajs              20501        0.50        0.39  below 0.8 (ratio@ours)",
      "                                              librdkafka           60000        1.46        1.15  meets 0.9 (ratio@best)",
      "",
      "rabbitmq: confirmWindow=200",
      "  reference at our settings: --confirm 200",
      "  reference at its best:     --confirm 1000 (sweep, median of --confirm 1000 → 12000 [12000])",
      "  round  ours msg/s  ref@ours msg/s  ratio  ref@best msg/s  ratio   ours p99  ref p99",
      "      1        9000           10000   0.90           12000   0.75        4.0      3.3",
      "  median ratio ours/reference: 0.90 at our settings, 0.75 against its best (PerfTest); target 0.9 at its best: below 0.9",
      "",
      "report: /r/bench-x/bench.json",
    ]);
  });

  it("a system without consumer figures or a client comparison shows neither: no line for them, empty or not", () => {
    const section = lines.slice(
      lines.indexOf("rabbitmq: confirmWindow=200"),
      lines.indexOf("report: /r/bench-x/bench.json"),
    );
    expect(section.map((l) => l.trim().split(/[ :]/)[0])).toEqual([
      "rabbitmq",
      "reference",
      "reference",
      "round",
      "1",
      "median",
      "",
    ]);
  });

  it("every column's figures end where its heading ends (the client names and the targets start where theirs start)", () => {
    /** Where each field of a line starts and ends; a heading may hold single spaces, a figure none. */
    const fields = (line: string, field: RegExp) =>
      [...line.matchAll(field)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
    const heading = /\S+(?: \S+)*/g;
    const figure = /\S+/g;
    const rounds = lines.indexOf(
      "  round  ours msg/s  ref@ours msg/s  ratio  ref@best msg/s  ratio   ours p99  ref p99",
    );
    const headings = fields(lines[rounds] ?? "", heading).map((f) => f.end);
    expect(headings).toHaveLength(8);
    expect(fields(lines[rounds + 1] ?? "", figure).map((f) => f.end)).toEqual(headings);
    const clients = lines.findIndex((l) => l.startsWith("  clients"));
    const [, name, ...numbers] = fields(lines[clients] ?? "", heading);
    const target = numbers.pop();
    for (const row of lines.slice(clients + 1, clients + 3)) {
      const [client, ...figures] = fields(row, figure);
      expect({
        row,
        start: client?.start,
        ends: figures.slice(0, numbers.length).map((f) => f.end),
        target: figures[numbers.length]?.start,
      }).toEqual({ row, start: name?.start, ends: numbers.map((f) => f.end), target: target?.start });
    }
  });
});

describe("with --profile", () => {
  it("each profiled client's summary follows its system's ratio lines", () => {
    const summary = {
      sampledMs: 1000,
      busyMs: 600,
      packages: [{ pkg: "kafkajs", selfMs: 600 }],
      top: [{ name: "encode", where: "node_modules/kafkajs/src/x.js:1", pkg: "kafkajs", selfMs: 600 }],
    };
    const profiles = [{ label: "kafka, kafkajs producer", files: ["/r/bench-x/kafka-round1.cpuprofile"], summary }];
    const out = formatBench("embedded", settings, [{ ...kafka, profiles }, rabbitmq], "/r/bench-x/bench.json").split(
      "\n",
    );
    const at = out.indexOf(
      "  CPU profile of kafka, kafkajs producer: 1,000 ms sampled, 600 ms busy (60.0%); /r/bench-x/kafka-round1.cpuprofile",
    );
    expect(at).toBeGreaterThan(out.findIndex((l) => l.startsWith("  median ratio")));
    expect(out.slice(at + 1, at + 4)).toEqual([
      "    self time by package: kafkajs 60.0%",
      "    self ms  self %  package                    function",
      "        600   60.0%  kafkajs                    encode (node_modules/kafkajs/src/x.js:1)",
    ]);
    expect(out[at + 4]).toBe("");
  });
});

describe("the latency lines", () => {
  const latency = kafka.latency as NonNullable<BenchSystemResult["latency"]>;

  it("put every figure under its heading, a missing p95 as —", () => {
    const [heading = "", ...rows] = latencyLines(latency);
    const ends = (line: string, field: RegExp) => [...line.matchAll(field)].map((m) => m.index + m[0].length);
    const headings = ends(heading.slice(heading.indexOf("p50")), /\S+(?: \S+)*/g).map(
      (e) => e + heading.indexOf("p50"),
    );
    for (const row of rows) expect(ends(row, /\S+/g).slice(-4)).toEqual(headings);
  });

  it("say when our consumer did not keep up: the latency of a growing backlog is its age, not the platform's", () => {
    const sustained = { ...latency.ours.sustained, growing: true } as NonNullable<typeof latency.ours.sustained>;
    const [, ours] = latencyLines({ ...latency, ours: { ...latency.ours, sustained } });
    expect(ours).toMatch(/^ {4}ours \(kafkajs\), backlog growing: did not keep up {2,}3\.0/);
  });
});

describe("the ledger's footprint", () => {
  it("is the cost per message (CPU µs to record and to check, bytes held), then each step's CPU and wall time", () => {
    expect(
      formatLedgerFootprint({
        messages: 1_000_000,
        bytesPerMessage: 61.7,
        record: { cpuUs: 1_904_000, wallMs: 812.4 },
        totalQueueCheck: { cpuUs: 450_000, wallMs: 95.5 },
        kafkaCheck: { cpuUs: 655_000, wallMs: 140.49 },
      }).split("\n"),
    ).toEqual([
      "ledger, 1,000,000 messages: per message 3.01 µs CPU (recording 1.90, checking 1.10), 62 B held",
      "  recorded in 1904 ms CPU, 812 ms wall; total-queue check 450 ms CPU, 96 ms wall; Kafka offset checks 655 ms CPU, 140 ms wall",
    ]);
  });
});

describe("RabbitMQ whose best has more producers × consumers", () => {
  const atShape: BenchSystemResult = {
    ...rabbitmq,
    referenceBest: "--confirm 200, 4 producers × 4 consumers",
    rounds: [
      {
        round: 1,
        ours: result("ours", 9_000, 4),
        oursBest: result("ours (amqplib, quorum, persistent, confirms, 4 producers × 4 consumers)", 14_000, 6),
        reference: result("PerfTest", 10_000, 3.25),
        best: result("PerfTest", 15_000),
        ratio: 0.9,
        ratioBest: 14_000 / 15_000,
      },
    ],
    medianRatioBest: 14_000 / 15_000,
  };
  const out = formatBench("embedded", settings, [atShape], "/r/b.json").split("\n");

  it("says ours ran at that shape, and puts its rate beside the best's, under a heading of its own", () => {
    const at = out.indexOf(
      "  against its best, ours runs at the same shape: ours (amqplib, quorum, persistent, confirms, 4 producers × 4 consumers)",
    );
    expect(at).toBeGreaterThan(0);
    expect(out.slice(at + 1, at + 3)).toEqual([
      "  round  ours msg/s  ref@ours msg/s  ratio  ours@shape msg/s  ref@best msg/s  ratio   ours p99  ref p99",
      "      1        9000           10000   0.90             14000           15000   0.93        4.0      3.3",
    ]);
    expect(out).toContain(
      "  median ratio ours/reference: 0.90 at our settings, 0.93 against its best (PerfTest); target 0.9 at its best: meets 0.9",
    );
  });
});
