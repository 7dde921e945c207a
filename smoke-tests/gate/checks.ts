// The post-deploy gate's checks that need no load: authentication works and anonymous or guest access is
// refused, one message makes the round trip, and the durability the deployment promises is what the live
// cluster reports. Each check returns a result; none throws.
import * as amqp from "amqplib";
import { Kafka, logLevel } from "kafkajs";
import { liveDurability } from "../../brokers/kafka";
import { kafkajsSocketFactory } from "../../brokers/kafkajs-socket";
import { ManagementApi } from "../../brokers/rabbitmq";
import { tlsClientOptions } from "../../brokers/tls";
import type { SystemName } from "../../contract/systems";
import type { Target } from "../../contract/target";
import { encodeEnvelope } from "../clients/envelope";
import { KafkaPublisher, KafkaSubscriber, kafka } from "../clients/kafkajs";
import { amqpTlsOptions, amqpUrl, RabbitPublisher, RabbitSubscriber } from "../clients/rabbitmq";
import { newRunId } from "../ledger/message-id";
import { within } from "../workload/within";

export interface CheckResult {
  system: SystemName;
  name: string;
  passed: boolean;
  detail: string;
  durationMs: number;
}

export async function timed(system: SystemName, name: string, body: () => Promise<string>): Promise<CheckResult> {
  const start = Date.now();
  try {
    const detail = await body();
    return { system, name, passed: true, detail, durationMs: Date.now() - start };
  } catch (err) {
    return {
      system,
      name,
      passed: false,
      detail: err instanceof Error ? err.message : String(err),
      durationMs: Date.now() - start,
    };
  }
}

/** Resolves true when the promise rejects within the time limit (an expected refusal), false when it succeeds. */
async function refused(p: Promise<unknown>): Promise<boolean> {
  try {
    await p;
    return false;
  } catch {
    return true;
  }
}

export async function kafkaAuth(target: Target): Promise<CheckResult> {
  return timed("kafka", "authentication", async () => {
    const t = target.kafka;
    const good = kafka(t, { clientId: "mp-gate-auth", retries: 1 });
    const admin = good.admin();
    await admin.connect();
    const cluster = await admin.describeCluster().finally(() => admin.disconnect());
    const quiet = {
      connectionTimeout: 3_000,
      requestTimeout: 3_000,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
      socketFactory: kafkajsSocketFactory,
    };
    const wrong = new Kafka({
      ...quiet,
      clientId: "mp-gate-wrong-password",
      brokers: t.bootstrapServers,
      ssl: t.tls ? tlsClientOptions(t.ca) : false,
      sasl: { mechanism: "scram-sha-512", username: t.sasl.username, password: `${t.sasl.password}-wrong` },
    }).admin();
    if (!(await refused(wrong.connect().finally(() => wrong.disconnect()))))
      throw new Error("a wrong password was accepted");
    const anonymous = new Kafka({
      ...quiet,
      clientId: "mp-gate-anonymous",
      brokers: t.bootstrapServers,
      ssl: t.tls ? tlsClientOptions(t.ca) : false,
    }).admin();
    const anonymousRefused = await refused(
      anonymous
        .connect()
        .then(() => anonymous.listTopics())
        .finally(() => anonymous.disconnect()),
    );
    if (!anonymousRefused) throw new Error("a client without SASL credentials could list topics");
    return `SCRAM-SHA-512 login ok (${cluster.brokers.length} brokers); wrong password and anonymous refused`;
  });
}

export async function rabbitAuth(target: Target): Promise<CheckResult> {
  return timed("rabbitmq", "authentication", async () => {
    const t = target.rabbitmq;
    const conn = await amqp.connect(amqpUrl(t, 0), { timeout: 3_000, ...amqpTlsOptions(t) });
    await conn.close();
    const base = new URL(t.amqpUrls[0] ?? "");
    const as = (user: string, pass: string) => {
      const u = new URL(base);
      u.username = user;
      u.password = pass;
      return amqp.connect(u.toString(), { timeout: 3_000, ...amqpTlsOptions(t) }).then((c) => c.close());
    };
    if (!(await refused(as("guest", "guest")))) throw new Error("guest/guest was accepted");
    if (!(await refused(as(encodeURIComponent(t.username), "wrong-password"))))
      throw new Error("a wrong password was accepted");
    const api = new ManagementApi(t);
    const version = await api.version();
    if (!/^4\./.test(version)) throw new Error(`RabbitMQ ${version} is not 4.x`);
    return `login ok on RabbitMQ ${version}; guest and a wrong password refused`;
  });
}

