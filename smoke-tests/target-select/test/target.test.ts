import { createServer, type Server } from "node:net";
import { homedir } from "node:os";
import { join } from "node:path";
import { tcpConnect } from "../../../brokers/tcp";
import { sampleTarget } from "../../../contract/test/sample-target";
import { validateTarget } from "../../../contract/validate-target";
import {
  embeddedTargetPath,
  loadSelectedTarget,
  loadTarget,
  parseTargetSelector,
  type TargetIo,
  targetSelector,
} from "../load";
import { assertReachable, awaitReachable, endpointsOf } from "../reachability";

const io = (files: Record<string, string>, stacks: Record<string, string> = {}): TargetIo => ({
  readFile: (path) => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: "ENOENT" });
    return text;
  },
  stackOutputs: (stack) => {
    const text = stacks[stack];
    if (text === undefined)
      throw Object.assign(new Error("failed"), { stderr: `error: no stack named '${stack}' found` });
    return text;
  },
});

describe("target validation", () => {
  test("accepts a well-formed target", () => {
    expect(validateTarget(sampleTarget())).toEqual({ ok: true, target: sampleTarget() });
  });

  test("reports every problem at once, each with field, value and rule", () => {
    const t = sampleTarget() as unknown as { kafka: Record<string, unknown>; rabbitmq: Record<string, unknown> };
    t.kafka.bootstrapServers = ["kafka-0:9092", "kafka-1"];
    t.kafka.expected = {
      replicationFactor: 3,
      minInsyncReplicas: 3,
      uncleanLeaderElection: "no",
      autoCreateTopics: false,
    };
    t.rabbitmq.amqpUrls = ["amqp://smoke:pw@rabbit:5672"];
    t.rabbitmq.password = "[secret]";
    delete t.rabbitmq.vhost;
    const result = validateTarget(t);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      { field: "kafka.bootstrapServers[1]", value: '"kafka-1"', rule: "must be host:port" },
      {
        field: "kafka.expected.minInsyncReplicas",
        value: "3",
        rule: "must be below replicationFactor (3) so one broker can die",
      },
      { field: "kafka.expected.uncleanLeaderElection", value: '"no"', rule: "must be true or false" },
      {
        field: "rabbitmq.amqpUrls[0]",
        value: '"amqp://smoke:pw@rabbit:5672"',
        rule: "must be amqp://host[:port] or amqps://host[:port], without credentials or vhost",
      },
      {
        field: "rabbitmq.password",
        value: "(hidden)",
        rule: 'is the masked value "[secret]": read stack outputs with --show-secrets',
      },
      { field: "rabbitmq.vhost", value: "(missing)", rule: 'must be a string ("/" for the default vhost)' },
    ]);
  });

  test("never echoes a password, and refuses the guest account", () => {
    const t = sampleTarget();
    t.rabbitmq.username = "guest";
    t.rabbitmq.password = "guest-password";
    const result = validateTarget(t);
    expect(JSON.stringify(result)).not.toContain("guest-password");
    expect(result.ok).toBe(false);
  });

  test("an empty object lists each missing top-level part", () => {
    const result = validateTarget({});
    expect(result.ok ? [] : result.problems.map((p) => p.field)).toEqual(["name", "placement", "kafka", "rabbitmq"]);
  });

  test("checks the kubernetes placement fields", () => {
    const t = sampleTarget() as unknown as { placement: unknown };
    t.placement = { kind: "kubernetes", kafka: { namespace: "mq", podSelector: "app=kafka", statefulSets: [] } };
    const result = validateTarget(t);
    expect(result.ok ? [] : result.problems.map((p) => p.field)).toEqual([
      "placement.kafka.statefulSets",
      "placement.rabbitmq",
    ]);
  });

  test("checks placement.prometheus when present: namespace, pod selector and port, each named", () => {
    const t = sampleTarget() as unknown as { placement: unknown };
    const kube = {
      kind: "kubernetes",
      kafka: { namespace: "kafka", podSelector: "app=kafka", statefulSets: ["kafka"] },
      rabbitmq: { namespace: "rabbitmq", podSelector: "app=rabbitmq", statefulSet: "rabbitmq" },
    };
    t.placement = { ...kube, prometheus: { namespace: "monitoring", podSelector: "app=p", port: 9090 } };
    expect(validateTarget(t).ok).toBe(true);
    t.placement = kube;
    expect(validateTarget(t).ok).toBe(true);
    t.placement = { ...kube, prometheus: { namespace: "", podSelector: "app=p", port: "9090" } };
    const result = validateTarget(t);
    expect(result.ok ? [] : result.problems.map((p) => `${p.field} ${p.rule}`)).toEqual([
      "placement.prometheus.namespace must be a non-empty string",
      "placement.prometheus.port must be an integer ≥ 1",
    ]);
  });
});

