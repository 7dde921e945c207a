// The real agent with the chart's rules on a real Kafka JVM: the toolchain's jmx_prometheus_javaagent 1.0.1 attached
// (as launch.sh attaches it) to one combined KRaft node of the toolchain's Kafka jars, listening on loopback only,
// then /metrics scraped after a topic is written: every curated metric is there under its name. Not the embedded
// default: a private node in a temporary directory, stopped (by its pid) when the suite ends.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireTool, run } from "../../toolchain/src/exec";
import { toolPaths } from "../../toolchain/src/paths";
import { render } from "./support";

jest.setTimeout(240_000);

const java = join(process.env.JAVA_HOME ?? "/usr", "bin", "java");
const classpath = `${join(toolPaths.kafkaHome, "libs")}/*`;
const rules: string = render("kafka").get("ConfigMap", "mp-kafka-metrics").data["jmx-exporter.yaml"];

/** A port nothing listens on now, on loopback. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (typeof a === "object" && a !== null ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}

async function scrape(url: string): Promise<string> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return r.ok ? await r.text() : "";
  } catch {
    return "";
  }
}

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/** Sample lines of a scrape, without comments: `name{labels} value`. */
const samples = (text: string) => text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));

let dir = "";
let broker: ChildProcess | undefined;
let metricsUrl = "";
let scraped = "";
const kafkaLog = () => readFileSync(join(dir, "kafka.log"), "utf8").slice(-3000);

beforeAll(async () => {
  requireTool("java", java);
  requireTool("the JMX exporter agent", toolPaths.jmxExporterAgent);
  dir = mkdtempSync(join(tmpdir(), "mp-jmx-agent-"));
  const [client, controller, metrics] = [await freePort(), await freePort(), await freePort()];
  const props = join(dir, "server.properties");
  writeFileSync(
    props,
    [
      "process.roles=broker,controller",
      "node.id=1",
      `controller.quorum.bootstrap.servers=127.0.0.1:${controller}`,
      `listeners=PLAINTEXT://127.0.0.1:${client},CONTROLLER://127.0.0.1:${controller}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${client}`,
      "controller.listener.names=CONTROLLER",
      "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
      "inter.broker.listener.name=PLAINTEXT",
      `log.dirs=${join(dir, "data")}`,
      "offsets.topic.replication.factor=1",
      "transaction.state.log.replication.factor=1",
      "transaction.state.log.min.isr=1",
      "share.coordinator.state.topic.replication.factor=1",
      "share.coordinator.state.topic.min.isr=1",
      "",
    ].join("\n"),
  );
  writeFileSync(join(dir, "jmx-exporter.yaml"), rules);
  const format = run(java, [
    "-Xmx256m",
    "-cp",
    classpath,
    "kafka.tools.StorageTool",
    "format",
    "--standalone",
    "--cluster-id",
    "MkU3OEVBNTcwNTJENDM2Qg",
    "--config",
    props,
  ]);
  if (format.code !== 0) throw new Error(`storage format failed: ${format.stderr}`);
  const agent = `-javaagent:${toolPaths.jmxExporterAgent}=127.0.0.1:${metrics}:${join(dir, "jmx-exporter.yaml")}`;
  const out = openSync(join(dir, "kafka.log"), "w");
  broker = spawn(java, ["-Xmx384m", agent, "-cp", classpath, "kafka.Kafka", props], { stdio: ["ignore", out, out] });
  metricsUrl = `http://127.0.0.1:${metrics}/metrics`;
  await until("the node to lead its quorum (kafka_server_raftmetrics_current_state)", 120_000, async () =>
    (await scrape(metricsUrl)).includes('kafka_server_raftmetrics_current_state{current_state="leader"} 1.0')
      ? true
      : undefined,
  ).catch((e: Error) => {
    throw new Error(`${e.message}\n${kafkaLog()}`);
  });
  const bootstrap = `127.0.0.1:${client}`;
  const topic = run(java, [
    "-Xmx256m",
    "-cp",
    classpath,
    "org.apache.kafka.tools.TopicCommand",
    "--bootstrap-server",
    bootstrap,
    "--create",
    "--topic",
    "smoke",
    "--partitions",
    "1",
    "--replication-factor",
    "1",
  ]);
  if (topic.code !== 0) throw new Error(`topic create failed: ${topic.stderr}`);
  const produce = run(java, [
    "-Xmx256m",
    "-cp",
    classpath,
    "org.apache.kafka.tools.ProducerPerformance",
    "--topic",
    "smoke",
    "--num-records",
    "200",
    "--record-size",
    "100",
    "--throughput",
    "-1",
    "--producer-props",
    `bootstrap.servers=${bootstrap}`,
  ]);
  if (produce.code !== 0) throw new Error(`produce failed: ${produce.stderr}`);
  scraped = await until("200 messages in on topic smoke", 30_000, async () => {
    const text = await scrape(metricsUrl);
    return text.includes('kafka_server_brokertopicmetrics_messagesin_total{topic="smoke"} 200.0') ? text : undefined;
  });
});

