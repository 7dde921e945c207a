// Chart values → rabbitmq.conf, enabled_plugins and environment for one embedded RabbitMQ node. Queue and cluster
// behaviour come from the chart's `config:` map; this module swaps Kubernetes peer discovery for the classic
// config list of the embedded nodes and adds what the embedded topology decides (node names, ports, credentials).
import {
  rabbitmqChartKeys,
  rabbitmqExpected,
  rabbitmqFactKeys,
  rabbitmqSettingsFromValues,
} from "../../chart-values/rabbitmq";
import {
  loadValues,
  requireFlatMap,
  requireNumber,
  requireString,
  requireStringList,
  type Scalar,
  type ValuesSource,
} from "../../chart-values/source";
import type { Values } from "../../chart-values/values";
import type { RabbitMQTarget } from "../../contract/target";
import { type SplitChartConfig, splitChartConfig } from "../dropped-key";
import { type EmbeddedNode, rabbitmqNodeName } from "../topology";

/** What the embedded environment needs from charts/rabbitmq/values.yaml, read through chart-values/rabbitmq.ts. */
export interface EmbeddedRabbitMQSettings {
  config: Record<string, Scalar>;
  replicas: number;
  ports: { amqp: number; management: number; prometheus: number; epmd: number; dist: number };
  username: string;
  plugins: string[];
  /** The durability the chart's values promise (target.expected), as the Pulumi program reads it too. */
  expected: RabbitMQTarget["expected"];
}

const dotted = (path: readonly string[]) => path.join(".");

export function embeddedRabbitMQSettings(src: ValuesSource): EmbeddedRabbitMQSettings {
  const managed = rabbitmqSettingsFromValues((src.values ?? {}) as Values);
  const replicas = requireNumber(src, dotted(rabbitmqChartKeys.replicas));
  const queueType = managed.defaultQueueType;
  if (queueType === undefined) requireString(src, dotted(rabbitmqChartKeys.defaultQueueType));
  if (queueType !== "quorum") throw new Error(`${src.file}: config.default_queue_type is ${String(queueType)}`);
  const groupSize = managed.quorumInitialGroupSize;
  if (groupSize === undefined) requireString(src, dotted(rabbitmqChartKeys.quorumInitialGroupSize));
  if (typeof groupSize !== "number")
    throw new Error(`${src.file}: \`${dotted(rabbitmqChartKeys.quorumInitialGroupSize)}\` must be a number`);
  return {
    config: requireFlatMap(src, dotted(rabbitmqFactKeys.config)),
    replicas,
    ports: {
      amqp: requireNumber(src, dotted(rabbitmqFactKeys.amqpPort)),
      management: requireNumber(src, dotted(rabbitmqFactKeys.managementPort)),
      prometheus: requireNumber(src, dotted(rabbitmqFactKeys.prometheusPort)),
      epmd: requireNumber(src, dotted(rabbitmqFactKeys.epmdPort)),
      dist: requireNumber(src, dotted(rabbitmqFactKeys.distPort)),
    },
    username: requireString(src, dotted(rabbitmqChartKeys.username)),
    plugins: requireStringList(src, dotted(rabbitmqFactKeys.plugins)),
    expected: rabbitmqExpected({ quorumInitialGroupSize: groupSize, replicas }),
  };
}

export const readRabbitMQSettings = () => embeddedRabbitMQSettings(loadValues("rabbitmq"));

/** Settings the embedded topology decides; a chart value for them is replaced. */
const TOPOLOGY_KEY = /^(listeners\.tcp\.|management\.tcp\.|prometheus\.tcp\.|cluster_formation\.classic_config\.)/;
const TOPOLOGY_KEYS = ["default_user", "default_pass", "cluster_formation.peer_discovery_backend"];

/** Pod-only settings: Kubernetes peer discovery and anything that reads the pod's environment. */
function kubernetesOnly(key: string, value: Scalar): string | undefined {
  if (key.startsWith("cluster_formation.k8s.")) return "Kubernetes peer discovery; embedded nodes use classic_config";
  if (typeof value === "string" && value.includes("$(")) return "filled from the pod's environment on Kubernetes";
  return undefined;
}

