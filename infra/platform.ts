// The whole deployment for validated settings: one Kubernetes provider, a namespace per system, the generated
// secrets, both clusters, and the outputs. index.ts calls this after the config has passed validation; the unit
// tests call it under Pulumi mocks.
import * as k8s from "@pulumi/kubernetes";
import { declarationJobLabel } from "./components/declaration-job";
import { GeneratedSecrets } from "./components/generated-secrets";
import { KafkaCluster } from "./components/kafka";
import { SystemNamespace } from "./components/namespaces";
import { RabbitMQCluster } from "./components/rabbitmq";
import { durability, targetOutput } from "./outputs";
import type { Settings } from "./settings";
import { internalKafkaUsers } from "./values/kafka";

/**
 * Who may reach a system's client ports: pods in namespaces carrying the configured labels, and the platform's own
 * declaration Jobs in the system's namespace.
 */
export function clientPeers(labels: Record<string, string>): unknown[] {
  return [{ namespaceSelector: { matchLabels: labels } }, { podSelector: { matchLabels: { ...declarationJobLabel } } }];
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

  const secrets = new GeneratedSecrets("secrets", { kafkaUsers: [...s.kafka.users, ...internalKafkaUsers] });
  const clientFrom = clientPeers(s.clientNamespaceLabels);
  const kafka = new KafkaCluster(
    "kafka",
    {
      settings: s.kafka,
      namespace: kafkaNamespace.name,
      clientFrom,
      passwords: secrets.kafkaPasswords,
      clusterId: secrets.kafkaClusterId,
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
      provider,
    },
    { dependsOn: [rabbitmqNamespace] },
  );

  const topologies = { kafka: kafka.topology, rabbitmq: rabbitmq.topology };
  const kafkaPassword = secrets.kafkaPasswords[s.kafka.clientUser];
  if (kafkaPassword === undefined) throw new Error(`no generated password for kafka.clientUser ${s.kafka.clientUser}`);
  return {
    target: targetOutput(s, topologies, { kafka: kafkaPassword, rabbitmq: secrets.rabbitmqPassword }),
    namespaces: { kafka: kafkaNamespace.name, rabbitmq: rabbitmqNamespace.name },
    podSelectors: { kafka: kafka.topology.podSelector, rabbitmq: rabbitmq.topology.podSelector },
    durability: durability(s),
  };
}
