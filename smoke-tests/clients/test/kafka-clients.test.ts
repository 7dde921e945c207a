// The Kafka client choice: names checked with field, value and rule; each client's durability settings as its
// maintainers give them; outcomes read from each library's own delivery reports.
import type { KafkaTarget } from "../../../contract/target";
import { kafkaCheckOptions } from "../../drills/run-drill";
import { kafkaClientNames, kafkaProducerClient, parseKafkaClient, parseKafkaClients } from "../kafka-client";
import { laneShare, PartitionRouter } from "../lanes";
import { deliveryOutcome, librdkafkaDurability, librdkafkaProducerConfig } from "../librdkafka";
import { batchOutcomes, platformaticDurability } from "../platformatic-kafka";

const target: KafkaTarget = {
  bootstrapServers: ["10.213.0.10:9092", "10.213.0.11:9092"],
  sasl: { mechanism: "scram-sha-512", username: "app", password: "s3cret-value" },
  tls: false,
  nodes: [],
} as unknown as KafkaTarget;

describe("choosing a client", () => {
  it("accepts the three names and refuses anything else, naming field, value and rule", () => {
    expect(kafkaClientNames).toEqual(["kafkajs", "librdkafka", "platformatic"]);
    expect(parseKafkaClient("librdkafka")).toBe("librdkafka");
    expect(() => parseKafkaClient("rdkafka")).toThrow(
      "--kafka-client = rdkafka: must be one of kafkajs, librdkafka, platformatic",
    );
    expect(() => parseKafkaClient("java", "gate.kafkaClient")).toThrow(/^gate\.kafkaClient = java: /);
  });

  it("reads a list, 'all' as every client, and refuses a name given twice", () => {
    expect(parseKafkaClients("all")).toEqual(["kafkajs", "librdkafka", "platformatic"]);
    expect(parseKafkaClients("librdkafka, kafkajs")).toEqual(["librdkafka", "kafkajs"]);
    expect(() => parseKafkaClients("kafkajs,kafkajs")).toThrow(
      "--kafka-clients = kafkajs,kafkajs: kafkajs is named twice",
    );
    expect(() => parseKafkaClients("kafkajs,x")).toThrow("--kafka-clients = x: must be one of");
  });

  it("each client describes what ran, and no description holds a credential", () => {
    for (const name of kafkaClientNames) {
      const client = kafkaProducerClient(name);
      expect(client.name).toBe(name);
      expect(client.describe("all")).toMatch(/idempoten/);
      expect(client.describe("all")).not.toContain("s3cret");
      expect(client.describe("leader")).toMatch(/acks=1/);
    }
    expect(kafkaProducerClient("librdkafka").describe("all")).toMatch(
      /^librdkafka 2\.\d+\.\d+ \(@confluentinc\/kafka-javascript 1\.10\.1\)/,
    );
  });

  it("says whether its producer is idempotent from the settings it opens with: acks=1 is not, so the checks know", () => {
    const idempotence = kafkaClientNames.map((name) => {
      const client = kafkaProducerClient(name);
      return [name, client.idempotent("all"), client.idempotent("leader")];
    });
    expect(idempotence).toEqual([
      ["kafkajs", true, false],
      ["librdkafka", true, false],
      ["platformatic", true, false],
    ]);
    // The same settings the producers are opened with.
    expect(librdkafkaDurability("leader")["enable.idempotence"]).toBe(false);
    expect(platformaticDurability("all").idempotent).toBe(true);
    expect(kafkaCheckOptions({ client: { name: "kafkajs", settings: "", idempotent: false } })).toEqual({
      idempotent: false,
      subscribed: true,
    });
    expect(kafkaCheckOptions({})).toEqual({ idempotent: false, subscribed: true });
  });
});

