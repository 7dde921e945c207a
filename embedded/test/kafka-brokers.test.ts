// `up --kafka-brokers N`: the flag checked before anything starts, and what N brokers mean for the topology, the
// quorum and the smoke topic. The default (the chart's brokers.replicas) changes nothing.
import { UsageError } from "../../toolchain/src/command-line";
import { kafkaBrokersFrom, parseCommand } from "../commands";
import { embeddedKafkaSettings, kafkaServerProperties, withKafkaBrokers } from "../kafka/config";
import { declaredTopics, smokeTopicPartitions } from "../target";
import { kafkaNodes, network, rabbitmqNodes } from "../topology";
import { kafkaValues } from "./fixtures";

const chart = () => embeddedKafkaSettings(kafkaValues());

describe("up --kafka-brokers", () => {
  it("is a flag of up only, taking a value", () => {
    expect(parseCommand(["up", "--kafka-brokers", "4"])).toEqual({ cmd: "up", args: [] });
    expect(() => parseCommand(["down", "--kafka-brokers", "4"])).toThrow("--kafka-brokers is not a flag of");
    expect(() => parseCommand(["up", "--kafka-brokers"])).toThrow("--kafka-brokers needs a value");
  });

  it("is the number given, or nothing when not given (the chart's count stays)", () => {
    expect(kafkaBrokersFrom(["up", "--kafka-brokers", "4"], 3)).toBe(4);
    expect(kafkaBrokersFrom(["up", "--kafka-brokers=3"], 3)).toBe(3);
    expect(kafkaBrokersFrom(["up"], 3)).toBeUndefined();
  });

  it.each(["2", "11", "four", "4.5", "-4", ""])("refuses %p, naming the flag, the value and the rule", (value) => {
    const refuse = () => kafkaBrokersFrom(["up", `--kafka-brokers=${value}`], 3);
    expect(refuse).toThrow(UsageError);
    expect(refuse).toThrow(`--kafka-brokers ${value}: must be a whole number from 3 (the chart's replication factor`);
    expect(refuse).toThrow("to 10 (the brokers' addresses 10.213.0.10–19)");
  });
});

describe("N Kafka brokers", () => {
  it("keeps the chart's settings when no count is asked for", () => {
    expect(withKafkaBrokers(chart(), undefined)).toEqual(chart());
  });

  it("adds a fourth combined node: a fourth broker and a fourth voter, with its own address and interface", () => {
    const s = withKafkaBrokers(chart(), 4);
    expect(s.pools.brokers.replicas).toBe(4);
    expect(s.pools.controllers).toEqual(chart().pools.controllers);
    const nodes = kafkaNodes("combined", s.pools);
    expect(nodes.map((n) => [n.name, n.nodeId, n.address])).toContainEqual(["kafka-3", 103, `${network.subnet}.13`]);
    const all = [...nodes, ...rabbitmqNodes(3)];
    expect(new Set(all.map((n) => n.address)).size).toBe(all.length);
    expect(new Set(all.map((n) => n.hostVeth)).size).toBe(all.length);
    const kafka3 = nodes.find((n) => n.name === "kafka-3");
    if (!kafka3) throw new Error("no kafka-3");
    const voters = kafkaServerProperties(s, kafka3, nodes, "/data/x", { interBroker: "a", controller: "b" })[
      "controller.quorum.voters"
    ]?.split(",");
    expect(voters).toHaveLength(4);
  });

  it("keeps dedicated controllers at the chart's count when brokers grow", () => {
    const nodes = kafkaNodes("dedicated", withKafkaBrokers(chart(), 4).pools);
    expect(nodes.filter((n) => n.roles.includes("broker"))).toHaveLength(4);
    expect(nodes.filter((n) => n.roles.includes("controller"))).toHaveLength(3);
  });

  it("fits every allowed count before RabbitMQ's addresses", () => {
    const nodes = kafkaNodes("combined", withKafkaBrokers(chart(), 10).pools);
    const rabbit = new Set(rabbitmqNodes(3).map((n) => n.address));
    expect(nodes.filter((n) => rabbit.has(n.address))).toEqual([]);
  });
});

describe("the smoke topic's partitions", () => {
  it("stay one per broker on 3 brokers with RF 3 (the default)", () => {
    expect(smokeTopicPartitions(3, 3)).toBe(3);
    expect(declaredTopics(chart())[0]).toMatchObject({ partitions: 3, replicationFactor: 3, minInsyncReplicas: 2 });
  });

  it("double when brokers outnumber replicas, so every broker is missing from some partitions", () => {
    expect(smokeTopicPartitions(4, 3)).toBe(8);
    expect(declaredTopics(withKafkaBrokers(chart(), 4))[0]).toMatchObject({ partitions: 8, replicationFactor: 3 });
  });
});
