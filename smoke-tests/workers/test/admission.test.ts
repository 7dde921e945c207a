// What a worker waits for before its clients connect: each broker's client endpoint accepting a connection.
import { createServer } from "node:net";
import type { Target } from "../../../contract/target";
import { awaitAdmitted, brokerEndpoints } from "../admission";

const target = {
  kafka: {
    bootstrapServers: ["kafka-broker-0.kafka-broker-headless.kafka.svc.cluster.local:9092"],
    nodes: [
      { name: "kafka-broker-0", host: "kafka-broker-0.h", id: "0", roles: ["broker", "controller"] },
      { name: "kafka-broker-1", host: "kafka-broker-1.h", id: "1", roles: ["broker"] },
      { name: "kafka-controller-9", host: "kafka-controller-9.h", id: "9", roles: ["controller"] },
    ],
  },
  rabbitmq: { amqpUrls: ["amqps://rabbitmq-0.n:5671", "amqp://rabbitmq-1.n"] },
} as unknown as Pick<Target, "kafka" | "rabbitmq">;

test("the brokers' client endpoints: Kafka's broker nodes at the bootstrap port, RabbitMQ's AMQP URLs", () => {
  expect(brokerEndpoints(target, "kafka")).toEqual([
    { host: "kafka-broker-0.h", port: 9092 },
    { host: "kafka-broker-1.h", port: 9092 },
  ]);
  expect(brokerEndpoints(target, "rabbitmq")).toEqual([
    { host: "rabbitmq-0.n", port: 5671 },
    { host: "rabbitmq-1.n", port: 5672 },
  ]);
});

test("names the endpoints that never accepted, and only those", async () => {
  const server = createServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const open = (server.address() as { port: number }).port;
  const closed = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const never = await awaitAdmitted(
    [
      { host: "127.0.0.1", port: open },
      { host: "127.0.0.1", port: closed },
    ],
    0,
  );
  server.close();
  expect(never.map((e) => [e.port, /ECONNREFUSED/.test(e.error)])).toEqual([[closed, true]]);
});
