// The stack config, typed and validated before any resource is registered. Each chart's example values file is the
// base (named by `kafka.valuesFile` / `rabbitmq.valuesFile`); the stack config overrides only what differs, and
// repeating a value the file already sets is itself an error (one key, written once). Every problem is collected
// and reported in one error: `<key> = <value> <rule>`.
import { existsSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import type { GateSettings } from "../contract/gate-settings";
import { type InClusterGateSettings, parseGate } from "./gate-settings";
import { dnsLabel, dnsLabelRule, Problems, type Raw, show } from "./problems";
import { deepMerge, readValuesFile, type Values } from "./values/common";
import {
  internalKafkaUsers,
  type KafkaChartFacts,
  type KafkaChartSettings,
  kafkaChartFacts,
  kafkaSettingsFromValues,
} from "./values/kafka";
import {
  type RabbitMQChartSettings,
  type RabbitMQPorts,
  rabbitmqClusterDomain,
  rabbitmqPorts,
  rabbitmqSettingsFromValues,
} from "./values/rabbitmq";

export const environments = ["development", "staging", "production"] as const;
export type Environment = (typeof environments)[number];

/**
 * Where the stack runs: `kubernetes` (the charts, through the Kubernetes provider) or `embedded` (the embedded
 * environment, embedded/: the same brokers and chart values as processes in network namespaces on this machine).
 */
export const platforms = ["kubernetes", "embedded"] as const;
export type Platform = (typeof platforms)[number];

export interface KubernetesSettings {
  /** kubeconfig context to deploy to (default: the kubeconfig's current context). */
  context?: string;
  /** Path of a kubeconfig file (default: $KUBECONFIG or ~/.kube/config). */
  kubeconfig?: string;
  /** Absolute directory: render manifests there instead of talking to a cluster. */
  renderYamlToDirectory?: string;
}

export interface TopicSettings {
  name: string;
  partitions: number;
  replicationFactor: number;
  minInsyncReplicas: number;
}

export interface KafkaSettings extends KafkaChartSettings, KafkaChartFacts {
  namespace: string;
  release: string;
  chartDir: string;
  /** Repo-relative path of the example values file the stack builds on. */
  valuesFile: string;
  /** The example file's values (what the chart gets before the stack's overrides). */
  exampleValues: Values;
  /** The SCRAM user the smoke tests connect as. */
  clientUser: string;
  topics: TopicSettings[];
}

export interface QueueSettings {
  name: string;
  type: "quorum";
}

export interface RabbitMQPolicySettings {
  name: string;
  pattern: string;
  applyTo: string;
  priority: number;
  definition: Record<string, unknown>;
}

export interface RabbitMQSettings extends RabbitMQChartSettings {
  namespace: string;
  release: string;
  chartDir: string;
  valuesFile: string;
  exampleValues: Values;
  ports: RabbitMQPorts;
  clusterDomain: string;
  vhost: string;
  queues: QueueSettings[];
  policies: RabbitMQPolicySettings[];
}

export interface Settings {
  stack: string;
  platform: Platform;
  environment: Environment;
  kubernetes: KubernetesSettings;
  /** Labels a namespace must carry for its pods to reach the brokers. */
  clientNamespaceLabels: Record<string, string>;
  kafka: KafkaSettings;
  rabbitmq: RabbitMQSettings;
  /** What the smoke gate checks after each deploy (stack config `gate:`). */
  gate: GateSettings;
  inClusterGate: InClusterGateSettings;
}

export class SettingsError extends Error {
  constructor(
    readonly stackName: string,
    readonly problems: string[],
  ) {
    super(
      `stack ${stackName}: ${problems.length} problem${problems.length === 1 ? "" : "s"} in the stack config; nothing was deployed:\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "SettingsError";
  }
}

export interface SettingsContext {
  stack: string;
  /** Directory that holds charts/ and that valuesFile paths are relative to. */
  repoRoot: string;
}

const topLevelKeys = [
  "platform",
  "environment",
  "kubernetes",
  "clientNamespaceLabels",
  "kafka",
  "rabbitmq",
  "gate",
] as const;
const kafkaStackKeys = ["valuesFile", "namespace", "release", "clientUser", "topics"] as const;
const rabbitmqStackKeys = ["valuesFile", "namespace", "release", "vhost", "queues", "policies"] as const;

/**
 * The floors each environment promises. Staging mirrors production so that what is rehearsed there is what runs;
 * the policy pack (infra/policy) enforces the production floors again on what the charts actually render.
 */
export const durabilityFloor: Record<Environment, { replicas: number; replicationFactor: number; minInsync: number }> =
  {
    development: { replicas: 1, replicationFactor: 1, minInsync: 1 },
    staging: { replicas: 3, replicationFactor: 3, minInsync: 2 },
    production: { replicas: 3, replicationFactor: 3, minInsync: 2 },
  };

const labelKey =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const kafkaName = /^[A-Za-z0-9._-]{1,249}$/;
const userName = /^[A-Za-z0-9._-]{1,64}$/;

/** Parses and validates the project's config (already JSON-decoded). Throws SettingsError listing every problem. */
export function parseSettings(raw: Raw, ctx: SettingsContext): Settings {
  const p = new Problems();
  p.knownKeys("config", raw, topLevelKeys);
  const platform = p.oneOf("platform", raw.platform ?? "kubernetes", platforms);
  const embedded = platform === "embedded";
  if (embedded) checkEmbedded(p, raw);
  const environment = p.oneOf("environment", raw.environment, environments);
  const kubernetes = embedded ? {} : parseKubernetes(p, raw.kubernetes);
  const clientNamespaceLabels = embedded ? {} : parseLabels(p, raw.clientNamespaceLabels);
  const kafka = parseKafka(p, embedded ? chartDefaults(raw.kafka, "kafka") : raw.kafka, environment, ctx);
  const rabbitmq = parseRabbitMQ(
    p,
    embedded ? chartDefaults(raw.rabbitmq, "rabbitmq") : raw.rabbitmq,
    environment,
    ctx,
  );
  if (kafka?.namespace !== undefined && kafka.namespace === rabbitmq?.namespace) {
    p.add("rabbitmq.namespace", rabbitmq.namespace, "is also kafka.namespace: each system gets its own namespace");
  }
  const tolerance =
    kafka && rabbitmq
      ? {
          kafka: { replicationFactor: kafka.replicationFactor, minInsyncReplicas: kafka.minInsyncReplicas },
          rabbitmq: { quorumInitialGroupSize: rabbitmq.quorumInitialGroupSize },
        }
      : undefined;
  const gate = parseGate(p, raw.gate, environment, tolerance);
  if (embedded && gate?.inCluster.enabled) {
    p.add(
      "gate.inCluster.enabled",
      true,
      "needs platform kubernetes (the embedded platform has no cluster to run a Job in)",
    );
  }
  if (p.list.length > 0 || !platform || !environment || !kubernetes || !clientNamespaceLabels) {
    throw new SettingsError(ctx.stack, p.list);
  }
  if (!kafka || !rabbitmq || !gate) throw new SettingsError(ctx.stack, p.list);
  return {
    stack: ctx.stack,
    platform,
    environment,
    kubernetes,
    clientNamespaceLabels,
    kafka,
    rabbitmq,
    gate: gate.settings,
    inClusterGate: gate.inCluster,
  };
}

/** What a stack on the embedded platform may set: the embedded environment runs the charts' values.yaml unchanged. */
const embeddedKeys = { kafka: ["valuesFile", "topics"], rabbitmq: ["valuesFile", "queues", "policies"] } as const;

function checkEmbedded(p: Problems, raw: Raw): void {
  for (const key of ["kubernetes", "clientNamespaceLabels"] as const) {
    if (raw[key] !== undefined)
      p.add(key, raw[key], "is not used on platform embedded (there is no Kubernetes): remove it");
  }
  for (const system of ["kafka", "rabbitmq"] as const) {
    const o = raw[system];
    if (typeof o !== "object" || o === null || Array.isArray(o)) continue;
    const values = `charts/${system}/values.yaml`;
    for (const [k, v] of Object.entries(o)) {
      if (k === "valuesFile" && v !== values) {
        p.add(
          `${system}.valuesFile`,
          v,
          `must be ${values} on platform embedded: the embedded environment runs the chart's defaults`,
        );
      } else if (!(embeddedKeys[system] as readonly string[]).includes(k)) {
        p.add(
          `${system}.${k}`,
          v,
          `is not used on platform embedded, which runs ${values} unchanged (change it there, or deploy to Kubernetes)`,
        );
      }
    }
  }
}