export async function kafkaRoundTrip(target: Target): Promise<CheckResult> {
  return timed("kafka", "round trip", async () => {
    const topic = target.kafka.topics[0]?.name;
    if (!topic) throw new Error("target.kafka.topics is empty");
    const runId = newRunId();
    const client = kafka(target.kafka, { clientId: "mp-gate-roundtrip" });
    let got: (id: string) => void = () => undefined;
    const received = new Promise<string>((resolve) => {
      got = resolve;
    });
    const sub = new KafkaSubscriber(client, topic, `mp-gate-${runId}`);
    await sub.start((d) => got(d.id));
    const pub = await KafkaPublisher.open(client, topic);
    try {
      const id = `${runId}/gate/0`;
      const [outcome] = await pub.publish([encodeEnvelope(id, Date.now(), 1024)]);
      if (outcome?.type !== "ok") throw new Error(`publish not acknowledged: ${JSON.stringify(outcome)}`);
      const start = Date.now();
      const seen = await within(received, 20_000, "the message was not consumed within 20 s");
      if (seen !== id) throw new Error(`consumed ${seen}, expected ${id}`);
      return `1 message acknowledged (acks=all) and consumed in ${Date.now() - start} ms on ${topic}`;
    } finally {
      await pub.close();
      await sub.stop();
    }
  });
}

export async function rabbitRoundTrip(target: Target): Promise<CheckResult> {
  return timed("rabbitmq", "round trip", async () => {
    const queue = target.rabbitmq.queues[0]?.name;
    if (!queue) throw new Error("target.rabbitmq.queues is empty");
    const runId = newRunId();
    let got: (id: string) => void = () => undefined;
    const received = new Promise<string>((resolve) => {
      got = resolve;
    });
    const sub = new RabbitSubscriber(target.rabbitmq, queue, { purge: true });
    await sub.start((d) => got(d.id));
    const pub = await RabbitPublisher.open(target.rabbitmq, queue);
    try {
      const id = `${runId}/gate/0`;
      const [outcome] = await pub.publish([encodeEnvelope(id, Date.now(), 1024)]);
      if (outcome?.type !== "ok") throw new Error(`publish not confirmed: ${JSON.stringify(outcome)}`);
      const seen = await within(received, 20_000, "the message was not consumed within 20 s");
      if (seen !== id) throw new Error(`consumed ${seen}, expected ${id}`);
      return `1 persistent message confirmed and consumed on quorum queue ${queue}`;
    } finally {
      await pub.close();
      await sub.stop();
    }
  });
}

/** What one broker said of its durability defaults, or why it could not say. */
export type BrokerDefaults = { id: string; config: Record<string, string | undefined> } | { id: string; error: string };

/** Pure: every broker's durability defaults against the promised values; a broker that could not be read fails too. */
export function brokerDefaultsProblems(expected: Record<string, string>, brokers: readonly BrokerDefaults[]): string[] {
  if (brokers.length === 0) return ["target.kafka.nodes has no broker"];
  return brokers.flatMap((b) =>
    "error" in b
      ? [`cannot read broker ${b.id}'s settings: ${b.error}`]
      : Object.entries(expected)
          .filter(([key, want]) => b.config[key] !== want)
          .map(([key, want]) => `${key} = ${b.config[key]} on broker ${b.id}, expected ${want}`),
  );
}

