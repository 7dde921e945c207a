// Kafka nodes from the cached jars (no bin/ scripts): storage formatted once with the cluster id and SCRAM users
// (passwords through a private java argument file, never argv), each node a `kafka.Kafka server.properties` JVM in
// its own namespace, logging to stdout (logs/<node>.log).
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import * as probes from "../../brokers/kafka";
import { kafkajsSocketFactory } from "../../brokers/kafkajs-socket";
import { quietNegativeTimeoutWarnings } from "../../brokers/kafkajs-warnings";
import { INTER_BROKER_USER } from "../../chart-values/kafka";
import { missingToolHint, toolPaths } from "../../toolchain/src/paths";
import { javaArgFile, withPrivateFile } from "../../toolchain/src/secrets";
import { startProcess } from "../processes";
import { runAsync } from "../shell";
import { statePaths } from "../state";
import type { EmbeddedNode } from "../topology";
import { waitFor } from "../waits";
import {
  controllerClientProperties,
  type EmbeddedKafkaSettings,
  KAFKA_HEAP,
  kafkaServerProperties,
  renderProperties,
  type ServicePasswords,
} from "./config";

export interface KafkaCluster {
  settings: EmbeddedKafkaSettings;
  nodes: EmbeddedNode[];
  clusterId: string;
  /** Client SCRAM users and their passwords; the first one is the clients' user. */
  users: Record<string, string>;
  passwords: ServicePasswords;
}

const nodeDir = (node: EmbeddedNode) => join(statePaths.kafka, node.name);
const dataDir = (node: EmbeddedNode) => join(nodeDir(node), "data");
const propertiesFile = (node: EmbeddedNode) => join(nodeDir(node), "server.properties");
const log4jFile = join(statePaths.kafka, "log4j2.yaml");
const controllerClientFile = join(statePaths.kafka, "controller-client.properties");

const LOG4J2 = `Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: INFO
      AppenderRef:
        - ref: STDOUT
`;

export const java = () => join(process.env.JAVA_HOME ?? "/usr", "bin", "java");

/** The broker's classpath: the cached libs (toolchain/maven/kafka.pom.xml pins slf4j-api 2.x so brokers log). */
export function kafkaClasspath(): string {
  const libs = join(toolPaths.kafkaHome, "libs");
  if (!existsSync(libs)) throw new Error(missingToolHint("Kafka", libs));
  return `${libs}/*`;
}

export const brokers = (c: KafkaCluster) => c.nodes.filter((n) => n.roles.includes("broker"));
export const controllers = (c: KafkaCluster) => c.nodes.filter((n) => n.roles.includes("controller"));
export const bootstrapServers = (c: KafkaCluster, nodes = brokers(c)) =>
  nodes.map((n) => `${n.address}:${c.settings.ports.client}`);

/** Writes server.properties and formats the storage unless it already is (meta.properties present). */
export async function prepareNode(c: KafkaCluster, node: EmbeddedNode): Promise<void> {
  mkdirSync(dataDir(node), { recursive: true });
  writeFileSync(log4jFile, LOG4J2);
  const props = kafkaServerProperties(c.settings, node, c.nodes, dataDir(node), c.passwords);
  writeFileSync(propertiesFile(node), renderProperties(props), { mode: 0o600 });
  writeFileSync(controllerClientFile, renderProperties(controllerClientProperties(c.passwords)), { mode: 0o600 });
  if (existsSync(join(dataDir(node), "meta.properties"))) return;
  await formatStorage(c, propertiesFile(node));
}

/**
 * The StorageTool's main class and arguments: the cluster id and the SCRAM users (the clients' and `inter-broker`),
 * whose passwords are in clear here. Kafka has no file option for --add-scram, so these go into a java argument file.
 */
export function storageFormatArgs(c: KafkaCluster, properties: string): string[] {
  const scramUsers = { ...c.users, [INTER_BROKER_USER]: c.passwords.interBroker };
  const scram = Object.entries(scramUsers).flatMap(([name, password]) => [
    "--add-scram",
    `${c.settings.saslMechanism}=[name=${name},password=${password}]`,
  ]);
  return ["kafka.tools.StorageTool", "format", "-t", c.clusterId, "-c", properties, ...scram];
}

/**
 * Formats the storage that `properties` (log.dirs, metadata.log.dir) names, with the SCRAM users in its bootstrap
 * metadata. The arguments reach the JVM through a private `@file` that the java launcher expands in memory, so the
 * passwords are never on a command line; -XX:-UsePerfData keeps the expanded command (sun.java.command) out of
 * /tmp/hsperfdata_<user> as well.
 */
