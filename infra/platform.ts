// The whole deployment for validated settings, on platform kubernetes or render (the same resources written as
// manifests): one Kubernetes provider, a namespace per system, the generated secrets, both clusters, and the outputs.
// index.ts calls this after the config has passed validation; tests run it through the real engine on platform render.
import { dirname } from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { internalKafkaUsers, kafkaMetrics } from "../chart-values/kafka";
import { rabbitmqMetricsPort } from "../chart-values/rabbitmq";
import { readApiServerEgress } from "./api-server";
import { type ServerTls, StackTls } from "./components/certificates";
import { declarationJobLabel } from "./components/declaration-job";
import { GeneratedSecrets, placeholderSecrets, renderedSecretPlaceholder } from "./components/generated-secrets";
import { KafkaCluster } from "./components/kafka";
import { SystemNamespace } from "./components/namespaces";
import { effectiveChartValues, PrometheusMonitor } from "./components/prometheus";
import { RabbitMQCluster } from "./components/rabbitmq";
import { SmokeGateJob } from "./components/smoke-gate";
import { durability, targetOutput } from "./outputs";
import type { Settings } from "./settings/settings";
import { type KafkaTopology, kafkaFullname, kafkaTopology } from "./values/kafka";
import { prometheusApiPort, prometheusPodLabels } from "./values/prometheus";
import { type RabbitMQTopology, rabbitmqFullname, rabbitmqTopology } from "./values/rabbitmq";
import type { ApiServerEgress } from "./values/smoke-gate";

/**
 * Who may reach a system's client ports: pods in namespaces carrying the configured labels, and the platform's own
 * declaration Jobs in the system's namespace.
 */
export function clientPeers(labels: Record<string, string>, addresses: string[] = []): unknown[] {
  return [
    { namespaceSelector: { matchLabels: labels } },
    { podSelector: { matchLabels: { ...declarationJobLabel } } },
    ...addresses.map((cidr) => ({ ipBlock: { cidr } })),
  ];
}

