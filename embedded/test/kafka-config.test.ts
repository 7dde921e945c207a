// The mapping from charts/kafka values to an embedded node's server.properties: chart settings pass through unchanged,
// topology and pod-only keys are replaced or dropped, authentication follows the chart's model.
import { existsSync } from "node:fs";
import { chartValuesFile, loadValues } from "../../chart-values/source";
import { chartBrokerConfig, embeddedKafkaSettings, kafkaServerProperties, renderProperties } from "../kafka/config";
import { kafkaNodes } from "../topology";
import { kafkaValues } from "./fixtures";

const settings = () => embeddedKafkaSettings(kafkaValues());
const passwords = { interBroker: "ib-secret", controller: "ctl-secret" };

function propsFor(mode: "combined" | "dedicated", nodeName: string) {
  const s = settings();
  const nodes = kafkaNodes(mode, s.pools);
  const node = nodes.find((n) => n.name === nodeName);
  if (!node) throw new Error(`no ${nodeName}`);
  return kafkaServerProperties(s, node, nodes, "/data/x", passwords);
}

describe("Kafka chart values → embedded server.properties", () => {
  it("passes every durability setting of the chart through unchanged", () => {
    const p = propsFor("combined", "kafka-1");
    expect(p).toMatchObject({
      "default.replication.factor": "3",
      "min.insync.replicas": "2",
      "unclean.leader.election.enable": "false",
      "auto.create.topics.enable": "false",
      "offsets.topic.replication.factor": "3",
      "transaction.state.log.min.isr": "2",
    });
  });

  it("drops pod-only keys and replaces topology keys, saying why", () => {
    const { config, dropped } = chartBrokerConfig(settings());
    expect(config).not.toHaveProperty("broker.rack");
    expect(dropped).toEqual(
      expect.arrayContaining([
        { key: "broker.rack", reason: expect.stringContaining("Kubernetes") },
        { key: "log.dirs", reason: "decided by the embedded topology" },
        { key: "advertised.listeners", reason: "decided by the embedded topology" },
      ]),
    );
    const p = propsFor("combined", "kafka-0");
    expect(p["log.dirs"]).toBe("/data/x");
    expect(p["advertised.listeners"]).not.toContain("POD_NAME");
  });

  it("gives a combined node both roles, the chart's broker ids and all three listeners on its own address", () => {
    const p = propsFor("combined", "kafka-2");
    expect(p["process.roles"]).toBe("broker,controller");
    expect(p["node.id"]).toBe("102");
    expect(p.listeners).toBe("CLIENT://10.213.0.12:9092,INTERNAL://10.213.0.12:9094,CONTROLLER://10.213.0.12:9093");
    expect(p["controller.quorum.voters"]).toBe("100@10.213.0.10:9093,101@10.213.0.11:9093,102@10.213.0.12:9093");
  });

  it("in dedicated mode, uses the chart's controller ids and keeps client listeners off controllers", () => {
    const controller = propsFor("dedicated", "kafka-controller-1");
    expect(controller["process.roles"]).toBe("controller");
    expect(controller["node.id"]).toBe("1");
    expect(controller.listeners).toBe("CONTROLLER://10.213.0.31:9093");
    expect(controller).not.toHaveProperty("advertised.listeners");
    const broker = propsFor("dedicated", "kafka-0");
    expect(broker["process.roles"]).toBe("broker");
    expect(broker["controller.quorum.voters"]).toBe("0@10.213.0.30:9093,1@10.213.0.31:9093,2@10.213.0.32:9093");
  });

  it("authenticates clients and brokers with SCRAM-SHA-512 and controllers with PLAIN, as the chart does", () => {
    const p = propsFor("combined", "kafka-0");
    expect(p["listener.security.protocol.map"]).toBe(
      "CLIENT:SASL_PLAINTEXT,INTERNAL:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT",
    );
    expect(p["sasl.enabled.mechanisms"]).toBe("SCRAM-SHA-512");
    expect(p["sasl.mechanism.inter.broker.protocol"]).toBe("SCRAM-SHA-512");
    expect(p["listener.name.internal.scram-sha-512.sasl.jaas.config"]).toContain('username="inter-broker"');
    expect(p["sasl.mechanism.controller.protocol"]).toBe("PLAIN");
    expect(p["listener.name.controller.plain.sasl.jaas.config"]).toContain('user_controller="ctl-secret"');
  });

  it("renders a properties file with one key per line", () => {
    expect(renderProperties({ a: "1", "b.c": "x\\y" })).toBe("a=1\nb.c=x\\\\y\n");
  });

  it("fails naming the file and the key when a value the environment needs is missing", () => {
    const src = kafkaValues();
    delete (src.values as { listeners: { internal?: unknown } }).listeners.internal;
    expect(() => embeddedKafkaSettings(src)).toThrow("fixture/kafka/values.yaml has no `listeners.internal.port`");
  });

  it("refuses a SASL mechanism the environment does not implement", () => {
    const src = kafkaValues();
    (src.values as { auth: { sasl: { mechanism: string } } }).auth.sasl.mechanism = "PLAIN";
    expect(() => embeddedKafkaSettings(src)).toThrow("auth.sasl.mechanism");
  });

  it("reads the real charts/kafka/values.yaml", () => {
    expect(existsSync(chartValuesFile("kafka"))).toBe(true);
    const s = embeddedKafkaSettings(loadValues("kafka"));
    expect(s.saslUsers.length).toBeGreaterThan(0);
    expect(Number(s.config["min.insync.replicas"])).toBeLessThan(Number(s.config["default.replication.factor"]));
  });
});