afterAll(() => {
  if (broker?.pid !== undefined && broker.exitCode === null) broker.kill("SIGKILL");
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

test("every curated metric is on /metrics, under the name the rules and the alerts use", () => {
  const names = new Set(samples(scraped).map((l) => l.replace(/[{ ].*$/, "")));
  const curated = [
    "kafka_server_replicamanager_underreplicatedpartitions",
    "kafka_server_replicamanager_underminisrpartitioncount",
    "kafka_server_replicamanager_atminisrpartitioncount",
    "kafka_server_replicamanager_offlinereplicacount",
    "kafka_server_replicamanager_partitioncount",
    "kafka_server_replicamanager_leadercount",
    "kafka_server_replicamanager_isrshrinks_total",
    "kafka_server_replicamanager_isrexpands_total",
    "kafka_controller_kafkacontroller_activecontrollercount",
    "kafka_controller_kafkacontroller_offlinepartitionscount",
    "kafka_controller_kafkacontroller_fencedbrokercount",
    "kafka_controller_kafkacontroller_activebrokercount",
    "kafka_controller_controllerstats_uncleanleaderelections_total",
    "kafka_network_requestmetrics_totaltimems",
    "kafka_server_brokertopicmetrics_bytesin_total",
    "kafka_server_brokertopicmetrics_messagesin_total",
    "kafka_server_raftmetrics_current_state",
    "kafka_server_raftmetrics_high_watermark",
    "kafka_log_logmanager_offlinelogdirectorycount",
  ];
  expect(curated.filter((n) => !names.has(n))).toEqual([]);
  expect(samples(scraped)).toEqual(
    expect.arrayContaining([
      "kafka_controller_kafkacontroller_activecontrollercount 1.0",
      "kafka_server_replicamanager_underreplicatedpartitions 0.0",
      'kafka_server_brokertopicmetrics_messagesin_total{topic="smoke"} 200.0',
    ]),
  );
  for (const request of ["Produce", "FetchConsumer", "FetchFollower"]) {
    for (const quantile of ["0.50", "0.99", "0.999"]) {
      expect(scraped).toContain(
        `kafka_network_requestmetrics_totaltimems{quantile="${quantile}",request="${request}"}`,
      );
    }
  }
});

test("nothing else of Kafka's: no per-partition log metrics, no other request metrics (the agent's jvm_* aside)", () => {
  const kafka = [...new Set(samples(scraped).map((l) => l.replace(/[{ ].*$/, "")))].filter((n) =>
    n.startsWith("kafka_"),
  );
  const allowed =
    /^(kafka_server_replicamanager_|kafka_controller_kafkacontroller_|kafka_controller_controllerstats_|kafka_server_brokertopicmetrics_|kafka_server_raftmetrics_|kafka_network_requestmetrics_totaltimems$|kafka_server_kafkarequesthandlerpool_requesthandleravgidle_percent$|kafka_network_socketserver_networkprocessoravgidle_percent$|kafka_log_logmanager_offlinelogdirectorycount$)/;
  expect(kafka.length).toBeGreaterThan(19);
  expect(kafka.filter((n) => !allowed.test(n))).toEqual([]);
  expect(samples(scraped).find((l) => l.startsWith("jmx_scrape_error"))).toBe("jmx_scrape_error 0.0");
});