/** The embedded platform's base values are the chart's own values.yaml. */
function chartDefaults(value: unknown, chart: "kafka" | "rabbitmq"): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return value ?? { valuesFile: `charts/${chart}/values.yaml` };
  return { valuesFile: `charts/${chart}/values.yaml`, ...value };
}

function parseKubernetes(p: Problems, value: unknown): KubernetesSettings | undefined {
  const k = p.object("kubernetes", value, true);
  if (!k) return undefined;
  p.knownKeys("kubernetes", k, ["context", "kubeconfig", "renderYamlToDirectory"]);
  const out: KubernetesSettings = {};
  if (k.context !== undefined) out.context = p.string("kubernetes.context", k.context);
  if (k.kubeconfig !== undefined) out.kubeconfig = p.string("kubernetes.kubeconfig", k.kubeconfig);
  if (k.renderYamlToDirectory !== undefined) {
    const dir = p.string("kubernetes.renderYamlToDirectory", k.renderYamlToDirectory);
    if (dir !== undefined && !isAbsolute(dir)) {
      p.add("kubernetes.renderYamlToDirectory", dir, "must be an absolute path (relative paths do not render)");
    }
    if (out.context !== undefined || out.kubeconfig !== undefined) {
      p.add(
        "kubernetes.renderYamlToDirectory",
        dir,
        "cannot be combined with kubernetes.context or kubernetes.kubeconfig",
      );
    }
    out.renderYamlToDirectory = dir;
  }
  return out;
}

