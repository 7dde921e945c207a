// The embedded environment: both clusters, their namespaces, mounts and processes, brought up, described and torn
// down as one. `up` first repairs whatever a crashed or faulted earlier run left (dead nodes, paused or isolated
// nodes, stale namespaces), so it is idempotent and always ends healthy or fails saying what never became healthy.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { CONTROLLER_USER, INTER_BROKER_USER } from "../chart-values/kafka";
import { waitKafkaHealthy, waitRabbitMQHealthy } from "./health";
import * as kafka from "./kafka/cluster";
import { type EmbeddedKafkaSettings, readKafkaSettings, withKafkaBrokers } from "./kafka/config";
import { withLock } from "./lock";
import {
  bridgeExists,
  createNamespace,
  ensureBridge,
  heal,
  isIsolated,
  namespaceExists,
  ourNamespaces,
  removeBridge,
  removeNamespace,
} from "./netns";
import {
  namespaceIsEmpty,
  nodeProcess,
  processState,
  readPidFile,
  removePidFile,
  signalGroup,
  signalNamespace,
  stopNode,
} from "./processes";
import * as rabbit from "./rabbitmq/cluster";
import { type EmbeddedRabbitMQSettings, readRabbitMQSettings } from "./rabbitmq/config";
import { mountRootfs, ourMounts, unmountRootfs, writeCookie, writeHostsFile } from "./rabbitmq/rootfs";
import {
  type Credentials,
  generateKafkaClusterId,
  generateSecret,
  machinePaths,
  readJson,
  type Settings,
  statePaths,
  writeJson,
} from "./state";
import { declaredQueues, declaredTopics, embeddedTargetOf } from "./target";
import { type EmbeddedNode, type KafkaMode, kafkaNodes, rabbitmqNodes } from "./topology";

export interface Environment {
  settings: Settings;
  credentials: Credentials;
  kafka: kafka.KafkaCluster;
  rabbitmq: rabbit.RabbitCluster;
}

export type Progress = (line: string) => void;

const HEALTHY_TIMEOUT_MS = 120_000;

/** What `up` may ask for; each is chosen at the first `up` and kept (changing it needs `down --purge`). */
export interface Requested {
  kafkaMode?: KafkaMode;
  /** Kafka brokers instead of the chart's `brokers.replicas` (validated by the command line). */
  kafkaBrokers?: number;
}

function loadSettings(requested: Requested, chartBrokers: number): Settings {
  const existing = readJson<Settings>(statePaths.settings);
  const purgeTo = (what: string) =>
    `; run \`npm run embedded:down -- --purge\` to switch to ${what} (the storage is formatted for one quorum)`;
  if (existing && requested.kafkaMode && existing.kafkaMode !== requested.kafkaMode) {
    throw new Error(`the environment was created with Kafka mode ${existing.kafkaMode}${purgeTo(requested.kafkaMode)}`);
  }
  const existingBrokers = existing?.kafkaBrokers ?? chartBrokers;
  if (existing && requested.kafkaBrokers !== undefined && existingBrokers !== requested.kafkaBrokers) {
    throw new Error(
      `the environment was created with ${existingBrokers} Kafka brokers${purgeTo(`${requested.kafkaBrokers}`)}`,
    );
  }
  if (existing) return existing;
  const settings: Settings = {
    kafkaMode: requested.kafkaMode ?? "combined",
    ...(requested.kafkaBrokers !== undefined && requested.kafkaBrokers !== chartBrokers
      ? { kafkaBrokers: requested.kafkaBrokers }
      : {}),
    kafkaClusterId: generateKafkaClusterId(),
  };
  writeJson(statePaths.settings, settings);
  return settings;
}

/** Generated once; a user the chart adds later gets a password too (it exists in Kafka after the next format). */
function loadCredentials(k: EmbeddedKafkaSettings, r: EmbeddedRabbitMQSettings): Credentials {
  const existing = readJson<Credentials>(statePaths.credentials);
  const creds: Credentials = existing ?? {
    kafka: {},
    rabbitmq: { username: r.username, password: generateSecret() },
    erlangCookie: generateSecret(24),
  };
  for (const user of [...k.saslUsers, INTER_BROKER_USER, CONTROLLER_USER]) creds.kafka[user] ??= generateSecret();
  if (creds.rabbitmq.username !== r.username) creds.rabbitmq = { username: r.username, password: generateSecret() };
  writeJson(statePaths.credentials, creds);
  return creds;
}

