// Settings → charts/kafka values and the object names the chart renders. Reading the values is chart-values/kafka.ts;
// everything else speaks in settings (infra/settings/).

import {
  type KafkaChartFacts,
  type KafkaChartSettings,
  type KraftMode,
  kafkaChartKeys,
  kafkaFactKeys,
} from "../../chart-values/kafka";
import type { Scalar } from "../../chart-values/source";
import { deepMerge, nest, type Values } from "../../chart-values/values";
import type { NodeRef } from "../../contract/target";

/** What the program wires into the chart: the Secrets it creates (keys documented on each) and client peers. */
export interface KafkaWiring {
  /** One key per SCRAM user name (client users plus internalKafkaUsers), value = that user's password. */
  scramUsers: string;
  /** Key `cluster-id`: the KRaft cluster id (22 characters, base64url of 16 random bytes). */
  clusterId: string;
  /** NetworkPolicy peers admitted to the client listener (chart `networkPolicy.clientFrom`). */
  clientFrom: unknown[];
  /**
   * With TLS: a kubernetes.io/tls Secret (tls.crt, tls.key, ca.crt) every listener serves (client, internal,
   * controller), and a fingerprint of its certificate that rolls the brokers when it is re-issued.
   */
  tls?: { secretName: string; certificateHash: unknown };
}

/** The chart's listeners; with the program's TLS every one of them is SASL_SSL. */
export const kafkaListeners = ["client", "internal", "controller"] as const;

/** Pod annotation carrying the served certificate's fingerprint: a new certificate is a new pod template. */
export const tlsCertificateAnnotation = "messaging-platform.io/tls-certificate";

/** charts/kafka takes both as existing Secrets (values.yaml `auth.sasl.existingSecret`, `kraft.existingClusterIdSecret`). */
const secretKeys = {
  scramUsers: ["auth", "sasl", "existingSecret"],
  clusterId: ["kraft", "existingClusterIdSecret"],
} as const;

/**
 * server.properties keys the program derives from a managed setting: internal topics (__consumer_offsets,
 * transaction state) get the same replication as user topics, since the broker defaults for them ignore
 * default.replication.factor and a lost offsets partition is lost consumer progress.
 */
export const kafkaDerivedConfig = {
  "offsets.topic.replication.factor": "replicationFactor",
  "transaction.state.log.replication.factor": "replicationFactor",
  "transaction.state.log.min.isr": "minInsyncReplicas",
} as const satisfies Record<string, keyof KafkaChartSettings>;

/**
 * The values handed to the chart: the example file, the stack's `kafka.config` over its `config:` map, then the
 * stack's settings and the keys derived from them (kafkaDerivedConfig), which settings keep out of `kafka.config`.
 */
export function kafkaChartValues(
  example: Values,
  s: KafkaChartSettings & { config: Record<string, Scalar> },
  wiring: KafkaWiring,
): Values {
  // In combined mode the broker pool holds the voters: controllers.replicas means nothing and stays as the file has it.
  const managed = Object.entries(kafkaChartKeys)
    .filter(([setting]) => !(setting === "controllers" && s.kraftMode === "combined"))
    .map(([setting, path]) => nest(path, s[setting as keyof KafkaChartSettings]));
  const derived = Object.entries(kafkaDerivedConfig).map(([key, setting]) => [key, s[setting]]);
  return deepMerge(
    example,
    nest(kafkaFactKeys.config, s.config),
    ...managed,
    nest(kafkaFactKeys.config, Object.fromEntries(derived)),
    nest(secretKeys.scramUsers, wiring.scramUsers),
    nest(secretKeys.clusterId, wiring.clusterId),
    { networkPolicy: { enabled: true, clientFrom: wiring.clientFrom } },
    wiring.tls === undefined
      ? {}
      : {
          listeners: Object.fromEntries(
            kafkaListeners.map((l) => [l, { tls: { enabled: true, secretName: wiring.tls?.secretName } }]),
          ),
          podAnnotations: { [tlsCertificateAnnotation]: wiring.tls.certificateHash },
        },
  );
}

export interface KafkaTopology {
  statefulSets: string[];
  /** Label selector matching every Kafka pod of the release (brokers and controllers). */
  podSelector: string;
  /** Labels of the pods clients connect to (the brokers). */
  brokerPodLabels: Record<string, string>;
  nodes: NodeRef[];
  bootstrapServers: string[];
  /** Every name a listener answers to: each node's host name and the bootstrap Service's names (the SANs). */
  dnsNames: string[];
}

/** A Service's names as clients in the cluster write them: short, with namespace, .svc, and the full domain. */
export function serviceNames(service: string, namespace: string, clusterDomain: string): string[] {
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.${clusterDomain}`,
  ];
}

/** The chart's `kafka.fullname`: the release name when it already contains "kafka", else `<release>-kafka`. */
export function kafkaFullname(release: string): string {
  return (release.includes("kafka") ? release : `${release}-kafka`).slice(0, 40).replace(/-+$/, "");
}

/**
 * Object names charts/kafka renders for a release (templates/_helpers.tpl): StatefulSets `<fullname>-controller`
 * and `<fullname>-broker`, each with a headless Service `<name>-headless`; node ids nodeIdBase + ordinal; in
 * combined mode the broker pool holds the KRaft voters.
 */
export function kafkaTopology(
  t: {
    release: string;
    namespace: string;
    kraftMode: KraftMode;
    brokers: number;
    controllers: number;
  } & KafkaChartFacts,
): KafkaTopology {
  const instance = { "app.kubernetes.io/name": "kafka", "app.kubernetes.io/instance": t.release };
  const host = (sts: string, i: number) => `${sts}-${i}.${sts}-headless.${t.namespace}.svc.${t.clusterDomain}`;
  const broker = `${kafkaFullname(t.release)}-broker`;
  const controller = `${kafkaFullname(t.release)}-controller`;
  const combined = t.kraftMode === "combined";
  const brokerNodes: NodeRef[] = range(t.brokers).map((i) => ({
    name: `${broker}-${i}`,
    host: host(broker, i),
    id: String(t.brokerNodeIdBase + i),
    roles: combined ? ["broker", "controller"] : ["broker"],
  }));
  const controllerNodes: NodeRef[] = combined
    ? []
    : range(t.controllers).map((i) => ({
        name: `${controller}-${i}`,
        host: host(controller, i),
        id: String(t.controllerNodeIdBase + i),
        roles: ["controller"],
      }));
  return {
    statefulSets: combined ? [broker] : [controller, broker],
    podSelector: selector(instance),
    brokerPodLabels: { ...instance, "app.kubernetes.io/component": "broker" },
    nodes: [...controllerNodes, ...brokerNodes],
    bootstrapServers: brokerNodes.map((n) => `${n.host}:${t.clientPort}`),
    dnsNames: [
      ...[...controllerNodes, ...brokerNodes].map((n) => n.host),
      ...serviceNames(kafkaFullname(t.release), t.namespace, t.clusterDomain),
    ],
  };
}
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

export function selector(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}
