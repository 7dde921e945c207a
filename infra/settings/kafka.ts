// Stack config `kafka:` over charts/kafka values: cluster durability, users, declared topics.

import {
  internalKafkaUsers,
  type KafkaChartFacts,
  type KafkaChartSettings,
  kafkaChartFacts,
  kafkaChartKeys,
  kafkaFactKeys,
  kafkaSettingsFromValues,
} from "../../chart-values/kafka";
import type { Values } from "../../chart-values/values";
import { type Problems, show } from "../problems";
import { kafkaDerivedConfig } from "../values/kafka";
import {
  type BrokerConfig,
  brokerConfig,
  checkImageTag,
  managedConfigKeys,
  openChartSection,
  parseNamedList,
  parseNames,
  type SettingsContext,
  userName,
} from "./chart-base";
import { checkReplication, durabilityFloor, type Environment } from "./levels";

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
  /** Stack config `kafka.config`: server.properties keys written over the chart's `config:` map (after the file). */
  config: BrokerConfig;
  /** The SCRAM user the smoke tests connect as. */
  clientUser: string;
  topics: TopicSettings[];
}

const kafkaStackKeys = ["valuesFile", "namespace", "release", "config", "clientUser", "topics"] as const;

/** server.properties keys `kafka.config` must not set, each with the rule that says where they are set instead. */
const kafkaOwnedConfig = new Map<string, string>([
  ...managedConfigKeys(kafkaChartKeys, kafkaFactKeys.config).map(([k, setting]): [string, string] => [
    k,
    `is a managed setting: use kafka.${setting}`,
  ]),
  ...Object.entries(kafkaDerivedConfig).map(([k, setting]): [string, string] => [
    k,
    `is derived from kafka.${setting} (internal topics get the durability of user topics): set kafka.${setting} instead`,
  ]),
]);
const kafkaName = /^[A-Za-z0-9._-]{1,249}$/;

export function parseKafka(p: Problems, value: unknown, env: Environment | undefined, ctx: SettingsContext) {
  const section = openChartSection(p, "kafka", value, kafkaStackKeys, kafkaSettingsFromValues, ctx);
  if (!section) return undefined;
  const { raw, namespace, release, base, value: v, key } = section;
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
  const config = brokerConfig(
    p,
    "kafka",
    "server.properties",
    raw.config,
    base,
    kafkaFactKeys.config,
    kafkaOwnedConfig,
  );

  if (!namespace || !release || !kraftMode || brokers === undefined || controllers === undefined) return undefined;
  if (rf === undefined || minIsr === undefined || unclean === undefined || autoCreate === undefined) return undefined;
  if (!imageRepository || !imageTag || !users || !clientUser || !topics || !config) return undefined;
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
    config,
    clientUser,
    topics,
  };
  return settings;
}

function parseTopics(
  p: Problems,
  value: unknown,
  env: Environment | undefined,
  cluster: { brokers?: number; rf?: number; minIsr?: number },
): TopicSettings[] | undefined {
  const known = ["name", "partitions", "replicationFactor", "minInsyncReplicas"];
  return parseNamedList(p, "kafka.topics", value, known, (key, o): TopicSettings | undefined => {
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
}
