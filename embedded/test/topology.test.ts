// The address plan and names: every node has its own address in 10.213.0.0/24, interface names fit the kernel's
// 15-character limit, and node ids come from the chart's pools.
import { generateKafkaClusterId } from "../state";
import { kafkaNodes, network, rabbitmqNodes } from "../topology";

const pools = { brokers: { replicas: 3, nodeIdBase: 100 }, controllers: { replicas: 3, nodeIdBase: 0 } };

describe("embedded topology", () => {
  const all = [...kafkaNodes("dedicated", pools), ...rabbitmqNodes(3)];

  it("gives every node its own address on the bridge's subnet, never the bridge's", () => {
    const addresses = all.map((n) => n.address);
    expect(new Set(addresses).size).toBe(addresses.length);
    for (const a of addresses) expect(a.startsWith(`${network.subnet}.`)).toBe(true);
    expect(addresses).not.toContain(network.hostAddress);
  });

  it("names namespaces after nodes and keeps veth names within 15 characters", () => {
    for (const n of all) {
      expect(n.netns).toBe(`mp-${n.name}`);
      expect(n.hostVeth.length).toBeLessThanOrEqual(15);
    }
    expect(new Set(all.map((n) => n.hostVeth)).size).toBe(all.length);
  });

  it("uses the brokers' node ids for combined nodes and the controllers' ids for dedicated controllers", () => {
    expect(kafkaNodes("combined", pools).map((n) => [n.name, n.nodeId, n.roles.join("+")])).toEqual([
      ["kafka-0", 100, "broker+controller"],
      ["kafka-1", 101, "broker+controller"],
      ["kafka-2", 102, "broker+controller"],
    ]);
    const controllers = kafkaNodes("dedicated", pools).filter((n) => n.roles.includes("controller"));
    expect(controllers.map((n) => [n.name, n.nodeId, n.address])).toEqual([
      ["kafka-controller-0", 0, "10.213.0.30"],
      ["kafka-controller-1", 1, "10.213.0.31"],
      ["kafka-controller-2", 2, "10.213.0.32"],
    ]);
  });

  it("names RabbitMQ nodes rabbitmq-i on host rmq-i", () => {
    expect(rabbitmqNodes(3).map((n) => [n.name, n.hostname, n.address])).toEqual([
      ["rabbitmq-0", "rmq-0", "10.213.0.20"],
      ["rabbitmq-1", "rmq-1", "10.213.0.21"],
      ["rabbitmq-2", "rmq-2", "10.213.0.22"],
    ]);
  });

  it("generates 22-character Kafka cluster ids that never start with '-'", () => {
    for (let i = 0; i < 200; i++) expect(generateKafkaClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});