export function chartRabbitConfig(settings: EmbeddedRabbitMQSettings): SplitChartConfig {
  return splitChartConfig(
    settings.config,
    (key) => TOPOLOGY_KEY.test(key) || TOPOLOGY_KEYS.includes(key),
    kubernetesOnly,
  );
}

/** Plugins that only work in a pod. */
export function embeddedPlugins(settings: EmbeddedRabbitMQSettings): string[] {
  return settings.plugins.filter((p) => p !== "rabbitmq_peer_discovery_k8s");
}

/**
 * Settings only the embedded environment adds, each for a reason that does not apply to a pod:
 * - memory: a pod's limit comes from its cgroup; here three nodes share the machine, so each gets a fixed share;
 * - net_ticktime: nodes here are "partitioned" by iptables in tests, and the Erlang default (60 s) would make every
 *   partition test wait over a minute before peers notice (RabbitMQ's own Jepsen suite uses 15 s for the same reason).
 */
export const EMBEDDED_ONLY_SETTINGS: Record<string, string> = {
  total_memory_available_override_value: "2GB",
  net_ticktime: "15",
};

export interface NodeCredentials {
  username: string;
  password: string;
}

export function rabbitmqConf(
  settings: EmbeddedRabbitMQSettings,
  cluster: EmbeddedNode[],
  credentials: NodeCredentials,
): Record<string, string> {
  const peers = Object.fromEntries(
    cluster.map((n, i) => [`cluster_formation.classic_config.nodes.${i + 1}`, rabbitmqNodeName(n)]),
  );
  return {
    ...chartRabbitConfig(settings).config,
    ...EMBEDDED_ONLY_SETTINGS,
    "cluster_formation.peer_discovery_backend": "classic_config",
    ...peers,
    "listeners.tcp.default": String(settings.ports.amqp),
    "management.tcp.port": String(settings.ports.management),
    "prometheus.tcp.port": String(settings.ports.prometheus),
    default_user: credentials.username,
    default_pass: credentials.password,
    "default_user_tags.administrator": "true",
    "default_permissions.configure": ".*",
    "default_permissions.read": ".*",
    "default_permissions.write": ".*",
    // The node's log goes to stdout, which the environment appends to logs/<node>.log.
    "log.console": "true",
    "log.file": "false",
  };
}

export function renderRabbitConf(conf: Record<string, string>): string {
  return `${Object.entries(conf)
    .map(([k, v]) => `${k} = ${v}`)
    .join("\n")}\n`;
}

export const renderEnabledPlugins = (plugins: string[]) => `[${plugins.join(",")}].\n`;

/** Environment of one node's rabbitmq-server; paths are inside the node's root filesystem. */
export function rabbitmqEnv(
  settings: EmbeddedRabbitMQSettings,
  node: EmbeddedNode,
  dirs: { base: string; config: string; plugins: string },
): Record<string, string> {
  return {
    RABBITMQ_NODENAME: rabbitmqNodeName(node),
    RABBITMQ_USE_LONGNAME: "false",
    RABBITMQ_DIST_PORT: String(settings.ports.dist),
    ERL_EPMD_PORT: String(settings.ports.epmd),
    RABBITMQ_MNESIA_BASE: `${dirs.base}/mnesia`,
    RABBITMQ_LOG_BASE: `${dirs.base}/log`,
    RABBITMQ_PID_FILE: `${dirs.base}/rabbitmq.pid`,
    RABBITMQ_CONFIG_FILE: dirs.config,
    RABBITMQ_ENABLED_PLUGINS_FILE: dirs.plugins,
    RABBITMQ_LOGS: "-",
    // Exec the Erlang VM directly instead of behind a shell that traps signals: the node's pid is the VM's, and
    // SIGTERM to it is a graceful stop (the VM handles it as init:stop).
    RUNNING_UNDER_SYSTEMD: "true",
    // Six brokers share two cores: no busy-waiting schedulers.
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: "+sbwt none +sbwtdcpu none +sbwtdio none",
  };
}
