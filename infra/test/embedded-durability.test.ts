// The embedded stack publishes `durability` from its stack settings while its `target.expected` comes from the
// embedded environment's own reading of the chart values: two roads from one values file, checked to arrive together.
import { readKafkaSettings } from "../../embedded/kafka/config";
import { readRabbitMQSettings } from "../../embedded/rabbitmq/config";
import { repoRoot } from "../../toolchain/src/paths";
import { durability } from "../outputs";
import { parseSettings } from "../settings/settings";
import { stackConfig } from "./stacks";

describe("the embedded stack's published durability", () => {
  const published = durability(parseSettings(stackConfig("embedded"), { stack: "embedded", repoRoot }));

  it("agrees with the target's expectations, which the embedded environment reads from the chart values", () => {
    expect(published.kafka).toMatchObject(readKafkaSettings().expected);
    expect(published.rabbitmq).toMatchObject(readRabbitMQSettings().expected);
  });

  it("says how many Kafka brokers it can lose", () => {
    const k = readKafkaSettings().expected;
    expect(published.kafka.toleratesBrokerLoss).toBe(k.replicationFactor - k.minInsyncReplicas);
  });
});