function parseLabels(p: Problems, value: unknown): Record<string, string> | undefined {
  const key = "clientNamespaceLabels";
  const labels = p.object(key, value);
  if (!labels) return undefined;
  if (Object.keys(labels).length === 0)
    return p.add(key, labels, "must name at least one label (else no client is admitted)");
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) {
    if (!labelKey.test(k)) p.add(`${key}.${k}`, v, "has a key that is not a valid Kubernetes label key");
    const s = p.string(`${key}.${k}`, v, labelValue, "a valid Kubernetes label value (quote true/false/numbers)");
    if (s !== undefined) out[k] = s;
  }
  return out;
}

/**
 * Resolves a chart's base values: chart defaults (values.yaml) then the example file. Returns the example values
 * alone too, since that is what the chart receives (it applies its own defaults).
 */
function loadChartValues(
  p: Problems,
  key: string,
  chart: string,
  valuesFile: unknown,
  ctx: SettingsContext,
): { chartDir: string; valuesFile: string; example: Values; effective: Values } | undefined {
  const file = p.string(`${key}.valuesFile`, valuesFile);
  if (file === undefined) return undefined;
  const chartDir = join(ctx.repoRoot, "charts", chart);
  const path = resolve(ctx.repoRoot, file);
  if (!existsSync(path)) return p.add(`${key}.valuesFile`, file, `does not exist (looked in ${ctx.repoRoot})`);
  try {
    const example = readValuesFile(path);
    const defaultsFile = join(chartDir, "values.yaml");
    const defaults = existsSync(defaultsFile) ? readValuesFile(defaultsFile) : {};
    return { chartDir, valuesFile: relative(ctx.repoRoot, path), example, effective: deepMerge(defaults, example) };
  } catch (e) {
    return p.add(`${key}.valuesFile`, file, `cannot be read: ${(e as Error).message}`);
  }
}

