// Small chart values objects in the agreed shape of charts/*/values.yaml, so the mapping is tested on its own.
import type { ValuesSource } from "../../chart-values/source";

export const kafkaValues = (): ValuesSource => ({
  file: "fixture/kafka/values.yaml",
  values: {
    brokers: { replicas: 3, nodeIdBase: 100 },
    controllers: { replicas: 3, nodeIdBase: 0 },
    config: {
      "default.replication.factor": 3,
      "min.insync.replicas": 2,
      "unclean.leader.election.enable": false,
      "auto.create.topics.enable": false,
      "offsets.topic.replication.factor": 3,
      "transaction.state.log.replication.factor": 3,
      "transaction.state.log.min.isr": 2,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a placeholder the pod's environment fills, on purpose
      "broker.rack": "${KAFKA_RACK}",
      "log.dirs": "/var/lib/kafka/data",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a placeholder the pod's environment fills, on purpose
      "advertised.listeners": "CLIENT://${POD_NAME}.kafka-headless:9092",
    },
    listeners: { client: { port: 9092 }, internal: { port: 9094 }, controller: { port: 9093 } },
    auth: { sasl: { mechanism: "SCRAM-SHA-512", users: ["app", "ops"] } },
  },
});

export const rabbitmqValues = (): ValuesSource => ({
  file: "fixture/rabbitmq/values.yaml",
  values: {
    replicas: 3,
    config: {
      default_queue_type: "quorum",
      "quorum_queue.initial_cluster_size": 3,
      queue_leader_locator: "balanced",
      "quorum_queue.continuous_membership_reconciliation.enabled": true,
      "cluster_formation.peer_discovery_backend": "rabbit_peer_discovery_k8s",
      "cluster_formation.k8s.host": "kubernetes.default.svc.cluster.local",
      "cluster_formation.k8s.address_type": "hostname",
      "listeners.tcp.default": 5672,
    },
    ports: { amqp: 5672, management: 15672, prometheus: 15692, epmd: 4369, dist: 25672 },
    auth: { username: "admin" },
    plugins: ["rabbitmq_management", "rabbitmq_prometheus", "rabbitmq_peer_discovery_k8s"],
  },
});
