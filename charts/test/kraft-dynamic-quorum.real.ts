// The chart's dynamic KRaft quorum on real Kafka processes: three controllers of the toolchain's Kafka jars, each
// started by the chart's own launch.sh (rendered from the chart, its absolute paths moved into a scratch root per pod)
// so the entrypoint's format decision runs for real. Every controller listens on its own loopback address
// (127.0.0.1-3, the chart's one port for all), and the pods' DNS names resolve there through a JVM hosts file. Proved:
// day 1 from three blank dirs forms one quorum; a voter that lost its disk comes back blank, formats as a new
// member and auto-joins under a new directory id, the old one gone from the voters; a static quorum upgrades in place
// (kraft.version=1, then a roll to the dynamic configuration). Not the embedded default: private processes, killed by
// their process group id when the suite ends. Not in `npm test`: it takes minutes (334 s on the 2-core machine beside
// a CI run, 2026-12-07), so it runs on its own: `npm run test:kraft-quorum`.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { requireTool, run } from "../../toolchain/src/exec";
import { toolPaths } from "../../toolchain/src/paths";
import { container, type Rendered, render } from "./support";

jest.setTimeout(600_000);

const java = join(process.env.JAVA_HOME ?? "/usr", "bin", "java");
const classpath = `${join(toolPaths.kafkaHome, "libs")}/*`;
const fullname = "mp-kafka";
const clusterId = "UVClQ8eUhX4HiwBnG23QKw";
const NODES = [0, 1, 2];
const address = (i: number) => `127.0.0.${i + 1}`;
type Mode = "dedicated" | "combined";

/** The chart rendered with its listeners on `port`.., no metrics agent, no hold-down hook, a short format probe. */
function renderFor(port: number, quorum: "dynamic" | "static", mode: Mode): Rendered {
  return render(
    "kafka",
    [],
    [
      `kraft.mode=${mode}`,
      `listeners.controller.port=${port}`,
      `listeners.client.port=${port + 1}`,
      `listeners.internal.port=${port + 2}`,
      "metrics.enabled=false",
      "holdDown.enabled=false",
      `kraft.quorum=${quorum}`,
      "kraft.formatProbe.attempts=2",
      "kraft.formatProbe.timeoutSeconds=5",
      "kraft.formatProbe.intervalSeconds=1",
    ],
  );
}

/** Day 1's directory id of a voter, as launch.sh derives it from the cluster id. */
const directoryId = (node: number) =>
  createHash("sha256")
    .update(`kraft-voter-directory ${clusterId} ${node}`)
    .digest()
    .subarray(0, 16)
    .toString("base64url");

interface Voter {
  id: number;
  directoryId?: string;
}
interface Status {
  leaderId: number;
  voters: Voter[];
  observers: Voter[];
}

class Cluster {
  readonly root = mkdtempSync(join(tmpdir(), "kraft-dyn-"));
  readonly bin = join(this.root, "bin");
  readonly hosts = join(this.root, "hosts");
  readonly adminConfig = join(this.root, "admin.properties");
  readonly procs = new Map<number, ChildProcess>();
  readonly passwords: Record<string, string> = {};
  private rendered: Rendered;

  /** The StatefulSet whose pods are the voters: the controllers, or the combined nodes. */
  readonly pool: string;
  /** Node id of ordinal 0 (the chart's nodeIdBase of that pool). */
  readonly base: number;