describe("lanes and partitions", () => {
  it("each lane owns a share of the partitions; together the lanes write to every one", () => {
    // More lanes than partitions: one partition per lane.
    expect([0, 1, 2, 3].map((index) => laneShare([0, 1, 2], { index, count: 4 }))).toEqual([[0], [1], [2], [0]]);
    // Fewer lanes than partitions: every partition still has a lane.
    expect([0, 1].map((index) => laneShare([0, 1, 2, 3, 4], { index, count: 2 }))).toEqual([
      [0, 2, 4],
      [1, 3],
    ]);
    expect(() => laneShare([], { index: 0, count: 1 })).toThrow("no partitions");
  });

  it("a lane goes round its own share; sends without a lane go round every partition", () => {
    const router = new PartitionRouter([0, 1, 2]);
    const lane0 = { index: 0, count: 2 };
    expect([router.next(lane0), router.next(lane0), router.next(lane0)]).toEqual([0, 2, 0]);
    expect(router.next({ index: 1, count: 2 })).toBe(1);
    expect([router.next(), router.next(), router.next(), router.next()]).toEqual([0, 1, 2, 0]);
  });
});

describe("librdkafka", () => {
  it("durable: idempotence on, acks=all, at most 5 in flight; unsafe: acks=1 without idempotence", () => {
    expect(librdkafkaDurability("all")).toMatchObject({
      "enable.idempotence": true,
      acks: "all",
      "max.in.flight.requests.per.connection": 5,
    });
    expect(librdkafkaDurability("leader")).toMatchObject({ "enable.idempotence": false, acks: 1 });
  });

  it("connects with SCRAM-SHA-512, over TLS when the target has it", () => {
    const plain = librdkafkaProducerConfig(target, "all", "p0");
    expect(plain).toMatchObject({
      "bootstrap.servers": "10.213.0.10:9092,10.213.0.11:9092",
      "security.protocol": "sasl_plaintext",
      "sasl.mechanisms": "SCRAM-SHA-512",
      "client.id": "p0",
    });
    const ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    expect(librdkafkaProducerConfig({ ...target, tls: true, ca }, "all", "p0")).toMatchObject({
      "security.protocol": "sasl_ssl",
      "ssl.ca.pem": ca,
    });
    expect(plain["ssl.ca.pem"]).toBeUndefined();
  });

  it("an ack carries the message's own partition and offset; an error or a report without an offset is unknown", () => {
    expect(deliveryOutcome({ status: "fulfilled", value: [{ partition: 2, errorCode: 0, baseOffset: "41" }] })).toEqual(
      { type: "ok", position: { partition: 2, offset: 41 } },
    );
    expect(deliveryOutcome({ status: "rejected", reason: new Error("Local: Message timed out") })).toEqual({
      type: "info",
      error: "librdkafka: Local: Message timed out",
    });
    expect(deliveryOutcome({ status: "fulfilled", value: [{ partition: 2, errorCode: 0 }] }).type).toBe("info");
    expect(
      deliveryOutcome({ status: "fulfilled", value: [{ partition: 2, errorCode: 5, baseOffset: "1" }] }).type,
    ).toBe("info");
  });
});

describe("@platformatic/kafka", () => {
  it("durable: idempotent with acks=all; unsafe: acks=1", () => {
    expect(platformaticDurability("all")).toMatchObject({ idempotent: true, acks: -1 });
    expect(platformaticDurability("leader")).toMatchObject({ idempotent: false, acks: 1 });
  });

  it("a batch on one partition sits at consecutive offsets from the response's base; no base means unknown", () => {
    expect(batchOutcomes([{ partition: 1, offset: 10n }], 1, 3)).toEqual([
      { type: "ok", position: { partition: 1, offset: 10 } },
      { type: "ok", position: { partition: 1, offset: 11 } },
      { type: "ok", position: { partition: 1, offset: 12 } },
    ]);
    expect(batchOutcomes([{ partition: 0, offset: 10n }], 1, 2).map((o) => o.type)).toEqual(["info", "info"]);
    expect(batchOutcomes(undefined, 1, 1)[0]?.type).toBe("info");
  });
});
