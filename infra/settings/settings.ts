// The stack config, typed and validated before any resource is registered. Each chart's example values file is the
// base (named by `kafka.valuesFile` / `rabbitmq.valuesFile`); the stack config overrides only what differs, and
// repeating a value the file already sets is itself an error (one key, written once). Every problem is collected
// and reported in one error: `<key> = <value> <rule>`.
import type { GateSettings } from "../../contract/gate-settings";
import { workersBeyondPartitions } from "../../contract/worker-partitions";
import { throwawayProblem } from "../../toolchain/src/stack-secrets";
import { Problems, type Raw } from "../problems";
import type { SettingsContext } from "./chart-base";
import { chartDefaults, checkEmbedded } from "./embedded";
import { type InClusterGateSettings, parseGate } from "./gate";
import { type KafkaSettings, parseKafka } from "./kafka";
import { type KubernetesSettings, parseKubernetes, parseLabels } from "./kubernetes";
import { type Environment, environments, type Platform, platforms } from "./levels";
import { type MonitoringSettings, parseMonitoring } from "./monitoring";
import { parseRabbitMQ, type RabbitMQSettings } from "./rabbitmq";
import { parseTls, type TlsSettings } from "./tls";

export interface Settings {
  stack: string;
  platform: Platform;
  environment: Environment;
  kubernetes: KubernetesSettings;
  /** Labels a namespace must carry for its pods to reach the brokers. */
  clientNamespaceLabels: Record<string, string>;
  /**
   * Addresses outside the cluster the brokers admit as clients too (stack config `clientAddresses`, IPv4 CIDRs):
   * where drills run from a machine rather than a pod (the cluster stack: this machine, 10.214.0.1/32).
   */
  clientAddresses: string[];
  kafka: KafkaSettings;
  rabbitmq: RabbitMQSettings;
  /** What the smoke gate checks after each deploy (stack config `gate:`). */
  gate: GateSettings;
  inClusterGate: InClusterGateSettings;
  /** TLS on every listener, with the program's own CA (stack config `tls:`). */
  tls: TlsSettings;
  /** A Prometheus in the cluster scraping both brokers (stack config `monitoring:`; off by default). */
  monitoring: MonitoringSettings;
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

const topLevelKeys = [
  "platform",
  "environment",
  "kubernetes",
  "clientNamespaceLabels",
  "clientAddresses",
  "kafka",
  "rabbitmq",
  "gate",
  "tls",
  "monitoring",
  // Read before Pulumi runs, to choose the stack's passphrase (toolchain/src/stack-secrets.ts); checked here too.
  "throwaway",
] as const;

/** Parses and validates the project's config (already JSON-decoded). Throws SettingsError listing every problem. */
export function parseSettings(raw: Raw, ctx: SettingsContext): Settings {
  const p = new Problems();
  p.knownKeys("config", raw, topLevelKeys);
  const platform = p.oneOf("platform", raw.platform ?? "kubernetes", platforms);
  const embedded = platform === "embedded";
  if (embedded) checkEmbedded(p, raw);
  const environment = p.oneOf("environment", raw.environment, environments);
  const throwaway = throwawayProblem(raw.throwaway, raw.environment);
  if (throwaway) p.add("throwaway", raw.throwaway, throwaway);
  const kubernetes = embedded ? {} : parseKubernetes(p, raw.kubernetes, platform, ctx);
  const clientNamespaceLabels = embedded ? {} : parseLabels(p, raw.clientNamespaceLabels);
  const clientAddresses = parseClientAddresses(p, raw.clientAddresses);
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
  // The gate's Kafka loads run on the first declared topic (the target's topics[0]): its partitions bound the workers.
  const tooMany =
    gate?.settings.systems.includes("kafka") &&
    workersBeyondPartitions("kafka", gate.settings.workers ?? 1, kafka?.topics[0], "gate.workers");
  if (tooMany) p.add(tooMany.field, tooMany.value, tooMany.rule);
  const tls = parseTls(p, raw.tls, environment, platform);
  const monitoring = parseMonitoring(p, raw.monitoring, platform, [kafka?.namespace, rabbitmq?.namespace], ctx);
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
  if (!kafka || !rabbitmq || !gate || !tls || !monitoring) throw new SettingsError(ctx.stack, p.list);
  // The program's TLS covers every listener; without it the charts' own values decide (a client listener may still
  // serve a certificate of the user's, e.g. from cert-manager).
  if (tls.enabled) {
    kafka.clientTls = true;
    rabbitmq.tls = true;
    rabbitmq.distributionTls = tls.distribution;
  }
  return {
    stack: ctx.stack,
    platform,
    environment,
    kubernetes,
    clientNamespaceLabels,
    clientAddresses,
    kafka,
    rabbitmq,
    gate: gate.settings,
    inClusterGate: gate.inCluster,
    tls,
    monitoring,
  };
}

const ipv4Cidr = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;

/** Stack config `clientAddresses`: a list of IPv4 CIDRs, none wider than /16 (an allow rule, not a hole). */
export function parseClientAddresses(p: Problems, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    p.add("clientAddresses", value, "must be a list of IPv4 CIDRs (e.g. [10.214.0.1/32])");
    return [];
  }
  return value.filter((v, i) => {
    if (typeof v !== "string" || !ipv4Cidr.test(v)) {
      p.add(`clientAddresses[${i}]`, v, "must be an IPv4 CIDR such as 10.214.0.1/32");
      return false;
    }
    if (Number(v.split("/")[1]) < 16) {
      p.add(`clientAddresses[${i}]`, v, "is wider than /16: name the clients' own addresses");
      return false;
    }
    return true;
  });
}
