// The Kafka cluster: its credentials as Secrets, charts/kafka as a Helm v4 Chart (every rendered object a Pulumi
// resource that diffs and policies see), and the Job that applies the declared topics.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { internalKafkaUsers } from "../../chart-values/kafka";
import type { KafkaSettings } from "../settings/kafka";
import { kafkaTopicsScript } from "../values/declarations";
import { type KafkaTopology, kafkaChartValues, kafkaTopology } from "../values/kafka";
import type { ServerTls } from "./certificates";
import { DeclarationJob, declarationCaFile } from "./declaration-job";
import { tlsSecret } from "./tls-secret";

/** apache/kafka runs as `appuser`. */
const kafkaImageUser = 1000;

export interface KafkaClusterArgs {
  settings: KafkaSettings;
  /** Namespace to deploy into (an Output of the Namespace, so the chart waits for it). */
  namespace: pulumi.Input<string>;
  /** NetworkPolicy peers allowed to reach the client listener. */
  clientFrom: unknown[];
  /** SCRAM password by user name: every client user plus the chart's internal users. */
  passwords: Record<string, pulumi.Output<string>>;
  clusterId: pulumi.Output<string>;
  /** Let the chart read the live cluster with Helm's lookup; false on the render platform, which has no cluster. */
  lookup: boolean;
  /** TLS on every listener with this certificate (the stack's `tls`); absent: as the chart's values say. */
  tls?: ServerTls;
  provider: k8s.Provider;
}

export class KafkaCluster extends pulumi.ComponentResource {
  public readonly chart: k8s.helm.v4.Chart;
  public readonly topology: KafkaTopology;
  /** Name of the Secret holding every SCRAM password (key = user name). */
  public readonly usersSecretName: pulumi.Output<string>;

  constructor(name: string, args: KafkaClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("messaging-platform:kafka:KafkaCluster", name, {}, opts);
    const s = args.settings;
    const child = { parent: this, provider: args.provider };
    for (const u of [...s.users, ...internalKafkaUsers]) {
      if (args.passwords[u] === undefined) throw new Error(`KafkaCluster ${name}: no generated password for user ${u}`);
    }

    const users = new k8s.core.v1.Secret(
      `${name}-users`,
      {
        metadata: { name: `${s.release}-scram-users`, namespace: args.namespace },
        type: "Opaque",
        stringData: args.passwords,
      },
      child,
    );
    const clusterId = new k8s.core.v1.Secret(
      `${name}-cluster-id`,
      {
        metadata: { name: `${s.release}-kraft-cluster-id`, namespace: args.namespace },
        type: "Opaque",
        stringData: { "cluster-id": args.clusterId },
      },
      child,
    );
    this.usersSecretName = users.metadata.name;
    const tls = args.tls && tlsSecret(`${name}-tls`, `${s.release}-tls`, args.namespace, args.tls, child);

    // Secret names are known strings; dependsOn makes the Secrets exist before any broker pod starts.
    const values = {
      ...kafkaChartValues(s.exampleValues, s, {
        scramUsers: `${s.release}-scram-users`,
        clusterId: `${s.release}-kraft-cluster-id`,
        clientFrom: args.clientFrom,
        ...(tls ? { tls: { secretName: tls.name, certificateHash: tls.certificateHash } } : {}),
      }),
      lookup: { enabled: args.lookup },
    };
    this.chart = new k8s.helm.v4.Chart(
      name,
      { chart: s.chartDir, name: s.release, namespace: args.namespace, values },
      { ...child, dependsOn: [users, clusterId, ...(tls ? [tls.secret] : [])] },
    );
    this.topology = kafkaTopology(s);

    if (s.topics.length > 0) {
      new DeclarationJob(
        `${name}-topics`,
        {
          namespace: args.namespace,
          image: `${s.imageRepository}:${s.imageTag}`,
          runAsUser: kafkaImageUser,
          script: kafkaTopicsScript(s.topics, tls ? { caFile: declarationCaFile } : undefined),
          files: {},
          mountPath: "/topics",
          env: { BOOTSTRAP_SERVERS: this.topology.bootstrapServers.join(","), KAFKA_USER: s.clientUser },
          password: { secret: users.metadata.name, key: s.clientUser },
          egress: { podLabels: this.topology.brokerPodLabels, ports: ports(this.topology.bootstrapServers) },
          ...(tls ? { caFrom: { secret: tls.secret.metadata.name } } : {}),
          provider: args.provider,
        },
        { parent: this, dependsOn: [this.chart] },
      );
    }
    this.registerOutputs({ usersSecretName: this.usersSecretName });
  }
}

/** The distinct ports of host:port addresses. */
function ports(servers: string[]): number[] {
  return [...new Set(servers.map((x) => Number(x.slice(x.lastIndexOf(":") + 1))))];
}
