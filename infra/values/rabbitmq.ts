// Settings ↔ charts/rabbitmq values. The only place that knows the chart's key names and object names.
import type { NodeRef } from "../../contract/target";
import { deepMerge, nest, pick, scalar, type Values } from "./common";
import { range, selector } from "./kafka";

export interface RabbitMQChartSettings {
  replicas: number;
  /** rabbitmq.conf `default_queue_type`: the platform only promises quorum queues. */
  defaultQueueType: string;
  /** rabbitmq.conf `quorum_queue.initial_cluster_size`: members of each new quorum queue. */
  quorumInitialGroupSize: number;
  imageRepository: string;
  imageTag: string;
  /** The default (administrator) user; its password is generated. */
  username: string;
}

const chartKeys: Record<keyof RabbitMQChartSettings, readonly string[]> = {
  replicas: ["replicas"],
  defaultQueueType: ["config", "default_queue_type"],
  quorumInitialGroupSize: ["config", "quorum_queue.initial_cluster_size"],
  imageRepository: ["image", "repository"],
  imageTag: ["image", "tag"],
  username: ["auth", "username"],
};

/** What the program wires into the chart: the Secrets it creates and the client peers. */
export interface RabbitMQWiring {
  /** Keys `username` and `password`: the default user. */
  defaultUser: string;
  /** Key `cookie`: the Erlang cookie every node of the cluster shares. */
  erlangCookie: string;
  /** NetworkPolicy peers admitted to the AMQP and management ports. */
  clientFrom: unknown[];
}

/** charts/rabbitmq takes both as existing Secrets (values.yaml `auth.existingSecret`, `erlangCookie.existingSecret`). */
const secretKeys = {
  defaultUser: ["auth", "existingSecret"],
  erlangCookie: ["erlangCookie", "existingSecret"],
} as const;

export function rabbitmqSettingsFromValues(values: Values): Record<keyof RabbitMQChartSettings, unknown> {
  const out = {} as Record<keyof RabbitMQChartSettings, unknown>;
  for (const [setting, path] of Object.entries(chartKeys) as Array<[keyof RabbitMQChartSettings, readonly string[]]>) {
    out[setting] = scalar(pick(values, path));
  }
  return out;
}

export interface RabbitMQPorts {
  amqp: number;
  management: number;
}

export function rabbitmqPorts(values: Values): RabbitMQPorts {
  return {
    amqp: Number(pick(values, ["ports", "amqp"]) ?? 5672),
    management: Number(pick(values, ["ports", "management"]) ?? 15672),
  };
}

export function rabbitmqClusterDomain(values: Values): string {
  return String(pick(values, ["clusterDomain"]) ?? "cluster.local");
}

export function rabbitmqChartValues(example: Values, s: RabbitMQChartSettings, wiring: RabbitMQWiring): Values {
  const managed = Object.entries(chartKeys).map(([k, path]) => nest(path, s[k as keyof RabbitMQChartSettings]));
  return deepMerge(
    example,
    ...managed,
    nest(secretKeys.defaultUser, wiring.defaultUser),
    nest(secretKeys.erlangCookie, wiring.erlangCookie),
    { networkPolicy: { enabled: true, clientFrom: wiring.clientFrom } },
  );
}

export interface RabbitMQTopology {
  statefulSet: string;
  podSelector: string;
  podLabels: Record<string, string>;
  nodes: NodeRef[];
  amqpUrls: string[];
  managementUrls: string[];
}

/** The chart's `rabbitmq.fullname`: the release name when it already contains "rabbitmq", else `<release>-rabbitmq`. */
export function rabbitmqFullname(release: string): string {
  return (release.includes("rabbitmq") ? release : `${release}-rabbitmq`).slice(0, 40).replace(/-+$/, "");
}

/**
 * Object names charts/rabbitmq renders (templates/_helpers.tpl, statefulset.yaml): a StatefulSet `<fullname>`, its
 * headless Service `<fullname>-nodes`, Helm-standard labels, and long node names rabbit@<pod>.<headless>.<namespace>.
 */
export function rabbitmqTopology(t: {
  release: string;
  namespace: string;
  replicas: number;
  ports: RabbitMQPorts;
  clusterDomain: string;
}): RabbitMQTopology {
  const podLabels = { "app.kubernetes.io/name": "rabbitmq", "app.kubernetes.io/instance": t.release };
  const sts = rabbitmqFullname(t.release);
  const pods = range(t.replicas).map((i) => ({ pod: `${sts}-${i}`, domain: `${sts}-nodes.${t.namespace}` }));
  const host = (x: { pod: string; domain: string }) => `${x.pod}.${x.domain}.svc.${t.clusterDomain}`;
  return {
    statefulSet: sts,
    podSelector: selector(podLabels),
    podLabels,
    nodes: pods.map((x) => ({ name: x.pod, host: host(x), id: `rabbit@${x.pod}.${x.domain}`, roles: ["broker"] })),
    amqpUrls: pods.map((x) => `amqp://${host(x)}:${t.ports.amqp}`),
    managementUrls: pods.map((x) => `http://${host(x)}:${t.ports.management}`),
  };
}