/**
 * Merges stack overrides over the values file for the chart-managed settings. Returns each setting's value and the
 * key to name in messages: a value that came from the file is named with its file, so the fix is obvious.
 */
function overlay<K extends string>(
  p: Problems,
  prefix: string,
  stack: Raw,
  fromFile: Record<K, unknown>,
  valuesFile: string,
): { value: Record<K, unknown>; key: (k: K) => string } {
  const value = { ...fromFile };
  const fromStack = new Set<K>();
  for (const k of Object.keys(fromFile) as K[]) {
    if (stack[k] === undefined) continue;
    if (JSON.stringify(stack[k]) === JSON.stringify(fromFile[k])) {
      p.add(
        `${prefix}.${k}`,
        stack[k],
        `repeats ${valuesFile}; remove it from the stack config (one key, written once)`,
      );
    }
    value[k] = stack[k];
    fromStack.add(k);
  }
  return { value, key: (k) => (fromStack.has(k) ? `${prefix}.${k}` : `${prefix}.${k} (from ${valuesFile})`) };
}

function parseKafka(p: Problems, value: unknown, env: Environment | undefined, ctx: SettingsContext) {
  const raw = p.object("kafka", value);
  if (!raw) return undefined;
  const chartSettingKeys = Object.keys(kafkaSettingsFromValues({})) as Array<keyof KafkaChartSettings>;
  p.knownKeys("kafka", raw, [...kafkaStackKeys, ...chartSettingKeys]);
  const namespace = p.string("kafka.namespace", raw.namespace ?? "kafka", dnsLabel, dnsLabelRule);
  const release = p.string("kafka.release", raw.release ?? "kafka", dnsLabel, dnsLabelRule);
  const base = loadChartValues(p, "kafka", "kafka", raw.valuesFile, ctx);
  if (!base) return undefined;
  const { value: v, key } = overlay(p, "kafka", raw, kafkaSettingsFromValues(base.effective), base.valuesFile);
  const floor = env ? durabilityFloor[env] : undefined;

  const kraftMode = p.oneOf(key("kraftMode"), v.kraftMode, ["dedicated", "combined"]);
  const brokers = p.int(key("brokers"), v.brokers, 1);
  const controllers = kraftMode === "combined" ? brokers : p.int(key("controllers"), v.controllers, 1);
  if (controllers !== undefined && controllers % 2 === 0) {
    p.add(
      key(kraftMode === "combined" ? "brokers" : "controllers"),
      controllers,
      "must be odd: a KRaft quorum of an even size tolerates no more failures than one node fewer",
    );
  }
  const rf = p.int(key("replicationFactor"), v.replicationFactor, 1);
  const minIsr = p.int(key("minInsyncReplicas"), v.minInsyncReplicas, 1);
  const unclean = p.bool(key("uncleanLeaderElection"), v.uncleanLeaderElection);
  const autoCreate = p.bool(key("autoCreateTopics"), v.autoCreateTopics);
  const imageRepository = p.string(key("imageRepository"), v.imageRepository);
  const imageTag = checkImageTag(p, key("imageTag"), v.imageTag);
  const users = parseNames(p, key("users"), v.users, userName);
  for (const u of users ?? []) {
    if ((internalKafkaUsers as readonly string[]).includes(u))
      p.add(key("users"), users, `must not contain "${u}": the chart's own identity`);
  }

  if (brokers !== undefined && rf !== undefined && brokers < rf) {
    p.add(key("brokers"), brokers, `is fewer than ${key("replicationFactor")} = ${rf}`);
  }
  checkReplication(p, env, { rf: [key("replicationFactor"), rf], minIsr: [key("minInsyncReplicas"), minIsr] });
  if (env && env !== "development" && floor) {
    if (brokers !== undefined && brokers < floor.replicas)
      p.add(key("brokers"), brokers, `must be ≥ ${floor.replicas} in ${env}`);
    if (controllers !== undefined && controllers < floor.replicas) {
      p.add(
        key(kraftMode === "combined" ? "brokers" : "controllers"),
        controllers,
        `must be ≥ ${floor.replicas} KRaft voters in ${env}`,
      );
    }
    if (unclean === true)
      p.add(
        key("uncleanLeaderElection"),
        unclean,
        `must be false in ${env}: an unclean leader drops acknowledged records`,
      );
    if (autoCreate === true)
      p.add(key("autoCreateTopics"), autoCreate, `must be false in ${env}: topics are declared in kafka.topics`);
  }

  const clientUser = p.string("kafka.clientUser", raw.clientUser ?? users?.[0], userName, "a SCRAM user name");
  if (clientUser !== undefined && users !== undefined && !users.includes(clientUser)) {
    p.add("kafka.clientUser", clientUser, `is not one of ${key("users")} = ${show(users)}`);
  }
  const topics = parseTopics(p, raw.topics, env, { brokers, rf, minIsr });

  if (!namespace || !release || !kraftMode || brokers === undefined || controllers === undefined) return undefined;
  if (rf === undefined || minIsr === undefined || unclean === undefined || autoCreate === undefined) return undefined;
  if (!imageRepository || !imageTag || !users || !clientUser || !topics) return undefined;
  const settings: KafkaSettings = {
    namespace,
    release,
    chartDir: base.chartDir,
    valuesFile: base.valuesFile,
    exampleValues: base.example,
    ...kafkaChartFacts(base.effective),
    kraftMode,
    brokers,
    controllers,
    replicationFactor: rf,
    minInsyncReplicas: minIsr,
    uncleanLeaderElection: unclean,
    autoCreateTopics: autoCreate,
    imageRepository,
    imageTag,
    users,
    clientUser,
    topics,
  };
  return settings;
}