export function deployPlatform(s: Settings) {
  // Explicit provider: nothing falls back to an ambient kubeconfig by accident.
  const provider = new k8s.Provider("kubernetes", {
    ...(s.kubernetes.context === undefined ? {} : { context: s.kubernetes.context }),
    ...(s.kubernetes.kubeconfig === undefined ? {} : { kubeconfig: s.kubernetes.kubeconfig }),
    ...(s.kubernetes.renderYamlToDirectory === undefined
      ? {}
      : { renderYamlToDirectory: s.kubernetes.renderYamlToDirectory }),
    enableServerSideApply: true,
  });
  const namespace = (system: "kafka" | "rabbitmq") =>
    new SystemNamespace(system, { name: s[system].namespace, system, environment: s.environment, provider });
  const kafkaNamespace = namespace("kafka");
  const rabbitmqNamespace = namespace("rabbitmq");

  // The render platform contacts no cluster, so the charts render as `helm template` does (no lookup), and writes
  // no credential into the manifests it leaves on disk.
  const render = s.platform === "render";
  const kafkaUsers = [...s.kafka.users, ...internalKafkaUsers];
  const secrets = render ? placeholderSecrets(kafkaUsers) : new GeneratedSecrets("secrets", { kafkaUsers });
  const clientFrom = clientPeers(s.clientNamespaceLabels, s.clientAddresses);
  const topologies = { kafka: kafkaTopology(s.kafka), rabbitmq: rabbitmqTopology(s.rabbitmq) };
  // TLS on every listener: the stack's own CA and a certificate per system naming every host and Service of it. The
  // render platform writes no key to disk: its TLS Secrets carry the placeholder, like every other Secret.
  const tls = !s.tls.enabled ? undefined : render ? placeholderTls() : stackTls(s, topologies);
  const kafka = new KafkaCluster(
    "kafka",
    {
      settings: s.kafka,
      namespace: kafkaNamespace.name,
      clientFrom,
      passwords: secrets.kafkaPasswords,
      clusterId: secrets.kafkaClusterId,
      lookup: !render,
      ...(tls ? { tls: tls.kafka } : {}),
      provider,
    },
    { dependsOn: [kafkaNamespace] },
  );
  const rabbitmq = new RabbitMQCluster(
    "rabbitmq",
    {
      settings: s.rabbitmq,
      namespace: rabbitmqNamespace.name,
      clientFrom,
      password: secrets.rabbitmqPassword,
      erlangCookie: secrets.erlangCookie,
      lookup: !render,
      ...(tls ? { tls: tls.rabbitmq } : {}),
      provider,
    },
    { dependsOn: [rabbitmqNamespace] },
  );

  // Where pods reach the API server, read once for whichever in-cluster pod's NetworkPolicy needs it; the render
  // platform has no cluster to read.
  let apiServerRead: Promise<ApiServerEgress> | undefined;
  const apiServer = render ? undefined : () => (apiServerRead ??= readApiServerEgress(s.kubernetes));
  const prometheus = s.monitoring.prometheus;
  if (prometheus.enabled) {
    new PrometheusMonitor(
      "prometheus",
      {
        settings: prometheus,
        environment: s.environment,
        brokers: {
          kafka: {
            namespace: s.kafka.namespace,
            ...kafkaMetrics(effectiveChartValues(s.kafka.chartDir, s.kafka.exampleValues)),
          },
          rabbitmq: {
            namespace: s.rabbitmq.namespace,
            port: rabbitmqMetricsPort(effectiveChartValues(s.rabbitmq.chartDir, s.rabbitmq.exampleValues)),
          },
        },
        brokerChartDirs: { kafka: s.kafka.chartDir, rabbitmq: s.rabbitmq.chartDir },
        clientAddresses: s.clientAddresses,
        ...(s.inClusterGate.enabled ? { gateNamespace: s.inClusterGate.namespace } : {}),
        ...(apiServer ? { apiServer: apiServer() } : {}),
        provider,
      },
      // After both clusters: their pods are what it discovers, their namespaces what its Roles live in.
      { dependsOn: [kafka, rabbitmq] },
    );
  }

  const kafkaPassword = secrets.kafkaPasswords[s.kafka.clientUser];
  if (kafkaPassword === undefined) throw new Error(`no generated password for kafka.clientUser ${s.kafka.clientUser}`);
  const target = targetOutput(
    s,
    { kafka: kafka.topology, rabbitmq: rabbitmq.topology },
    { kafka: kafkaPassword, rabbitmq: secrets.rabbitmqPassword },
    // The render platform knows no CA (its Secrets carry placeholders): its target trusts the system's CAs.
    render ? undefined : tls?.caPem,
  );
  let smokeGate: { enabled: boolean; namespace?: string; job?: string; logs?: string } = { enabled: false };
  if (s.inClusterGate.enabled) {
    const gate = new SmokeGateJob(
      "smoke-gate",
      {
        settings: s.inClusterGate,
        environment: s.environment,
        clientNamespaceLabels: s.clientNamespaceLabels,
        brokerNamespaces: { kafka: s.kafka.namespace, rabbitmq: s.rabbitmq.namespace },
        brokerPorts: {
          kafka: { client: s.kafka.clientPort },
          // The ports AMQP and management are served on: the TLS ones when TLS is on (nothing listens on the others).
          rabbitmq: s.rabbitmq.tls
            ? { amqp: s.rabbitmq.ports.amqps, management: s.rabbitmq.ports.managementTls }
            : { amqp: s.rabbitmq.ports.amqp, management: s.rabbitmq.ports.management },
        },
        // The render platform has no cluster to read: its manifests allow the API server's ports only.
        ...(apiServer ? { apiServer: apiServer() } : {}),
        target,
        workers: s.gate.workers ?? 1,
        ...(prometheus.enabled
          ? {
              monitoring: {
                namespace: prometheus.namespace,
                podLabels: prometheusPodLabels(prometheus),
                port: prometheusApiPort,
              },
            }
          : {}),
        // Everything the stack deploys except where this checkout lives; the TLS settings decide the CA and the
        // certificates (a renewal re-runs the gate).
        chartValues: [...[s.kafka, s.rabbitmq].map(({ chartDir: _, ...settings }) => settings), { tls: s.tls }],
        chartsDir: dirname(s.kafka.chartDir),
        provider,
      },
      // After both clusters and their declaration Jobs: the gate tests what this deploy produced.
      { dependsOn: [kafka, rabbitmq] },
    );
    const ns = s.inClusterGate.namespace;
    smokeGate = { enabled: true, namespace: ns, job: gate.jobName, logs: `kubectl -n ${ns} logs job/${gate.jobName}` };
  }
  return {
    target,
    durability: durability(s),
    smokeGate,
  };
}

/** The stack's CA and both systems' server certificates, named for every host and Service of each system. */
function stackTls(s: Settings, t: { kafka: KafkaTopology; rabbitmq: RabbitMQTopology }): StackTlsOutputs {
  const ca = new StackTls("tls", {
    caCommonName: `messaging-platform ${s.stack} CA`,
    caValidityDays: s.tls.caValidityDays,
    validityDays: s.tls.validityDays,
    renewal: s.tls.renewal,
    systems: {
      kafka: { commonName: kafkaFullname(s.kafka.release), dnsNames: t.kafka.dnsNames },
      rabbitmq: { commonName: rabbitmqFullname(s.rabbitmq.release), dnsNames: t.rabbitmq.dnsNames },
    },
  });
  return { caPem: ca.caPem, kafka: ca.kafka, rabbitmq: ca.rabbitmq };
}

interface StackTlsOutputs {
  caPem: pulumi.Output<string>;
  kafka: ServerTls;
  rabbitmq: ServerTls;
}

/** The render platform's TLS: every Secret key present, every value the placeholder, so no key is ever written. */
function placeholderTls(): StackTlsOutputs {
  const value = () => pulumi.secret(renderedSecretPlaceholder);
  const server = (): ServerTls => ({
    certPem: value(),
    keyPem: value(),
    caPem: value(),
    notAfter: pulumi.output(renderedSecretPlaceholder),
  });
  return { caPem: pulumi.output(renderedSecretPlaceholder), kafka: server(), rabbitmq: server() };
}
