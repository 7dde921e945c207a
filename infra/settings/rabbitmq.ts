// Stack config `rabbitmq:` over charts/rabbitmq values: cluster size, quorum queues, policies.

import {
  type RabbitMQChartSettings,
  type RabbitMQPorts,
  rabbitmqChartKeys,
  rabbitmqClusterDomain,
  rabbitmqFactKeys,
  rabbitmqPorts,
  rabbitmqSettingsFromValues,
  rabbitmqTls,
} from "../../chart-values/rabbitmq";
import { pick, type Values } from "../../chart-values/values";
import type { Problems } from "../problems";
import {
  type BrokerConfig,
  brokerConfig,
  checkImageTag,
  managedConfigKeys,
  openChartSection,
  parseNamedList,
  type SettingsContext,
  userName,
} from "./chart-base";
import { durabilityFloor, type Environment } from "./levels";

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
  /** AMQP and the management API over TLS only (the chart's `tls.enabled`, or the stack's `tls`). */
  tls: boolean;
  /** The Erlang distribution over TLS too (the stack's `tls.distribution`; the chart's `tls.distribution`). */
  distributionTls: boolean;
  /** Stack config `rabbitmq.config`: rabbitmq.conf keys written over the chart's `config:` map (after the file). */
  config: BrokerConfig;
  vhost: string;
  queues: QueueSettings[];
  policies: RabbitMQPolicySettings[];
}

const rabbitmqStackKeys = ["valuesFile", "namespace", "release", "config", "vhost", "queues", "policies"] as const;

/** rabbitmq.conf keys `rabbitmq.config` must not set: each belongs to a managed setting with its own stack key. */
const rabbitmqOwnedConfig = new Map<string, string>(
  managedConfigKeys(rabbitmqChartKeys, rabbitmqFactKeys.config).map(([k, setting]): [string, string] => [
    k,
    `is a managed setting: use rabbitmq.${setting}`,
  ]),
);

/** Classic mirrored queues are gone in RabbitMQ 4.x; a policy that still sets them does nothing but mislead. */
export const removedPolicyKeys = ["ha-mode", "ha-params", "ha-sync-mode", "ha-promote-on-shutdown", "queue-mode"];

export function parseRabbitMQ(p: Problems, value: unknown, env: Environment | undefined, ctx: SettingsContext) {
  const section = openChartSection(p, "rabbitmq", value, rabbitmqStackKeys, rabbitmqSettingsFromValues, ctx);
  if (!section) return undefined;
  const { raw, namespace, release, base, value: v, key } = section;

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
  const config = brokerConfig(
    p,
    "rabbitmq",
    "rabbitmq.conf",
    raw.config,
    base,
    rabbitmqFactKeys.config,
    rabbitmqOwnedConfig,
  );

  if (!namespace || !release || replicas === undefined || !defaultQueueType || qSize === undefined) return undefined;
  if (!imageRepository || !imageTag || !username || !vhost || !queues || !policies || !config) return undefined;
  const settings: RabbitMQSettings = {
    namespace,
    release,
    chartDir: base.chartDir,
    valuesFile: base.valuesFile,
    exampleValues: base.example,
    ports: rabbitmqPorts(base.effective),
    tls: rabbitmqTls(base.effective),
    distributionTls: rabbitmqTls(base.effective) && pick(base.effective, ["tls", "distribution"]) === true,
    clusterDomain: rabbitmqClusterDomain(base.effective),
    config,
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

export function parseQueues(p: Problems, value: unknown): QueueSettings[] | undefined {
  return parseNamedList(p, "rabbitmq.queues", value, ["name", "type"], (key, o): QueueSettings | undefined => {
    const name = p.string(`${key}.name`, o.name, /^(?!amq\.)[^\s]{1,255}$/, "a queue name (no spaces, not amq.*)");
    const type = p.oneOf(`${key}.type`, o.type ?? "quorum", ["quorum"]);
    return name && type ? { name, type } : undefined;
  });
}

export function parsePolicies(p: Problems, value: unknown): RabbitMQPolicySettings[] | undefined {
  const known = ["name", "pattern", "applyTo", "priority", "definition"];
  return parseNamedList(p, "rabbitmq.policies", value, known, (key, o): RabbitMQPolicySettings | undefined => {
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
}