/** min ISR ≤ RF always; outside development one replica must be allowed to fail; each environment has its floors. */
function checkReplication(
  p: Problems,
  env: Environment | undefined,
  c: { rf: [string, number | undefined]; minIsr: [string, number | undefined] },
): void {
  const [rfKey, rf] = c.rf;
  const [isrKey, minIsr] = c.minIsr;
  if (rf === undefined || minIsr === undefined) return;
  if (minIsr > rf) p.add(isrKey, minIsr, `is more than ${rfKey} = ${rf}: no write could ever be acknowledged`);
  else if (env !== "development" && minIsr === rf) {
    p.add(isrKey, minIsr, `must be less than ${rfKey} = ${rf}: with one replica down, acks=all writes would fail`);
  }
  if (env !== undefined) {
    const floor = durabilityFloor[env];
    if (rf < floor.replicationFactor) p.add(rfKey, rf, `must be ≥ ${floor.replicationFactor} in ${env}`);
    if (minIsr < floor.minInsync) p.add(isrKey, minIsr, `must be ≥ ${floor.minInsync} in ${env}`);
  }
}

function checkImageTag(p: Problems, key: string, value: unknown): string | undefined {
  const tag = p.string(key, value);
  if (tag === undefined) return undefined;
  if (tag === "latest" || !/\d/.test(tag)) return p.add(key, tag, "must pin a version (not latest or a floating tag)");
  return tag;
}

function parseNames(p: Problems, key: string, value: unknown, pattern: RegExp): string[] | undefined {
  const list = p.array(key, value);
  if (!list) return undefined;
  if (list.length === 0) return p.add(key, list, "must name at least one user");
  const names = list.map((n, i) => p.string(`${key}[${i}]`, n, pattern, `a name matching ${pattern}`));
  p.unique(key, names);
  return names.every((n) => n !== undefined) ? (names as string[]) : undefined;
}

