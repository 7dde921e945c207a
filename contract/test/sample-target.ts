// A small valid target on loopback addresses, for the tests of the contract and of whatever reads targets.
import type { Target } from "../target";

export function sampleTarget(): Target {
  const node = (name: string, i: number, roles: Array<"broker" | "controller">) => ({
    name,
    host: "127.0.0.1",
    id: String(i),
    roles,
  });
  return {
    name: "embedded",
    placement: { kind: "embedded", stateDir: "/tmp/mp-state" },
    kafka: {
      bootstrapServers: ["127.0.0.1:19092", "127.0.0.1:19093", "127.0.0.1:19094"],
      sasl: { mechanism: "scram-sha-512", username: "smoke", password: "s3cret" },
      tls: false,
      nodes: [0, 1, 2].map((i) => node(`kafka-${i}`, i, ["broker", "controller"])),
      expected: { replicationFactor: 3, minInsyncReplicas: 2, uncleanLeaderElection: false, autoCreateTopics: false },
      topics: [{ name: "smoke", partitions: 3, replicationFactor: 3, minInsyncReplicas: 2 }],
    },
    rabbitmq: {
      amqpUrls: ["amqp://127.0.0.1:15672"],
      managementUrls: ["http://127.0.0.1:25672"],
      username: "smoke",
      password: "s3cret",
      vhost: "/",
      nodes: [node("rabbitmq-0", 0, ["broker"])],
      expected: { defaultQueueType: "quorum", quorumInitialGroupSize: 1, clusterSize: 1 },
      queues: [{ name: "smoke", type: "quorum" }],
    },
  };
}
