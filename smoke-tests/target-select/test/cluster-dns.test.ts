import type { Target } from "../../../contract/target";
import {
  answerFromAny,
  clusterHostnames,
  hostsFileText,
  resolveClusterNamesThrough,
  routedLocally,
  useClusterDns,
} from "../cluster-dns";

const dns = require("node:dns") as typeof import("node:dns");

function target(hosts: { kafka: string[]; amqp: string[]; management: string[] }, kind = "kubernetes"): Target {
  return {
    name: "t",
    placement: { kind } as Target["placement"],
    kafka: { bootstrapServers: hosts.kafka } as Target["kafka"],
    rabbitmq: { amqpUrls: hosts.amqp, managementUrls: hosts.management } as Target["rabbitmq"],
  };
}

describe("cluster DNS for commands run on a node", () => {
  const onCluster = target({
    kafka: ["kafka-broker-0.kafka-broker-headless.kafka.svc.cluster.local:9092", "10.0.0.1:9092"],
    amqp: ["amqps://rabbitmq.rabbitmq.svc.cluster.local:5671"],
    management: ["https://rabbitmq.rabbitmq.svc.cluster.local:15671"],
  });

  it("only the target's names under the cluster domain, once each", () => {
    expect(clusterHostnames(onCluster)).toEqual([
      "kafka-broker-0.kafka-broker-headless.kafka.svc.cluster.local",
      "rabbitmq.rabbitmq.svc.cluster.local",
    ]);
  });

  it("nothing to do inside a pod, on the embedded default, or for a target without cluster names", async () => {
    await expect(useClusterDns(onCluster, { KUBERNETES_SERVICE_HOST: "10.96.0.1" })).resolves.toBeUndefined();
    await expect(
      useClusterDns(target({ kafka: [], amqp: [], management: [] }, "embedded"), {}),
    ).resolves.toBeUndefined();
    const plain = target({ kafka: ["10.213.0.10:9092"], amqp: ["amqp://10.213.0.20:5672"], management: [] });
    await expect(useClusterDns(plain, {})).resolves.toBeUndefined();
  });

  it("other names still resolve as before once cluster names go to the cluster's DNS", async () => {
    const before = dns.lookup;
    resolveClusterNamesThrough(["127.0.0.1"]);
    try {
      expect(dns.lookup).not.toBe(before);
      const address = await new Promise((resolve, reject) =>
        dns.lookup("localhost", { family: 4 }, (err, a) => (err ? reject(err) : resolve(a))),
      );
      expect(address).toBe("127.0.0.1");
    } finally {
      (dns as { lookup: unknown }).lookup = before;
    }
  });
});

test("the Java tools' hosts file: one line per cluster name, address first (-Djdk.net.hosts.file reads it alone)", () => {
  expect(
    hostsFileText([
      { host: "kafka-broker-0.kafka-broker-headless.kafka.svc.cluster.local", address: "10.244.1.3" },
      { host: "rabbitmq-0.rabbitmq-nodes.rabbitmq.svc.cluster.local", address: "10.244.1.4" },
    ]),
  ).toBe(
    "10.244.1.3 kafka-broker-0.kafka-broker-headless.kafka.svc.cluster.local\n" +
      "10.244.1.4 rabbitmq-0.rabbitmq-nodes.rabbitmq.svc.cluster.local\n",
  );
});

test("a DNS address is used only when this machine routes it through its own interfaces, never its default route", () => {
  // `ip -j route get` on this machine, 2026-12-06: a CoreDNS pod, and the kube-dns ClusterIP (which only the nodes
  // translate) before the host's unreachable route for the Service range.
  const pod =
    '[{"dst":"10.244.3.2","gateway":"10.214.0.13","dev":"mpk8s0","prefsrc":"10.214.0.1","flags":[],"uid":0,"cache":[]}]';
  const clusterIp =
    '[{"dst":"10.96.0.10","gateway":"192.0.2.1","dev":"eth0","prefsrc":"192.0.2.2","flags":[],"uid":0}]';
  expect(routedLocally(pod, "eth0")).toBe(true);
  expect(routedLocally(clusterIp, "eth0")).toBe(false);
  expect(routedLocally('[{"type":"unreachable","dst":"10.96.0.10"}]', "eth0")).toBe(false);
  expect(routedLocally("[]", "eth0")).toBe(false);
});

describe("a name is asked of every cluster DNS pod at once", () => {
  // A CoreDNS pod on a frozen node never answers; the other one does.
  const silent = new Set(["10.244.1.2"]);
  const resolve4 = (server: string, _host: string) =>
    silent.has(server) ? new Promise<string[]>(() => undefined) : Promise.resolve([`10.244.9.${server.length}`]);

  it("the live pod's answer is taken even when the silent one is listed first", async () => {
    await expect(
      answerFromAny(["10.244.1.2", "10.244.3.2"], "kafka-broker-0.x.svc.cluster.local", resolve4),
    ).resolves.toEqual(["10.244.9.10"]);
  });

  it("fails only when every server failed, naming each", async () => {
    const failing = (server: string) =>
      server === "a" ? Promise.reject(new Error("ETIMEOUT")) : Promise.resolve([] as string[]);
    await expect(answerFromAny(["a", "b"], "n.svc.cluster.local", failing)).rejects.toThrow(
      "n.svc.cluster.local: a: ETIMEOUT; b: no address",
    );
    await expect(answerFromAny([], "n.svc.cluster.local", failing)).rejects.toThrow("no cluster DNS server");
  });

  it("dns.lookup goes through it for cluster names", async () => {
    const before = dns.lookup;
    resolveClusterNamesThrough(["10.244.1.2", "10.244.3.2"], resolve4);
    try {
      const address = await new Promise((resolve, reject) =>
        dns.lookup("kafka-broker-0.x.svc.cluster.local", {}, (err, a) => (err ? reject(err) : resolve(a))),
      );
      expect(address).toBe("10.244.9.10");
    } finally {
      (dns as { lookup: unknown }).lookup = before;
    }
  });
});