function parseTopics(
  p: Problems,
  value: unknown,
  env: Environment | undefined,
  cluster: { brokers?: number; rf?: number; minIsr?: number },
): TopicSettings[] | undefined {
  const list = p.array("kafka.topics", value ?? []);
  if (!list) return undefined;
  const topics = list.map((t, i): TopicSettings | undefined => {
    const key = `kafka.topics[${i}]`;
    const o = p.object(key, t);
    if (!o) return undefined;
    p.knownKeys(key, o, ["name", "partitions", "replicationFactor", "minInsyncReplicas"]);
    const name = p.string(
      `${key}.name`,
      o.name,
      kafkaName,
      "a Kafka topic name ([A-Za-z0-9._-], at most 249 characters)",
    );
    const partitions = p.int(`${key}.partitions`, o.partitions, 1);
    const rfKey = o.replicationFactor === undefined ? "kafka.replicationFactor" : `${key}.replicationFactor`;
    const isrKey = o.minInsyncReplicas === undefined ? "kafka.minInsyncReplicas" : `${key}.minInsyncReplicas`;
    const rf = o.replicationFactor === undefined ? cluster.rf : p.int(rfKey, o.replicationFactor, 1);
    const minIsr = o.minInsyncReplicas === undefined ? cluster.minIsr : p.int(isrKey, o.minInsyncReplicas, 1);
    if (o.replicationFactor !== undefined || o.minInsyncReplicas !== undefined) {
      checkReplication(p, env, { rf: [rfKey, rf], minIsr: [isrKey, minIsr] });
    }
    if (
      o.replicationFactor !== undefined &&
      rf !== undefined &&
      cluster.brokers !== undefined &&
      rf > cluster.brokers
    ) {
      p.add(rfKey, rf, `is more than kafka.brokers = ${cluster.brokers}`);
    }
    if (!name || partitions === undefined || rf === undefined || minIsr === undefined) return undefined;
    return { name, partitions, replicationFactor: rf, minInsyncReplicas: minIsr };
  });
  p.unique(
    "kafka.topics[].name",
    topics.map((t) => t?.name),
  );
  return topics.every((t) => t !== undefined) ? (topics as TopicSettings[]) : undefined;
}

/** Classic mirrored queues are gone in RabbitMQ 4.x; a policy that still sets them does nothing but mislead. */
const removedPolicyKeys = ["ha-mode", "ha-params", "ha-sync-mode", "ha-promote-on-shutdown", "queue-mode"];

function parseRabbitMQ(p: Problems, value: unknown, env: Environment | undefined, ctx: SettingsContext) {
  const raw = p.object("rabbitmq", value);
  if (!raw) return undefined;
  const chartSettingKeys = Object.keys(rabbitmqSettingsFromValues({})) as Array<keyof RabbitMQChartSettings>;
  p.knownKeys("rabbitmq", raw, [...rabbitmqStackKeys, ...chartSettingKeys]);
  const namespace = p.string("rabbitmq.namespace", raw.namespace ?? "rabbitmq", dnsLabel, dnsLabelRule);
  const release = p.string("rabbitmq.release", raw.release ?? "rabbitmq", dnsLabel, dnsLabelRule);
  const base = loadChartValues(p, "rabbitmq", "rabbitmq", raw.valuesFile, ctx);
  if (!base) return undefined;
  const { value: v, key } = overlay(p, "rabbitmq", raw, rabbitmqSettingsFromValues(base.effective), base.valuesFile);

  const replicas = p.int(key("replicas"), v.replicas, 1);
  if (replicas !== undefined && replicas % 2 === 0) {
    p.add(key("replicas"), replicas, "must be odd: an even cluster tolerates no more failures than one node fewer");
  }
  const defaultQueueType = p.oneOf(key("defaultQueueType"), v.defaultQueueType, ["quorum"]);
  const qSize = p.int(key("quorumInitialGroupSize"), v.quorumInitialGroupSize, 1);
  if (qSize !== undefined && replicas !== undefined && qSize > replicas) {
    p.add(key("quorumInitialGroupSize"), qSize, `is more than ${key("replicas")} = ${replicas}`);
  }
  if (env && env !== "development") {
    const floor = durabilityFloor[env].replicas;
    if (replicas !== undefined && replicas < floor) p.add(key("replicas"), replicas, `must be ≥ ${floor} in ${env}`);
    if (qSize !== undefined && qSize < floor)
      p.add(key("quorumInitialGroupSize"), qSize, `must be ≥ ${floor} in ${env}`);
  }
  const imageRepository = p.string(key("imageRepository"), v.imageRepository);
  const imageTag = checkImageTag(p, key("imageTag"), v.imageTag);
  const username = p.string(key("username"), v.username, userName, "a user name matching [A-Za-z0-9._-]");
  const vhost = p.string("rabbitmq.vhost", raw.vhost ?? "/");
  const queues = parseQueues(p, raw.queues);
  const policies = parsePolicies(p, raw.policies);

  if (!namespace || !release || replicas === undefined || !defaultQueueType || qSize === undefined) return undefined;
  if (!imageRepository || !imageTag || !username || !vhost || !queues || !policies) return undefined;
  const settings: RabbitMQSettings = {
    namespace,
    release,
    chartDir: base.chartDir,
    valuesFile: base.valuesFile,
    exampleValues: base.example,
    ports: rabbitmqPorts(base.effective),
    clusterDomain: rabbitmqClusterDomain(base.effective),
    replicas,
    defaultQueueType,
    quorumInitialGroupSize: qSize,
    imageRepository,
    imageTag,
    username,
    vhost,
    queues,
    policies,
  };
  return settings;
}

