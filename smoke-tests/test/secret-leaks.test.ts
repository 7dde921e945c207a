// No generated secret in a process list, a report or a log. While the embedded default is brought up (warm when an
// earlier suite left it running), its Kafka storage formatted as `up` formats it (on a scratch directory), one short
// bench of both reference tools runs and one drill kills and restarts a RabbitMQ node, every process's command line
// (world-readable in /proc) is sampled for every generated password; afterwards every report the run wrote and every
// line the node logs gained are searched too. A finding names the process or file and which secret, never the value.

import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Target } from "../../contract/target";
import { type Environment, loadEnvironment } from "../../embedded/environment";
import { formatStorage } from "../../embedded/kafka/cluster";
import { kafkaServerProperties, renderProperties } from "../../embedded/kafka/config";
import { rootfs } from "../../embedded/rabbitmq/rootfs";
import { statePaths } from "../../embedded/state";
import { CommandLineWatch, fileLeaks, fileSizes, filesUnder, type NamedSecret } from "../../toolchain/src/leak-watch";
import { PRIVATE_DIR_PREFIX } from "../../toolchain/src/secrets";
import { type BenchSettings, benchSystem, defaultBenchSettings } from "../bench/bench";
import { harnessFor } from "../drills/harness";
import { runDrill } from "../drills/run-drill";
import { scenarioNamed } from "../drills/scenarios";
import { EmbeddedFaults } from "../faults/embedded";
import { writeRunReport } from "../reports/write";
import { embeddedTarget, liveDrillOptions } from "./embedded-target";

jest.setTimeout(300_000);

/** Every secret the embedded environment generated: each Kafka user's (internal ones too), RabbitMQ's, the cookie. */
function generatedSecrets(env: Environment): NamedSecret[] {
  const c = env.credentials;
  return [
    ...Object.entries(c.kafka).map(([user, value]) => ({ name: `Kafka password of ${user}`, value })),
    { name: `RabbitMQ password of ${c.rabbitmq.username}`, value: c.rabbitmq.password },
    { name: "Erlang cookie", value: c.erlangCookie },
  ];
}

/**
 * Commands the run must have been seen running, or the sampling proves nothing about them: the Java tools that
 * took passwords on their command lines before, and an embedded Kafka node (not a pod's: its state directory).
 */
const WATCHED = {
  storageTool: "storage-format.args",
  producerPerformance: "org.apache.kafka.tools.ProducerPerformance",
  perfTest: "com.rabbitmq.perf.PerfTest",
  kafkaNode: `kafka.Kafka ${statePaths.kafka}/`,
};

/** One short round of each reference tool (the bench's sweep still runs each candidate sweepSamples times). */
const tinyBench: BenchSettings = {
  ...defaultBenchSettings,
  rounds: 1,
  warmupRounds: 0,
  kafkaRecords: 3_000,
  rabbitSeconds: 3,
};

/** Where the node logs are: logs/<node>.log, and the RabbitMQ nodes' own log directories inside the rootfs. */
const logDirs = () => [statePaths.logs, join(rootfs.upper, "var", "lib", "mp")];
const logFiles = () => [
  ...filesUnder(statePaths.logs),
  ...filesUnder(join(rootfs.upper, "var", "lib", "mp")).filter((f) => f.split("/").includes("log")),
];
const privateDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith(PRIVATE_DIR_PREFIX));

let env: Environment;
let secrets: NamedSecret[];
let watch: CommandLineWatch | undefined;
let target: Target;
let reportsRoot: string;
let logSizesBefore: Map<string, number>;
let privateDirsBefore: string[];

beforeAll(async () => {
  // Credentials exist before anything starts (loadEnvironment creates them on a first run, as `up` would).
  env = loadEnvironment();
  secrets = generatedSecrets(env);
  logSizesBefore = new Map(logDirs().flatMap((d) => [...fileSizes(d)]));
  privateDirsBefore = privateDirs();
  reportsRoot = mkdtempSync(join(tmpdir(), "mp-secret-leaks-reports-"));
  watch = CommandLineWatch.start(secrets, { watchFor: Object.values(WATCHED) });
  target = await embeddedTarget();
});

afterAll(async () => {
  await watch?.stop().catch(() => undefined);
  rmSync(reportsRoot, { recursive: true, force: true });
});

describe("no generated secret in a process list, a report or a log", () => {
  it("looks for the target's own passwords among the generated ones", () => {
    const values = secrets.map((s) => s.value);
    expect(values).toContain(target.kafka.sasl.password);
    expect(values).toContain(target.rabbitmq.password);
  });

  it("formats Kafka storage as `up` does (scratch directory, the environment's SCRAM users)", async () => {
    const scratch = mkdtempSync(join(tmpdir(), "mp-secret-leaks-format-"));
    try {
      const c = env.kafka;
      const node = c.nodes[0];
      if (!node) throw new Error("no Kafka node");
      const properties = join(scratch, "server.properties");
      const props = kafkaServerProperties(c.settings, node, c.nodes, join(scratch, "data"), c.passwords);
      writeFileSync(properties, renderProperties(props), { mode: 0o600 });
      await formatStorage(c, properties);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("runs the bench's reference tools on both systems and writes the bench report", async () => {
    const results = [];
    for (const system of ["kafka", "rabbitmq"] as const) {
      results.push(await benchSystem(target, system, tinyBench, () => undefined));
    }
    const dir = join(reportsRoot, "bench");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "bench.json"), `${JSON.stringify(results, null, 2)}\n`);
    expect(results.map((r) => r.rounds.length)).toEqual([1, 1]);
  });

  it("runs a drill that kills and restarts a RabbitMQ node, and writes its report", async () => {
    const started = Date.now();
    const run = await runDrill(
      harnessFor(target, "rabbitmq"),
      new EmbeddedFaults(),
      scenarioNamed("kill-leader"),
      liveDrillOptions,
    );
    const written = writeRunReport(
      {
        runId: "secret-leaks-kill-leader",
        scenario: "kill-leader",
        target: target.name,
        startedAt: new Date(started).toISOString(),
        durationMs: Date.now() - started,
        settings: { ...liveDrillOptions.settings, ratePerSec: liveDrillOptions.workload.ratePerSec ?? 0 },
        systems: [run],
      },
      reportsRoot,
    );
    expect(filesUnder(written.dir)).toHaveLength(3);
  });

  it("showed no secret on any process's command line, and saw every tool and node it had to", async () => {
    const found = await watch?.stop();
    watch = undefined;
    expect(found?.leaks).toEqual([]);
    expect([...(found?.seen ?? [])].sort()).toEqual(Object.values(WATCHED).sort());
  });

  it("wrote no secret into a report, nor into a node log", () => {
    const reports = filesUnder(reportsRoot);
    expect(reports.length).toBeGreaterThanOrEqual(4);
    expect(fileLeaks([...reports, ...logFiles()], secrets, logSizesBefore)).toEqual([]);
  });

  it("left no private argument or properties file behind", () => {
    expect(privateDirs().filter((d) => !privateDirsBefore.includes(d))).toEqual([]);
  });
});