/** Reads the live settings back from every broker and compares them with what the target promises; names every difference. */
export async function kafkaDurability(target: Target): Promise<CheckResult> {
  return timed("kafka", "durability settings", async () => {
    const t = target.kafka;
    const topics = t.topics.map((x) => x.name);
    const client = kafka(t, { clientId: "mp-gate-configs" });
    const reads = [];
    for (const broker of t.nodes.filter((n) => n.roles.includes("broker"))) {
      reads.push(
        await liveDurability(client, broker.id, topics).then(
          (live) => ({ id: broker.id, live }),
          (e: Error) => ({ id: broker.id, error: e.message }),
        ),
      );
    }
    const problems = brokerDefaultsProblems(
      {
        "default.replication.factor": String(t.expected.replicationFactor),
        "min.insync.replicas": String(t.expected.minInsyncReplicas),
        "unclean.leader.election.enable": String(t.expected.uncleanLeaderElection),
        "auto.create.topics.enable": String(t.expected.autoCreateTopics),
      },
      reads.map((r) => ("live" in r ? { id: r.id, config: r.live.broker } : r)),
    );
    const live = reads.find((r) => "live" in r)?.live;
    if (!live) throw new Error(problems.join("; "));
    for (const decl of t.topics) {
      const got = live.topics[decl.name];
      if (!got) {
        problems.push(`topic ${decl.name} is missing`);
        continue;
      }
      if (got.minInsyncReplicas < t.expected.minInsyncReplicas)
        problems.push(
          `topic ${decl.name}: min.insync.replicas = ${got.minInsyncReplicas}, expected ≥ ${t.expected.minInsyncReplicas}`,
        );
      if (got.uncleanLeaderElection) problems.push(`topic ${decl.name}: unclean.leader.election.enable = true`);
      const low = got.replicationFactors.filter((rf) => rf < t.expected.replicationFactor);
      if (low.length > 0)
        problems.push(
          `topic ${decl.name}: ${low.length} partitions with fewer than ${t.expected.replicationFactor} replicas`,
        );
      if (got.replicationFactors.length !== decl.partitions)
        problems.push(`topic ${decl.name}: ${got.replicationFactors.length} partitions, declared ${decl.partitions}`);
    }
    if (problems.length > 0) throw new Error(problems.join("; "));
    return `RF ${t.expected.replicationFactor}, min ISR ${t.expected.minInsyncReplicas}, unclean election off, auto-create off on all ${reads.length} brokers; ${topics.length} topic(s) as declared`;
  });
}

export async function rabbitDurability(target: Target): Promise<CheckResult> {
  return timed("rabbitmq", "durability settings", async () => {
    const t = target.rabbitmq;
    const api = new ManagementApi(t);
    const problems: string[] = [];
    const running = await api.runningNodes();
    if (running.length !== t.expected.clusterSize)
      problems.push(`${running.length} nodes running, expected ${t.expected.clusterSize}`);
    for (const decl of t.queues) {
      const q = await api.queue(decl.name);
      if (q.type !== "quorum") problems.push(`queue ${decl.name} is ${q.type}, expected quorum`);
      if (!q.durable) problems.push(`queue ${decl.name} is not durable`);
      if (q.members.length < t.expected.quorumInitialGroupSize)
        problems.push(
          `queue ${decl.name} has ${q.members.length} members, expected ${t.expected.quorumInitialGroupSize}`,
        );
    }
    const dqt = await api.definitionsDefaultQueueType().then(
      (value) => ({ value }),
      (e: Error) => ({ error: e.message }),
    );
    const dqtProblem = defaultQueueTypeProblem(t.vhost, t.expected.defaultQueueType, dqt);
    if (dqtProblem) problems.push(dqtProblem);
    if (problems.length > 0) throw new Error(problems.join("; "));
    return `${running.length} nodes; ${t.queues.length} quorum queue(s) with ${t.expected.quorumInitialGroupSize} members`;
  });
}

/** Pure: the vhost's default queue type against the promise; one that cannot be read is a failure, not a pass. */
export function defaultQueueTypeProblem(
  vhost: string,
  expected: string,
  read: { value: string | undefined } | { error: string },
): string | undefined {
  if ("error" in read) return `cannot read vhost ${vhost}'s default queue type: ${read.error}`;
  if (read.value === undefined) return `vhost ${vhost} reports no default queue type, expected ${expected}`;
  if (read.value !== expected) return `vhost ${vhost} default queue type is ${read.value}, expected ${expected}`;
  return undefined;
}