describe("target selection", () => {
  test("MP_TARGET_FILE, then $MESSAGING_PLATFORM_STATE, then the default state path", () => {
    expect(embeddedTargetPath({ MP_TARGET_FILE: "/x/t.json", MESSAGING_PLATFORM_STATE: "/s" }).path).toBe("/x/t.json");
    expect(embeddedTargetPath({ MESSAGING_PLATFORM_STATE: "/s" }).path).toBe("/s/target.json");
    expect(embeddedTargetPath({}).path).toBe(join(homedir(), ".local/state/messaging-platform/embedded/target.json"));
  });

  test("the --target flag wins over MP_TARGET, which wins over the embedded default", () => {
    expect(targetSelector(["node", "x", "--target=stack:prod"], { MP_TARGET: "embedded" })).toBe("stack:prod");
    expect(targetSelector(["node", "x", "--target", "file:/t.json"], {})).toBe("file:/t.json");
    expect(targetSelector([], { MP_TARGET: "stack:dev" })).toBe("stack:dev");
    expect(targetSelector([], {})).toBe("embedded");
  });

  test("parses the three selector forms and rejects anything else", () => {
    expect(parseTargetSelector("stack:dev", {})).toEqual({ kind: "stack", stack: "dev" });
    expect(parseTargetSelector("file:/a/b.json", {})).toEqual({ kind: "file", path: "/a/b.json" });
    expect(parseTargetSelector("embedded", { MP_TARGET_FILE: "/t" })).toMatchObject({ kind: "embedded", path: "/t" });
    expect(() => parseTargetSelector("prod", {})).toThrow(/use embedded, stack:<stack name> or file:<path>/);
  });
});

describe("target loading", () => {
  const json = JSON.stringify(sampleTarget());

  test("from the embedded state file", () => {
    const target = loadSelectedTarget([], { MP_TARGET_FILE: "/state/target.json" }, io({ "/state/target.json": json }));
    expect(target.kafka.bootstrapServers).toHaveLength(3);
  });

  test("from a stack's outputs, where it is the `target` output", () => {
    const outputs = JSON.stringify({ kubeconfig: "...", target: sampleTarget() });
    expect(loadTarget({ kind: "stack", stack: "dev" }, io({}, { dev: outputs })).name).toBe("embedded");
  });

  test("a missing embedded state file says which path was tried and why it was chosen", () => {
    expect(() => loadSelectedTarget([], { MESSAGING_PLATFORM_STATE: "/nowhere" }, io({}))).toThrow(
      "MP_TARGET=embedded (/nowhere/target.json, from $MESSAGING_PLATFORM_STATE/target.json): no such file. Is the embedded environment up?",
    );
  });

  test("a stack without a target output, or an unknown stack, says so", () => {
    expect(() => loadTarget({ kind: "stack", stack: "dev" }, io({}, { dev: '{"kubeconfig":"x"}' }))).toThrow(
      /has no "target" output \(outputs: kubeconfig\)/,
    );
    expect(() => loadTarget({ kind: "stack", stack: "nope" }, io({}))).toThrow(/no stack named 'nope'/);
  });

  test("an invalid file lists all problems under the source it came from", () => {
    const broken = { ...sampleTarget(), name: "", kafka: { ...sampleTarget().kafka, tls: "yes" } };
    expect(() => loadTarget({ kind: "file", path: "/t.json" }, io({ "/t.json": JSON.stringify(broken) }))).toThrow(
      /^The target from MP_TARGET=file:\/t\.json is not valid \(2 problems\):\n {2}name +"": must be a non-empty string\n {2}kafka\.tls +"yes": must be true or false$/,
    );
  });

  test("a file that is not JSON", () => {
    expect(() => loadTarget({ kind: "file", path: "/t.json" }, io({ "/t.json": "{" }))).toThrow(
      /file:\/t\.json: not JSON/,
    );
  });
});

