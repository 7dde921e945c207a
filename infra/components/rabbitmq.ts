// The RabbitMQ cluster: default user and Erlang cookie as Secrets, charts/rabbitmq as a Helm v4 Chart, and the Job
// that imports the declared vhost, permissions, policies and quorum queues.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { RabbitMQSettings } from "../settings/rabbitmq";
import { rabbitmqDefinitions, rabbitmqDefinitionsScript } from "../values/declarations";
import { type RabbitMQTopology, rabbitmqChartValues, rabbitmqTopology } from "../values/rabbitmq";
import type { ServerTls } from "./certificates";
import { DeclarationJob, declarationCaFile } from "./declaration-job";
import { tlsSecret } from "./tls-secret";

/** The official rabbitmq image runs as `rabbitmq` (999). */
const rabbitmqImageUser = 999;

export interface RabbitMQClusterArgs {
  settings: RabbitMQSettings;
  namespace: pulumi.Input<string>;
  /** NetworkPolicy peers allowed to reach AMQP and the management API. */
  clientFrom: unknown[];
  password: pulumi.Output<string>;
  erlangCookie: pulumi.Output<string>;
  /** Let the chart read the live cluster with Helm's lookup; false on the render platform, which has no cluster. */
  lookup: boolean;
  /** AMQP and the management API over TLS only, with this certificate (the stack's `tls`). */
  tls?: ServerTls;
  provider: k8s.Provider;
}

export class RabbitMQCluster extends pulumi.ComponentResource {
  public readonly chart: k8s.helm.v4.Chart;
  public readonly topology: RabbitMQTopology;

  constructor(name: string, args: RabbitMQClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("messaging-platform:rabbitmq:RabbitMQCluster", name, {}, opts);
    const s = args.settings;
    const child = { parent: this, provider: args.provider };
    const secretNames = { defaultUser: `${s.release}-default-user`, erlangCookie: `${s.release}-erlang-cookie` };

    const defaultUser = new k8s.core.v1.Secret(
      `${name}-default-user`,
      {
        metadata: { name: secretNames.defaultUser, namespace: args.namespace },
        type: "kubernetes.io/basic-auth",
        stringData: { username: s.username, password: args.password },
      },
      child,
    );
    const cookie = new k8s.core.v1.Secret(
      `${name}-erlang-cookie`,
      {
        metadata: { name: secretNames.erlangCookie, namespace: args.namespace },
        type: "Opaque",
        stringData: { cookie: args.erlangCookie },
      },
      child,
    );

    const tls = args.tls && tlsSecret(`${name}-tls`, `${s.release}-tls`, args.namespace, args.tls, child);
    const values = {
      ...rabbitmqChartValues(s.exampleValues, s, {
        ...secretNames,
        clientFrom: args.clientFrom,
        ...(tls
          ? { tls: { secretName: tls.name, certificateHash: tls.certificateHash, distribution: s.distributionTls } }
          : {}),
      }),
      lookup: { enabled: args.lookup },
    };
    this.chart = new k8s.helm.v4.Chart(
      name,
      { chart: s.chartDir, name: s.release, namespace: args.namespace, values },
      { ...child, dependsOn: [defaultUser, cookie, ...(tls ? [tls.secret] : [])] },
    );
    this.topology = rabbitmqTopology(s);

    const definitions = rabbitmqDefinitions(s);
    new DeclarationJob(
      `${name}-definitions`,
      {
        namespace: args.namespace,
        image: `${s.imageRepository}:${s.imageTag}`,
        runAsUser: rabbitmqImageUser,
        script: rabbitmqDefinitionsScript(
          this.topology.managementUrls,
          tls ? { caFile: declarationCaFile } : undefined,
        ),
        files: { "definitions.json": JSON.stringify(definitions, null, 2) },
        mountPath: "/definitions",
        env: { RABBITMQ_USERNAME: s.username },
        password: { secret: defaultUser.metadata.name, key: "password" },
        egress: {
          podLabels: this.topology.podLabels,
          ports: [...new Set(this.topology.managementUrls.map((u) => Number(new URL(u).port)))],
        },
        ...(tls ? { caFrom: { secret: tls.secret.metadata.name } } : {}),
        provider: args.provider,
      },
      { parent: this, dependsOn: [this.chart] },
    );
    this.registerOutputs({});
  }
}