/** Reads chart values and the state directory; creates settings and credentials on first use. */
export function loadEnvironment(opts: Requested = {}): Environment {
  const chart = readKafkaSettings();
  const r = readRabbitMQSettings();
  const settings = loadSettings(opts, chart.pools.brokers.replicas);
  const k = withKafkaBrokers(chart, settings.kafkaBrokers);
  const credentials = loadCredentials(k, r);
  // Kafka clients authenticate as the chart's first SASL user.
  const users = Object.fromEntries(k.saslUsers.map((u) => [u, credentials.kafka[u] ?? ""]));
  const passwords = {
    interBroker: credentials.kafka[INTER_BROKER_USER] ?? "",
    controller: credentials.kafka[CONTROLLER_USER] ?? "",
  };
  return {
    settings,
    credentials,
    kafka: {
      settings: k,
      nodes: kafkaNodes(settings.kafkaMode, k.pools),
      clusterId: settings.kafkaClusterId,
      users,
      passwords,
    },
    rabbitmq: {
      settings: r,
      nodes: rabbitmqNodes(r.replicas),
      username: credentials.rabbitmq.username,
      password: credentials.rabbitmq.password,
    },
  };
}

export const allNodes = (env: Environment) => [...env.kafka.nodes, ...env.rabbitmq.nodes];

export function findNode(env: Environment, name: string): EmbeddedNode {
  const node = allNodes(env).find((n) => n.name === name);
  if (!node)
    throw new Error(
      `no node ${name}; nodes are ${allNodes(env)
        .map((n) => n.name)
        .join(", ")}`,
    );
  return node;
}

/**
 * Keeps nodes that are alive (resuming and healing them), and clears everything else a previous run left: processes
 * in namespaces without a live node, the namespaces themselves, namespaces of nodes no longer in the topology.
 * Returns the nodes that must be started.
 */
function repair(env: Environment, progress: Progress): EmbeddedNode[] {
  const wanted = allNodes(env);
  for (const ns of ourNamespaces()) {
    if (!wanted.some((n) => n.netns === ns)) {
      progress(`removing stale namespace ${ns}`);
      signalNamespace({ netns: ns } as EmbeddedNode, "SIGKILL");
      removeNamespace(ns);
    }
  }
  const toStart: EmbeddedNode[] = [];
  for (const node of wanted) {
    const rec = nodeProcess(node);
    if (rec && namespaceExists(node.netns)) {
      if (isIsolated(node.netns)) progress(`healing ${node.name}`);
      heal(node.netns);
      if (processState(rec) === "paused") progress(`resuming ${node.name}`);
      signalNamespace(node, "SIGCONT");
      continue;
    }
    if (!namespaceIsEmpty(node)) progress(`clearing leftover processes of ${node.name}`);
    signalNamespace(node, "SIGKILL");
    removePidFile(node.name);
    toStart.push(node);
  }
  return toStart;
}

async function startRabbitMQ(env: Environment, toStart: EmbeddedNode[], progress: Progress): Promise<void> {
  const c = env.rabbitmq;
  mountRootfs();
  writeHostsFile(c.nodes);
  writeCookie(env.credentials.erlangCookie);
  for (const node of toStart) {
    rabbit.prepareNode(c, node);
    rabbit.startNode(c, node);
    progress(`started ${node.name} (${node.address})`);
  }
}

async function startKafka(env: Environment, toStart: EmbeddedNode[], progress: Progress): Promise<void> {
  await Promise.all(toStart.map((node) => kafka.prepareNode(env.kafka, node)));
  for (const node of toStart) {
    kafka.startNode(node);
    progress(`started ${node.name} (${node.address})`);
  }
}

/** Creates the declared topics and quorum queues that do not exist yet; both clusters must answer. */
async function declareSmokeDestinations(env: Environment): Promise<void> {
  for (const topic of declaredTopics(env.kafka.settings)) await kafka.ensureTopic(env.kafka, topic);
  const first = env.rabbitmq.nodes[0];
  if (!first) throw new Error("no RabbitMQ nodes");
  const api = rabbit.managementApi(env.rabbitmq, first);
  for (const q of declaredQueues()) {
    if (!(await api.queue(q.name).catch(() => undefined))) await api.declareQuorumQueue(q.name);
  }
}

/** Waits until both clusters are healthy (brokers/, the one definition); nothing is created. */
export async function waitHealthy(env: Environment, progress: Progress = () => {}): Promise<void> {
  await Promise.all([
    waitKafkaHealthy(env, HEALTHY_TIMEOUT_MS).then((d) => progress(`Kafka healthy: ${d}`)),
    waitRabbitMQHealthy(env, HEALTHY_TIMEOUT_MS).then((d) => progress(`RabbitMQ healthy: ${d}`)),
  ]);
}