function parseQueues(p: Problems, value: unknown): QueueSettings[] | undefined {
  const list = p.array("rabbitmq.queues", value ?? []);
  if (!list) return undefined;
  const queues = list.map((q, i): QueueSettings | undefined => {
    const key = `rabbitmq.queues[${i}]`;
    const o = p.object(key, q);
    if (!o) return undefined;
    p.knownKeys(key, o, ["name", "type"]);
    const name = p.string(`${key}.name`, o.name, /^(?!amq\.)[^\s]{1,255}$/, "a queue name (no spaces, not amq.*)");
    const type = p.oneOf(`${key}.type`, o.type ?? "quorum", ["quorum"]);
    return name && type ? { name, type } : undefined;
  });
  p.unique(
    "rabbitmq.queues[].name",
    queues.map((q) => q?.name),
  );
  return queues.every((q) => q !== undefined) ? (queues as QueueSettings[]) : undefined;
}

function parsePolicies(p: Problems, value: unknown): RabbitMQPolicySettings[] | undefined {
  const list = p.array("rabbitmq.policies", value ?? []);
  if (!list) return undefined;
  const policies = list.map((x, i): RabbitMQPolicySettings | undefined => {
    const key = `rabbitmq.policies[${i}]`;
    const o = p.object(key, x);
    if (!o) return undefined;
    p.knownKeys(key, o, ["name", "pattern", "applyTo", "priority", "definition"]);
    const name = p.string(`${key}.name`, o.name);
    let pattern = p.string(`${key}.pattern`, o.pattern);
    if (pattern !== undefined) {
      try {
        new RegExp(pattern);
      } catch {
        pattern = p.add(`${key}.pattern`, pattern, "is not a valid regular expression");
      }
    }
    const applyTo = p.oneOf(`${key}.applyTo`, o.applyTo ?? "queues", [
      "queues",
      "quorum_queues",
      "streams",
      "exchanges",
      "all",
    ]);
    const priority = p.int(`${key}.priority`, o.priority ?? 0, 0);
    const definition = p.object(`${key}.definition`, o.definition);
    if (definition && Object.keys(definition).length === 0)
      p.add(`${key}.definition`, definition, "must set at least one key");
    for (const k of removedPolicyKeys) {
      if (definition?.[k] !== undefined) {
        p.add(
          `${key}.definition.${k}`,
          definition[k],
          "is classic queue mirroring, removed in RabbitMQ 4.x (use quorum queues)",
        );
      }
    }
    if (!name || !pattern || !applyTo || priority === undefined || !definition) return undefined;
    return { name, pattern, applyTo, priority, definition };
  });
  p.unique(
    "rabbitmq.policies[].name",
    policies.map((x) => x?.name),
  );
  return policies.every((x) => x !== undefined) ? (policies as RabbitMQPolicySettings[]) : undefined;
}
