// The names the RabbitMQ certificate must carry: the Erlang distribution over TLS dials the host part of each node's
// name (rabbit@<pod>.<headless Service>.<namespace>) and checks it against the peer's certificate.
import { rabbitmqTopology } from "../values/rabbitmq";

const ports = { amqp: 5672, management: 15672, amqps: 5671, managementTls: 15671, dist: 25672 };
const topology = (tls: boolean, distributionTls = tls) =>
  rabbitmqTopology({
    release: "rabbitmq",
    namespace: "mq",
    replicas: 3,
    ports,
    clusterDomain: "cluster.local",
    tls,
    distributionTls,
  });

test("with TLS, every node's distribution host name is a SAN, and the target says the distribution speaks TLS", () => {
  const t = topology(true);
  for (const n of t.nodes) {
    const host = n.id.split("@")[1] as string;
    expect(t.dnsNames).toContain(host);
    expect(t.dnsNames).toContain(n.host);
  }
  expect(t.dnsNames).toContain("rabbitmq-2.rabbitmq-nodes.mq");
  expect(t.distribution).toEqual({ port: 25672, tls: true });
});

test("without TLS, or with the distribution left plaintext (a development stack's tls.distribution: false), no claim", () => {
  expect(topology(false).distribution).toBeUndefined();
  expect(topology(true, false).distribution).toBeUndefined();
});
