// Settings → charts/rabbitmq values and the object names the chart renders. Reading the values is
// chart-values/rabbitmq.ts.

import {
  type RabbitMQChartSettings,
  type RabbitMQPorts,
  rabbitmqChartKeys,
  rabbitmqFactKeys,
} from "../../chart-values/rabbitmq";
import type { Scalar } from "../../chart-values/source";
import { deepMerge, nest, type Values } from "../../chart-values/values";
import type { NodeRef } from "../../contract/target";
import { range, selector, serviceNames, tlsCertificateAnnotation } from "./kafka";

/** What the program wires into the chart: the Secrets it creates and the client peers. */
export interface RabbitMQWiring {
  /** Keys `username` and `password`: the default user. */
  defaultUser: string;
  /** Key `cookie`: the Erlang cookie every node of the cluster shares. */
  erlangCookie: string;
  /** NetworkPolicy peers admitted to the AMQP and management ports. */
  clientFrom: unknown[];
  /** With TLS: the kubernetes.io/tls Secret (tls.crt, tls.key, ca.crt) AMQP and management serve, and its fingerprint. */
  tls?: { secretName: string; certificateHash: unknown; distribution: boolean };
}

/** charts/rabbitmq takes both as existing Secrets (values.yaml `auth.existingSecret`, `erlangCookie.existingSecret`). */
const secretKeys = {
  defaultUser: ["auth", "existingSecret"],
  erlangCookie: ["erlangCookie", "existingSecret"],
} as const;

/** The values handed to the chart: the example file, the stack's `rabbitmq.config` over its `config:` map, then the stack's settings. */
export function rabbitmqChartValues(
  example: Values,
  s: RabbitMQChartSettings & { config: Record<string, Scalar> },
  wiring: RabbitMQWiring,
): Values {
  const managed = Object.entries(rabbitmqChartKeys).map(([k, path]) => nest(path, s[k as keyof RabbitMQChartSettings]));
  return deepMerge(
    example,
    nest(rabbitmqFactKeys.config, s.config),
    ...managed,
    nest(secretKeys.defaultUser, wiring.defaultUser),
    nest(secretKeys.erlangCookie, wiring.erlangCookie),
    { networkPolicy: { enabled: true, clientFrom: wiring.clientFrom } },
    wiring.tls === undefined
      ? {}
      : {
          // The program's TLS covers the Erlang distribution too (stack config tls.distribution, on by default):
          // quorum-queue replication carries every message body.
          tls: { enabled: true, secretName: wiring.tls.secretName, distribution: wiring.tls.distribution },
          podAnnotations: { [tlsCertificateAnnotation]: wiring.tls.certificateHash },
        },
  );
}

export interface RabbitMQTopology {
  statefulSet: string;
  podSelector: string;
  podLabels: Record<string, string>;
  nodes: NodeRef[];
  amqpUrls: string[];
  managementUrls: string[];
  /** With TLS: the plaintext endpoints TLS replaced, which must refuse (the gate checks). */
  plaintextUrls?: string[];
  /** With TLS: the Erlang distribution's port on every node, which speaks TLS only (the gate's distribution check). */
  distribution?: { port: number; tls: true };
  /**
   * Every name the nodes answer to (the SANs): each node's host name, with and without `svc.<cluster domain>` (the
   * Erlang distribution dials the host part of the node name, rabbit@<pod>.<headless>.<namespace>), and the client
   * Service's names.
   */
  dnsNames: string[];
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
  tls: boolean;
  distributionTls?: boolean;
}): RabbitMQTopology {
  const podLabels = { "app.kubernetes.io/name": "rabbitmq", "app.kubernetes.io/instance": t.release };
  const sts = rabbitmqFullname(t.release);
  const pods = range(t.replicas).map((i) => ({ pod: `${sts}-${i}`, domain: `${sts}-nodes.${t.namespace}` }));
  const host = (x: { pod: string; domain: string }) => `${x.pod}.${x.domain}.svc.${t.clusterDomain}`;
  const nodeHost = (x: { pod: string; domain: string }) => `${x.pod}.${x.domain}`;
  return {
    statefulSet: sts,
    podSelector: selector(podLabels),
    podLabels,
    nodes: pods.map((x) => ({ name: x.pod, host: host(x), id: `rabbit@${nodeHost(x)}`, roles: ["broker"] })),
    ...(t.tls
      ? {
          amqpUrls: pods.map((x) => `amqps://${host(x)}:${t.ports.amqps}`),
          managementUrls: pods.map((x) => `https://${host(x)}:${t.ports.managementTls}`),
          plaintextUrls: pods.flatMap((x) => [
            `amqp://${host(x)}:${t.ports.amqp}`,
            `http://${host(x)}:${t.ports.management}`,
          ]),
          ...(t.distributionTls ? { distribution: { port: t.ports.dist, tls: true as const } } : {}),
        }
      : {
          amqpUrls: pods.map((x) => `amqp://${host(x)}:${t.ports.amqp}`),
          managementUrls: pods.map((x) => `http://${host(x)}:${t.ports.management}`),
        }),
    dnsNames: [
      ...pods.map(host),
      ...(t.tls ? pods.map(nodeHost) : []),
      ...serviceNames(sts, t.namespace, t.clusterDomain),
    ],
  };
}