  constructor(
    readonly port: number,
    quorum: "dynamic" | "static",
    readonly mode: Mode = "dedicated",
  ) {
    this.pool = `${fullname}-${mode === "combined" ? "broker" : "controller"}`;
    this.rendered = renderFor(port, quorum, mode);
    this.base = Number(this.env("NODE_ID_BASE"));
    mkdirSync(this.bin, { recursive: true });
    // Only these names resolve in the JVMs: the pods', and this machine's own (which the JVM may look up).
    const own = `127.0.0.1 localhost ${hostname()}\n`;
    writeFileSync(this.hosts, own + NODES.map((i) => `${address(i)} ${this.hostName(i)}\n`).join(""));
    // The image's scripts, reduced to what launch.sh needs of them: the same java classes, the same arguments.
    const jvm = `${java} $KAFKA_HEAP_OPTS $KAFKA_OPTS -Djdk.net.hosts.file=${this.hosts} -cp "${classpath}"`;
    const shims: Record<string, string> = {
      "kafka-run-class.sh": `exec ${jvm} "$@"`,
      "kafka-metadata-quorum.sh": `exec ${jvm} org.apache.kafka.tools.MetadataQuorumCommand "$@"`,
      "kafka-server-start.sh": `exec ${jvm} $KAFKA_LOG4J_OPTS kafka.Kafka "$@"`,
    };
    for (const [name, body] of Object.entries(shims)) {
      writeFileSync(join(this.bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    }
    for (const u of [...this.env("SCRAM_USERS").split(" "), "controller"]) {
      this.passwords[u] = `${u}-${createHash("sha256").update(`${this.root}${u}`).digest("hex").slice(0, 16)}`;
    }
    const clientConfig: string = this.rendered.get("ConfigMap", `${fullname}-config`).data[
      "client-controller.properties"
    ];
    const password = this.passwords.controller ?? "";
    const timeouts = "request.timeout.ms=5000\ndefault.api.timeout.ms=5000\n";
    writeFileSync(this.adminConfig, `${clientConfig.replace("@CONTROLLER_PASSWORD@", password)}${timeouts}`);
  }

  /** Switches what the next start of a node runs to another rendering (a helm upgrade's new ConfigMaps). */
  rerender(quorum: "dynamic" | "static"): void {
    this.rendered = renderFor(this.port, quorum, this.mode);
  }

  hostName(i: number): string {
    return `${this.pool}-${i}.${this.pool}-headless.messaging.svc.cluster.local`;
  }

  /** Node id of ordinal i. */
  id(i: number): number {
    return this.base + i;
  }

  env(name: string): string {
    const e = container(this.rendered.get("StatefulSet", this.pool), "kafka").env.find(
      (x: { name: string }) => x.name === name,
    );
    if (e?.value === undefined) throw new Error(`the ${this.pool} container has no ${name}`);
    return e.value;
  }

  nodeRoot(i: number): string {
    return join(this.root, `node-${i}`);
  }

  dataDir(i: number): string {
    return join(this.nodeRoot(i), "var/lib/kafka/data");
  }

  metaDirectoryId(i: number): string | undefined {
    const f = join(this.dataDir(i), "log/meta.properties");
    return existsSync(f) ? /^directory\.id=(.*)$/m.exec(readFileSync(f, "utf8"))?.[1] : undefined;
  }

  log(i: number): string {
    const f = join(this.nodeRoot(i), "pod.log");
    return existsSync(f) ? readFileSync(f, "utf8") : "";
  }

  /** Starts pod `i` as the kubelet would: the rendered launch.sh with the container's environment. */
  start(i: number): void {
    const root = this.nodeRoot(i);
    const config = this.rendered.get("ConfigMap", `${fullname}-config`).data as Record<string, string>;
    for (const d of ["etc/kafka/config", "etc/kafka/users", "etc/kafka/cluster-id", "tmp", "var/lib/kafka/data"]) {
      mkdirSync(join(root, d), { recursive: true });
    }
    const moves = [
      ["/etc/kafka/", `${root}/etc/kafka/`],
      ["/tmp/kafka", `${root}/tmp/kafka`],
      ["/opt/kafka/bin/", `${this.bin}/`],
      ["/var/lib/kafka/", `${root}/var/lib/kafka/`],
    ] as const;
    const moved = (text: string) => moves.reduce((t, [from, to]) => t.split(from).join(to), text);
    for (const [name, text] of Object.entries(config)) {
      // The one change to the rendered configuration besides its paths: bind each listener to the pod's own
      // (loopback) name, as a pod binds its own network namespace; `listeners=CONTROLLER://:port` binds every address.
      const own = moved(text).replace(/^listeners=.*$/m, (l) => l.replaceAll("://:", "://@HOST@:"));
      if (own.split(`${root}/var/lib/kafka`).join("").includes("/var/lib/kafka")) {
        throw new Error(`${name} still names /var/lib/kafka`);
      }
      writeFileSync(join(root, "etc/kafka/config", name), own);
    }
    for (const [u, pw] of Object.entries(this.passwords)) writeFileSync(join(root, "etc/kafka/users", u), pw);
    writeFileSync(join(root, "etc/kafka/cluster-id/cluster-id"), clusterId);
    const launch: string = this.rendered.get("ConfigMap", `${fullname}-scripts`).data["launch.sh"];
    for (const [from] of moves) if (!launch.includes(from)) throw new Error(`launch.sh no longer mentions ${from}`);
    writeFileSync(join(root, "launch.sh"), moved(launch));
    const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
    for (const e of container(this.rendered.get("StatefulSet", this.pool), "kafka").env) {
      if (typeof e.value === "string") env[e.name] = e.value;
    }
    Object.assign(env, {
      POD_NAME: `${this.pool}-${i}`,
      POD_NAMESPACE: "messaging",
      LOG_DIR: join(root, "tmp/kafka/logs"),
      KAFKA_HEAP_OPTS: `${this.mode === "combined" ? "-Xmx384m" : "-Xmx256m"} -Xms64m -XX:+UseSerialGC`,
      KAFKA_LOG4J_OPTS: `-Dlog4j2.configurationFile=file:${root}/etc/kafka/config/log4j2.yaml`,
    });
    const out = openSync(join(root, "pod.log"), "a");
    const p = spawn("nice", ["-n", "19", "/bin/sh", join(root, "launch.sh")], {
      env,
      stdio: ["ignore", out, out],
      detached: true,
    });
    this.procs.set(i, p);
  }

  /** SIGKILL of the pod's process group (launch.sh, then the Kafka JVM it execs): no clean shutdown. */
  kill(i: number): void {
    const p = this.procs.get(i);
    if (p?.pid !== undefined && p.exitCode === null) {
      try {
        process.kill(-p.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    this.procs.delete(i);
  }

  async killAndWait(i: number): Promise<void> {
    const p = this.procs.get(i);
    const exited = p && p.exitCode === null ? new Promise((r) => p.once("exit", r)) : Promise.resolve();
    this.kill(i);
    await exited;
  }

  stopAll(): void {
    for (const i of [...this.procs.keys()]) this.kill(i);
  }

  tool(mainClass: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
    return run("nice", [
      "-n",
      "19",
      java,
      "-Xmx128m",
      "-XX:+UseSerialGC",
      `-Djdk.net.hosts.file=${this.hosts}`,
      "-cp",
      classpath,
      mainClass,
      "--command-config",
      this.adminConfig,
      "--bootstrap-controller",
      NODES.map((i) => `${this.hostName(i)}:${this.port}`).join(","),
      ...args,
    ]);
  }

  /** `kafka-metadata-quorum.sh describe --status`, parsed; undefined while no quorum answers. */
  status(): (Status & { text: string }) | undefined {
    const r = this.tool("org.apache.kafka.tools.MetadataQuorumCommand", ["describe", "--status"]);
    if (r.code !== 0) return undefined;
    const field = (name: string) => r.stdout.match(new RegExp(`^${name}:\\s+(.*)$`, "m"))?.[1];
    const leader = Number(field("LeaderId"));
    const voters = JSON.parse(field("CurrentVoters") ?? "[]") as Voter[];
    const observers = JSON.parse(field("CurrentObservers") ?? "[]") as Voter[];
    return { leaderId: leader, voters, observers, text: r.stdout.trim() };
  }

  features(): string {
    const r = this.tool("org.apache.kafka.tools.FeatureCommand", ["describe"]);
    return r.stdout;
  }

  dump(): string {
    return NODES.map((i) => `--- node ${i} (last lines)\n${this.log(i).split("\n").slice(-25).join("\n")}`).join("\n");
  }
}

async function until<T>(what: string, ms: number, cluster: Cluster, probe: () => T | undefined): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}\n${cluster.dump()}`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

const sortedVoters = (s: Status) => [...s.voters].sort((a, b) => a.id - b.id);
const seconds = (t0: number) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
/** What the suite saw, printed once at the end (the report quotes it). */
const evidence: string[] = [];
const note = (line: string) => evidence.push(`[${new Date().toISOString()}] ${line}`);

const clusters: Cluster[] = [];
beforeAll(() => {
  requireTool("java", java);
});
afterAll(() => {
  for (const c of clusters) c.stopAll();
  // The evidence the report quotes.
  console.log(evidence.join("\n"));
  for (const c of clusters) rmSync(c.root, { recursive: true, force: true });
});

// Dedicated controllers, and combined broker+controller nodes (the cluster stack's mode), each on its own ports.
describe.each([
  ["dedicated controllers", "dedicated", 19193],
  ["combined broker+controller nodes", "combined", 19393],
] as const)("dynamic quorum (kraft.quorum dynamic) of %s: day 1, then a voter that lost its disk", (_, mode, port) => {
  let c: Cluster;
  beforeAll(() => {
    for (const done of clusters) done.stopAll();
    c = new Cluster(port, "dynamic", mode);
    clusters.push(c);
  });

  test("day 1: three blank log dirs form one quorum whose voters are the initial set the chart derives", async () => {
    const t0 = Date.now();
    for (const i of NODES) c.start(i);
    const s = await until("three voters and a leader", 240_000, c, () => {
      const st = c.status();
      return st && st.voters.length === 3 && st.leaderId >= 0 ? st : undefined;
    });
    note(`${mode}, day 1: quorum of 3 after ${seconds(t0)}\n${s.text}`);
    // Every voter is a node's own log dir (id and directory id), and the dirs formatted on day 1 carry the derived ids.
    expect(sortedVoters(s).map((v) => [v.id, v.directoryId])).toEqual(
      NODES.map((i) => [c.id(i), c.metaDirectoryId(i)]),
    );
    const day1 = NODES.filter((i) => c.log(i).includes("day 1, formatting the initial voter set"));
    note(`${mode}, day 1: ordinals that formatted the initial voter set: ${day1.join(", ")}; the others joined`);
    expect(day1.length).toBeGreaterThanOrEqual(2);
    for (const i of day1) expect(c.metaDirectoryId(i)).toBe(directoryId(c.id(i)));
  });

  test("a voter that lost its disk comes back blank, joins as a new member; the old voter entry is gone", async () => {
    const before = sortedVoters(c.status() ?? { leaderId: -1, voters: [], observers: [] });
    expect(before).toHaveLength(3);
    const lost = 2;
    const oldId = c.metaDirectoryId(lost);
    await c.killAndWait(lost);
    rmSync(c.dataDir(lost), { recursive: true, force: true });
    const t0 = Date.now();
    c.start(lost);
    const s = await until(`voter ${c.id(lost)} back under a new directory id`, 180_000, c, () => {
      const st = c.status();
      const v = st?.voters.find((x) => x.id === c.id(lost));
      return st && st.voters.length === 3 && v && v.directoryId !== oldId ? st : undefined;
    });
    note(
      `${mode}, replacement of ordinal ${lost} (old directory id ${oldId}): 3 voters after ${seconds(t0)}\n${s.text}`,
    );
    const newId = c.metaDirectoryId(lost);
    expect(newId).toBeDefined();
    expect(newId).not.toBe(oldId);
    expect(c.log(lost)).toContain("the quorum answers");
    expect(sortedVoters(s)).toEqual(
      before
        .map((v) => (v.id === c.id(lost) ? { ...v, directoryId: newId } : v))
        .map((v) => expect.objectContaining(v)),
    );
    expect(s.voters.map((v) => v.directoryId)).not.toContain(oldId);
  });
});

describe("a static quorum upgrades in place: kraft.version=1, then a roll to the dynamic configuration", () => {
  let c: Cluster;
  beforeAll(() => {
    for (const done of clusters) done.stopAll();
    c = new Cluster(19293, "static");
    clusters.push(c);
  });

  test("kraft.quorum static: three voters named by controller.quorum.voters, without directory ids", async () => {
    const t0 = Date.now();
    for (const i of NODES) c.start(i);
    const s = await until("a static quorum of three", 240_000, c, () => {
      const st = c.status();
      return st && st.voters.length === 3 && st.leaderId >= 0 ? st : undefined;
    });
    note(`static: quorum of 3 after ${seconds(t0)}\n${s.text}`);
    expect(s.voters.map((v) => v.directoryId)).toEqual([undefined, undefined, undefined]);
    expect(c.features()).toMatch(/Feature: kraft\.version\s.*FinalizedVersionLevel: 0\s/);
  });

  test("kafka-features.sh upgrade --feature kraft.version=1: the voters get their directory ids", async () => {
    const r = c.tool("org.apache.kafka.tools.FeatureCommand", ["upgrade", "--feature", "kraft.version=1"]);
    note(`kafka-features upgrade: exit ${r.code}: ${r.stdout.trim()} ${r.stderr.trim().split("\n").slice(-1)}`);
    expect(r.code).toBe(0);
    const s = await until("voters with directory ids", 60_000, c, () => {
      const st = c.status();
      return st?.voters.every((v) => v.directoryId !== undefined) ? st : undefined;
    });
    note(`after kraft.version=1\n${s.text}`);
    expect(sortedVoters(s).map((v) => [v.id, v.directoryId])).toEqual(
      NODES.map((i) => [c.id(i), c.metaDirectoryId(i)]),
    );
  });

  test("a roll to controller.quorum.bootstrap.servers, one node at a time, keeps the quorum of three", async () => {
    c.rerender("dynamic");
    for (const i of [2, 1, 0]) {
      const t0 = Date.now();
      await c.killAndWait(i);
      c.start(i);
      const s = await until(`node ${i} back in the quorum`, 240_000, c, () => {
        const r = c.tool("org.apache.kafka.tools.MetadataQuorumCommand", ["describe", "--replication"]);
        // NodeId DirectoryId LogEndOffset Lag LastFetchTimestamp LastCaughtUpTimestamp Status
        const row = r.stdout.split("\n").find((l) => l.split(/\s+/)[0] === String(c.id(i)));
        const caughtUp = Number(row?.trim().split(/\s+/)[5]);
        return r.code === 0 && caughtUp > t0 ? c.status() : undefined;
      });
      note(`roll: node ${i} back with the dynamic configuration after ${seconds(t0)}`);
      expect(sortedVoters(s).map((v) => [v.id, v.directoryId])).toEqual(
        NODES.map((n) => [c.id(n), c.metaDirectoryId(n)]),
      );
      expect(readFileSync(join(c.nodeRoot(i), "tmp/kafka/server.properties"), "utf8")).toContain(
        "controller.quorum.bootstrap.servers=",
      );
    }
    note(`after the roll\n${c.status()?.text}`);
  });

  test("after the upgrade, a controller that lost its disk joins as a new member too", async () => {
    const lost = 1;
    const oldId = c.metaDirectoryId(lost);
    await c.killAndWait(lost);
    rmSync(c.dataDir(lost), { recursive: true, force: true });
    const t0 = Date.now();
    c.start(lost);
    const s = await until(`voter ${lost} back under a new directory id`, 180_000, c, () => {
      const st = c.status();
      const v = st?.voters.find((x) => x.id === c.id(lost));
      return st && st.voters.length === 3 && v && v.directoryId !== oldId ? st : undefined;
    });
    note(`upgraded cluster, replacement of node ${lost} (old ${oldId}) after ${seconds(t0)}\n${s.text}`);
    expect(c.log(lost)).toContain("the quorum answers");
    expect(s.voters.find((v) => v.id === c.id(lost))?.directoryId).toBe(c.metaDirectoryId(lost));
    expect(s.voters.map((v) => v.directoryId)).not.toContain(oldId);
  });
});