/**
 * Waits until both clusters are healthy, creates the declared topics and queues, and waits again: a new topic or
 * queue must be fully replicated before anyone uses it.
 */
export async function waitReady(env: Environment, progress: Progress = () => {}): Promise<void> {
  await waitHealthy(env);
  await declareSmokeDestinations(env);
  await waitHealthy(env, progress);
}

export async function up(opts: Requested & { progress?: Progress } = {}): Promise<Environment> {
  const progress = opts.progress ?? (() => {});
  return withLock("up", async () => {
    claimMachine();
    const env = loadEnvironment(opts);
    const toStart = repair(env, progress);
    ensureBridge();
    for (const node of toStart) createNamespace(node);
    await startRabbitMQ(
      env,
      toStart.filter((n) => n.system === "rabbitmq"),
      progress,
    );
    await startKafka(
      env,
      toStart.filter((n) => n.system === "kafka"),
      progress,
    );
    progress("waiting for both clusters to be healthy");
    await waitReady(env, progress);
    writeJson(statePaths.target, embeddedTargetOf(env));
    progress(`target written to ${statePaths.target}`);
    return env;
  });
}

/**
 * Refuses to adopt nodes that another state directory started (their data and credentials live there), and
 * records this state directory as the owner of the machine's nodes.
 */
function claimMachine(): void {
  const owner = machineOwner();
  if (owner && owner !== statePaths.root) {
    throw new Error(
      `the embedded environment on this machine runs from ${owner}; stop it first (MESSAGING_PLATFORM_STATE=${owner} npm run embedded:down)`,
    );
  }
  writeFileSync(machinePaths.owner, `${statePaths.root}\n`);
}

/** The state directory whose nodes run on this machine now; undefined when none runs. */
export function machineOwner(): string | undefined {
  const owner = existsSync(machinePaths.owner) ? readFileSync(machinePaths.owner, "utf8").trim() : undefined;
  return owner && ourNamespaces().length > 0 ? owner : undefined;
}

/** What `down` must leave behind: nothing. Used by `down` itself and by the tests. */
export function leftovers(): string[] {
  const found: string[] = [];
  for (const ns of ourNamespaces()) found.push(`namespace ${ns}`);
  for (const mp of ourMounts()) found.push(`mount ${mp}`);
  if (bridgeExists()) found.push("bridge mpbr0");
  return found;
}

/**
 * Stops every node (SIGTERM, then SIGKILL after a bound), removes namespaces, mounts and the bridge. Data stays for
 * the next warm `up` unless `purge`. Works without chart values, so a broken checkout can still clean up.
 */
export async function down(opts: { purge?: boolean; progress?: Progress } = {}): Promise<void> {
  const progress = opts.progress ?? (() => {});
  await withLock("down", async () => {
    const nodes = ourNamespaces().map((netns) => ({ name: netns.replace(/^mp-/, ""), netns }) as EmbeddedNode);
    const stop = async (node: EmbeddedNode, graceMs: number) => {
      const rec = readPidFile(node.name);
      if (rec) signalGroup(rec, "SIGCONT");
      signalNamespace(node, "SIGCONT");
      heal(node.netns);
      await stopNode(node, graceMs);
      progress(`stopped ${node.name}`);
    };
    const isController = (n: EmbeddedNode) => n.name.startsWith("kafka-controller-");
    const isKafka = (n: EmbeddedNode) => n.name.startsWith("kafka-");
    // All Kafka nodes at once: their controlled shutdowns reach the controllers while a quorum still exists (stopping
    // them one by one leaves the last combined node without a quorum, waiting minutes). A node still shutting down
    // after the grace period is killed; it recovers its log at the next start.
    await Promise.all([
      ...nodes.filter((n) => isKafka(n) && !isController(n)).map((n) => stop(n, 15_000)),
      ...nodes.filter((n) => !isKafka(n)).map((n) => stop(n, 30_000)),
    ]);
    // Dedicated controllers last: brokers need them for their controlled shutdown.
    await Promise.all(nodes.filter(isController).map((n) => stop(n, 15_000)));
    for (const node of nodes) removeNamespace(node.netns);
    unmountRootfs();
    removeBridge();
    rmSync(statePaths.target, { force: true });
    rmSync(machinePaths.owner, { force: true });
    const left = leftovers();
    if (left.length > 0) throw new Error(`down left behind: ${left.join(", ")}`);
    if (opts.purge) {
      rmSync(statePaths.root, { recursive: true, force: true });
      progress(`removed ${statePaths.root}`);
    }
  });
}