describe("reachability", () => {
  let server: Server;
  let openPort: number;
  let closedPort: number;

  beforeAll(async () => {
    server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    openPort = (server.address() as { port: number }).port;
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    closedPort = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  test("derives host and port from bootstrap servers and AMQP URLs (default ports included)", () => {
    const t = sampleTarget();
    t.rabbitmq.amqpUrls = ["amqp://rabbit-0", "amqps://rabbit-1"];
    expect(endpointsOf(t).map((e) => `${e.host}:${e.port}`)).toEqual([
      "127.0.0.1:19092",
      "127.0.0.1:19093",
      "127.0.0.1:19094",
      "rabbit-0:5672",
      "rabbit-1:5671",
    ]);
  });

  test("passes when every endpoint accepts a connection", async () => {
    const t = sampleTarget();
    t.kafka.bootstrapServers = [`127.0.0.1:${openPort}`];
    t.rabbitmq.amqpUrls = [`amqp://127.0.0.1:${openPort}`];
    const results = await assertReachable(t);
    expect(results.every((r) => r.ok)).toBe(true);
  });

  test("fails listing exactly what was tried, refused and silent endpoints alike", async () => {
    const t = sampleTarget();
    t.kafka.bootstrapServers = [`127.0.0.1:${openPort}`, `127.0.0.1:${closedPort}`];
    t.rabbitmq.amqpUrls = ["amqp://blackhole.invalid:5672"];
    const silentOrReal = (host: string, port: number, timeoutMs: number) =>
      host === "blackhole.invalid"
        ? new Promise<void>((_, reject) =>
            setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs),
          )
        : tcpConnect(host, port, timeoutMs);
    const error = await assertReachable(t, { deadlineMs: 300, connector: silentOrReal }).catch((e: Error) => e);
    const lines = String((error as Error).message).split("\n");
    expect(lines[0]).toBe('Target "embedded": 2 of 3 endpoint(s) unreachable. Tried (TCP connect):');
    expect(lines[1]).toMatch(
      new RegExp(`^ {2}ok {4}kafka bootstrap 127\\.0\\.0\\.1:${openPort} .*connected in \\d+ ms$`),
    );
    expect(lines[2]).toMatch(/FAIL .*ECONNREFUSED$/);
    expect(lines[3]).toMatch(
      /FAIL {2}amqp amqp:\/\/blackhole\.invalid:5672 +blackhole\.invalid:5672 {2}no answer within 0\.3 s$/,
    );
  });
});

describe("right after a roll: endpoints may refuse for a moment", () => {
  // A fake clock: each sleep advances it, so no test waits on the wall clock.
  const fakeClock = () => {
    let t = 0;
    return {
      now: () => t,
      sleep: async (ms: number) => {
        t += ms;
      },
    };
  };
  const refusingFor = (rounds: number) => {
    let calls = 0;
    // The sample target's AMQP port refuses for `rounds` probes; its Kafka ports answer.
    return async (_host: string, port: number) => {
      if (port === 15672 && calls++ < rounds) throw new Error("connect ECONNREFUSED");
    };
  };

  test("passes once the refusing endpoint answers within the time, each wait reported", async () => {
    const waits: string[] = [];
    const results = await awaitReachable(sampleTarget(), {
      withinMs: 60_000,
      connector: refusingFor(2),
      onWaiting: (l) => waits.push(l),
      clock: fakeClock(),
    });
    expect(results.every((r) => r.ok)).toBe(true);
    expect(waits).toEqual([
      "waiting: 127.0.0.1:15672 connect ECONNREFUSED (0 s of 60 s)",
      "waiting: 127.0.0.1:15672 connect ECONNREFUSED (2 s of 60 s)",
    ]);
  });

  test("fails with every attempt listed once the time is up", async () => {
    const error = await awaitReachable(sampleTarget(), {
      withinMs: 10_000,
      connector: refusingFor(1_000),
      clock: fakeClock(),
    }).catch((e: Error) => e);
    expect(String((error as Error).message)).toMatch(/^Target "embedded": 1 of \d+ endpoint\(s\) unreachable/);
  });
});