export async function formatStorage(c: KafkaCluster, properties: string): Promise<void> {
  await withPrivateFile("storage-format.args", javaArgFile(storageFormatArgs(c, properties)), (argFile) =>
    runAsync(java(), ["-XX:-UsePerfData", "-cp", kafkaClasspath(), `@${argFile}`], { timeoutMs: 60_000 }),
  );
}

export function startNode(node: EmbeddedNode): void {
  const argv = [
    java(),
    ...KAFKA_HEAP,
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-Djava.awt.headless=true",
    `-Dlog4j2.configurationFile=${log4jFile}`,
    "-cp",
    kafkaClasspath(),
    "kafka.Kafka",
    propertiesFile(node),
  ];
  startProcess(node, argv, process.env);
}

/** A kafkajs client authenticated as the clients' SCRAM user, bootstrapped from the given servers only. */
export function kafkaClientFor(c: KafkaCluster): (servers: string[]) => Kafka {
  const [username, password] = Object.entries(c.users)[0] ?? [];
  if (!username || !password) throw new Error("no Kafka SCRAM user");
  quietNegativeTimeoutWarnings();
  return (servers) =>
    new Kafka({
      clientId: "messaging-platform-embedded",
      brokers: servers,
      socketFactory: kafkajsSocketFactory,
      sasl: { mechanism: "scram-sha-512", username, password },
      connectionTimeout: 3_000,
      requestTimeout: 5_000,
      retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1_000 },
      logLevel: logLevel.NOTHING,
    });
}

/** A kafkajs client as kafkaClientFor makes it; `nodes` limits whom it bootstraps from. */
export const kafkaClient = (c: KafkaCluster, nodes = brokers(c)): Kafka =>
  kafkaClientFor(c)(bootstrapServers(c, nodes));

/** Runs fn with a connected admin client bootstrapped from `nodes`, and always disconnects it. */
export const withAdmin = <T>(
  c: KafkaCluster,
  fn: (admin: ReturnType<Kafka["admin"]>) => Promise<T>,
  nodes = brokers(c),
) => probes.withAdmin(kafkaClient(c, nodes), fn);

/** Partitions of the given topics (all when none are named), as the given nodes see them. */
export const partitions = (c: KafkaCluster, topics?: string[], nodes = brokers(c)) =>
  probes.partitionStates(kafkaClient(c, nodes), topics);

/** Broker node ids registered (unfenced) in the cluster, as the given nodes see it. */
export const registeredBrokers = (c: KafkaCluster, nodes = brokers(c)) => probes.liveBrokers(kafkaClient(c, nodes));

export async function ensureTopic(
  c: KafkaCluster,
  topic: { name: string; partitions: number; replicationFactor: number; minInsyncReplicas: number },
  timeoutMs = 60_000,
): Promise<void> {
  await waitFor(`topic ${topic.name} to exist`, timeoutMs, () => createTopicOnce(c, topic).then(() => true));
}

async function createTopicOnce(
  c: KafkaCluster,
  topic: { name: string; partitions: number; replicationFactor: number; minInsyncReplicas: number },
): Promise<void> {
  await withAdmin(c, async (admin) => {
    const existing = await admin.listTopics();
    if (existing.includes(topic.name)) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: topic.name,
          numPartitions: topic.partitions,
          replicationFactor: topic.replicationFactor,
          configEntries: [{ name: "min.insync.replicas", value: String(topic.minInsyncReplicas) }],
        },
      ],
    });
  });
}

/**
 * The active KRaft controller's node id, from the controllers' own quorum (kafkajs cannot ask: brokers report a
 * random broker as "controller" to clients). `ask` limits which controllers are queried (skip an isolated one).
 */
export async function activeController(c: KafkaCluster, ask = controllers(c)): Promise<number> {
  const bootstrap = ask.map((n) => `${n.address}:${c.settings.ports.controller}`).join(",");
  const r = await runAsync(
    java(),
    [
      "-Xmx128m",
      "-XX:TieredStopAtLevel=1",
      "-cp",
      kafkaClasspath(),
      "org.apache.kafka.tools.MetadataQuorumCommand",
      "--bootstrap-controller",
      bootstrap,
      "--command-config",
      controllerClientFile,
      "describe",
      "--status",
    ],
    { timeoutMs: 30_000 },
  );
  const m = /LeaderId:\s+(\d+)/.exec(r.stdout);
  if (!m?.[1]) throw new Error(`no LeaderId in MetadataQuorumCommand output:\n${r.stdout}${r.stderr}`);
  return Number(m[1]);
}
