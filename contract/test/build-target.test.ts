// The one Target builder: what goes in comes out in the contract's shape, and a target taken apart and built again
// is the same target (a stack on the embedded environment builds on the environment's own).
import { buildTarget, partsOf } from "../build-target";
import { defaultGateSettings } from "../gate-settings";
import type { Target } from "../target";
import { validateTarget } from "../validate-target";

const node = (name: string, i: number) => ({
  name,
  host: `10.213.0.${10 + i}`,
  id: String(100 + i),
  roles: ["broker" as const, "controller" as const],
});

function target(): Target {
  return buildTarget({
    name: "embedded",
    placement: { kind: "embedded", stateDir: "/tmp/mp-state" },
    kafka: {
      bootstrapServers: ["10.213.0.10:9092", "10.213.0.11:9092", "10.213.0.12:9092"],
      username: "smoke",
      password: "s3cret",
      tls: false,
      nodes: [0, 1, 2].map((i) => node(`kafka-${i}`, i)),
      expected: { replicationFactor: 3, minInsyncReplicas: 2, uncleanLeaderElection: false, autoCreateTopics: false },
      topics: [{ name: "smoke", partitions: 3, replicationFactor: 3, minInsyncReplicas: 2 }],
    },
    rabbitmq: {
      amqpUrls: ["amqp://10.213.0.20:5672"],
      managementUrls: ["http://10.213.0.20:15672"],
      username: "admin",
      password: "s3cret2",
      vhost: "/",
      nodes: [{ name: "rabbitmq-0", host: "10.213.0.20", id: "rabbit@rmq-0", roles: ["broker"] }],
      expected: { defaultQueueType: "quorum", quorumInitialGroupSize: 1, clusterSize: 1 },
      queues: [{ name: "smoke", type: "quorum" }],
    },
  });
}

describe("buildTarget", () => {
  it("builds a target the contract's validator accepts, SCRAM-SHA-512 for Kafka, no gate unless given", () => {
    const t = target();
    expect(validateTarget(JSON.parse(JSON.stringify(t)))).toEqual({ ok: true, target: t });
    expect(t.kafka.sasl).toEqual({ mechanism: "scram-sha-512", username: "smoke", password: "s3cret" });
    expect("gate" in t).toBe(false);
    expect(buildTarget({ ...partsOf(t), gate: defaultGateSettings }).gate).toEqual(defaultGateSettings);
  });

  it("takes a target apart and builds the same target again, copying the declared topics and queues", () => {
    const t = target();
    const again = buildTarget(partsOf(t));
    expect(again).toEqual(t);
    expect(again.kafka.topics[0]).not.toBe(t.kafka.topics[0]);
    expect(again.rabbitmq.queues[0]).not.toBe(t.rabbitmq.queues[0]);
  });
});
