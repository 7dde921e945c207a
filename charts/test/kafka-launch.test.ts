// charts/kafka launch.sh, run for real under sh (dash, and busybox's sh and awk as in the Alpine-based apache/kafka
// image) in a scratch root with stub Kafka scripts: the passwords reach the properties files and the StorageTool's
// java @argfile literally, whatever their characters, and never a command line. Every external command the script
// runs goes through a logging shim (PATH holds the shims only, so an unshimmed command fails the run).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { container, env, render } from "./support";

const fullname = "mp-kafka";
const rendered = render("kafka", ["examples/production.yaml"]);
const launch: string = rendered.get("ConfigMap", `${fullname}-scripts`).data["launch.sh"];
const config: Record<string, string> = rendered.get("ConfigMap", `${fullname}-config`).data;
function poolEnv(pool: "broker" | "controller", name: string): string {
  const value = env(container(rendered.get("StatefulSet", `${fullname}-${pool}`), "kafka"), name);
  if (value === undefined) throw new Error(`the ${pool} container has no ${name}`);
  return value;
}
const brokerEnv = (name: string) => poolEnv("broker", name);
/** The environment launch.sh reads to decide a blank controller's format, as the chart sets it. */
const QUORUM_ENV = ["QUORUM", "CONTROLLER_ROLE", "QUORUM_VOTERS", "FORMAT_PROBE_ATTEMPTS", "FORMAT_PROBE_TIMEOUT"];

/** What the scripts run outside the shell, shimmed. */
const COMMANDS = ["awk", "sed", "cat", "mkdir", "rm", "sha256sum", "sleep"];

// Characters a sed replacement, a shell or a java argument file would trip on, and a token of the template.
const nasty = `|&\\1"'$(x)\`y\` %s @HOST@ /&|\\\\ "q" 'single';$PATH`;
/** The cluster id comes from its Secret's file (no environment variable carries it). */
const clusterId = "UVClQ8eUhX4HiwBnG23QKw";
const passwords: Record<string, string> = Object.fromEntries(
  ["inter-broker", "controller", ...brokerEnv("SCRAM_USERS").split(" ")].map((u) => [u, `${u}:${nasty}`]),
);

function shell(flavour: "system" | "busybox") {
  const which = (c: string) => spawnSync("sh", ["-c", `command -v ${c}`], { encoding: "utf8" }).stdout.trim();
  if (flavour === "busybox") {
    const busybox = which("busybox");
    return busybox ? { sh: [busybox, "sh"], exec: (c: string) => `${busybox} ${c}` } : undefined;
  }
  return { sh: [which("sh")], exec: (c: string) => which(c) };
}

/** The JDK launcher's reading of an argument file written as launch.sh writes it: one "quoted" argument a line. */
function parseArgFile(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => {
      const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(l)?.[1];
      if (quoted === undefined) throw new Error(`not one quoted argument: ${l}`);
      return quoted.replace(/\\(.)/g, "$1");
    });
}

const fill = (template: string, values: Record<string, string>) =>
  Object.entries(values).reduce((t, [token, value]) => t.split(token).join(value), template);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  root: string;
  /** One line per external command: its name and arguments. */
  argv: string;
  /** Where METRICS_AGENT points. */
  agent: string;
}

interface LaunchOptions {
  users?: Record<string, string>;
  formatFails?: boolean;
  /** metrics.enabled: the pod's METRICS_PORT and METRICS_AGENT, with the agent jar in place or missing. */
  metrics?: "agent present" | "agent missing";
  /** Run as controller ordinal 1 instead of broker ordinal 1: its log dir blank or formatted, the quorum's answer. */
  controller?: { dir: "blank" | "formatted"; quorum: "answers" | "silent"; static?: boolean };
}

function runLaunch(flavour: "system" | "busybox", opts: LaunchOptions) {
  const sh = shell(flavour);
  if (!sh) return undefined;
  const root = mkdtempSync(join(tmpdir(), "mp-kafka-launch-test-"));
  const shims = join(root, "shims");
  const bin = join(root, "bin");
  for (const d of [
    shims,
    bin,
    join(root, "etc/kafka/config"),
    join(root, "etc/kafka/users"),
    join(root, "etc/kafka/cluster-id"),
    join(root, "tmp"),
  ]) {
    mkdirSync(d, { recursive: true });
  }
  const log = join(root, "argv.log");
  const script = (body: string) => `#!/bin/sh\n${body}\n`;
  for (const c of COMMANDS) {
    const real = sh.exec(c);
    if (!real) throw new Error(`no ${c} on this machine`);
    writeFileSync(join(shims, c), script(`printf '%s ' ${c} "$@" >> ${log}; echo >> ${log}; exec ${real} "$@"`));
    chmodSync(join(shims, c), 0o755);
  }
  writeFileSync(
    join(bin, "kafka-run-class.sh"),
    script(`printf '%s\\n' "$@" > ${root}/run-class.argv
printf '%s\\n' "$KAFKA_OPTS" > ${root}/run-class.opts
f="\${1#@}"; cat "$f" > ${root}/run-class.argfile
# What Kafka 4.3.1's StorageTool prints: the bootstrap records, SCRAM salts and keys included, then the directory.
echo "Bootstrap metadata: BootstrapMetadata(records=[ApiMessageAndVersion(UserScramCredentialRecord(name='app', mechanism=2, salt=[104, 53], storedKey=[-3, -50], serverKey=[37, -51], iterations=4096) at version 0)])"
echo "Formatting metadata directory ${root}/var/lib/kafka/data/log with metadata.version 4.3-IV0."
${opts.formatFails ? "exit 3" : ""}`),
  );
  // The quorum probe: one line of arguments per call, its --command-config kept, exit 0 when a quorum "answers".
  writeFileSync(
    join(bin, "kafka-metadata-quorum.sh"),
    script(`printf '%s ' "$@" >> ${root}/quorum.argv; echo >> ${root}/quorum.argv
while [ $# -gt 0 ]; do [ "$1" = --command-config ] && cat "$2" > ${root}/quorum.config; shift; done
echo "org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: listNodes"
${opts.controller?.quorum === "answers" ? "exit 0" : "exit 1"}`),
  );
  writeFileSync(
    join(bin, "kafka-server-start.sh"),
    script(
      `printf '%s\\n' "$@" > ${root}/server-start.argv; printf '%s\\n' "$KAFKA_OPTS" > ${root}/server-start.opts; [ -e ${root}/tmp/kafka/storage-format.args ] && echo left >&2; exit 0`,
    ),
  );
  for (const f of ["kafka-run-class.sh", "kafka-server-start.sh", "kafka-metadata-quorum.sh"]) {
    chmodSync(join(bin, f), 0o755);
  }
  if (opts.controller?.dir === "formatted") {
    mkdirSync(join(root, "var/lib/kafka/data/log"), { recursive: true });
    writeFileSync(join(root, "var/lib/kafka/data/log/meta.properties"), "node.id=1\n");
  }
  for (const [name, text] of Object.entries(config)) writeFileSync(join(root, "etc/kafka/config", name), text);
  writeFileSync(join(root, "etc/kafka/cluster-id/cluster-id"), clusterId);
  for (const [user, pw] of Object.entries(opts.users ?? passwords)) {
    writeFileSync(join(root, "etc/kafka/users", user), pw);
  }

  // The script's absolute paths, moved into the scratch root: each must be there, or the test no longer covers it.
  let text = launch;
  for (const [from, to] of [
    ["/etc/kafka/", `${root}/etc/kafka/`],
    ["/tmp/kafka", `${root}/tmp/kafka`],
    ["/opt/kafka/bin/", `${bin}/`],
    ["/var/lib/kafka/", `${root}/var/lib/kafka/`],
  ]) {
    if (!text.includes(from as string)) throw new Error(`launch.sh no longer mentions ${from}`);
    text = text.split(from as string).join(to as string);
  }
  const path = join(root, "launch.sh");
  writeFileSync(path, text);
  const agent = join(root, "opt/jmx-exporter/jmx_prometheus_javaagent.jar");
  if (opts.metrics === "agent present") {
    mkdirSync(join(root, "opt/jmx-exporter"), { recursive: true });
    writeFileSync(agent, "a jar");
  }
  const metricsEnv = opts.metrics ? { METRICS_PORT: brokerEnv("METRICS_PORT"), METRICS_AGENT: agent } : {};
  const [cmd = "/bin/sh", ...args] = sh.sh;
  const pool = opts.controller ? "controller" : "broker";
  const r = spawnSync(cmd, [...args, path], {
    encoding: "utf8",
    env: {
      PATH: shims,
      POD_NAME: `${fullname}-${pool}-1`,
      POD_NAMESPACE: "messaging",
      KAFKA_ROLE: pool,
      PROBE_ROLE: pool,
      NODE_ID_BASE: poolEnv(pool, "NODE_ID_BASE"),
      HEADLESS_SERVICE: `${fullname}-${pool}-headless`,
      ...Object.fromEntries(QUORUM_ENV.map((n) => [n, poolEnv(pool, n)])),
      ...(opts.controller?.static ? { QUORUM: "static" } : {}),
      // No waiting between the probe's attempts here (the chart's interval is seconds).
      FORMAT_PROBE_INTERVAL: "0",
      CLUSTER_DOMAIN: "cluster.local",
      RACK_ENABLED: "false",
      RACK_LABEL: "topology.kubernetes.io/zone",
      SCRAM_USERS: brokerEnv("SCRAM_USERS"),
      ...metricsEnv,
    },
  });
  const argv = existsSync(log) ? readFileSync(log, "utf8") : "";
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, root, argv, agent } satisfies Run;
}

const read = (root: string, f: string) => readFileSync(join(root, f), "utf8");
const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

// busybox (the image's sh and awk) where the machine has it: Debian's busybox-static, which the cluster step installs.
const flavours = (["system", "busybox"] as const).filter((f) => shell(f) !== undefined);

describe.each(flavours)("launch.sh under %s sh and awk", (flavour) => {
  const roots: string[] = [];
  afterAll(() => {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });
  const run = (opts: LaunchOptions = {}): Run => {
    const r = runLaunch(flavour, opts);
    if (!r) throw new Error(`no ${flavour} on this machine`);
    roots.push(r.root);
    return r;
  };
  test("fills both properties files with every password literally, in private files", () => {
    const r = run();
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const host = `${fullname}-broker-1.${fullname}-broker-headless.messaging.svc.cluster.local`;
    const values = {
      "@NODE_ID@": String(Number(brokerEnv("NODE_ID_BASE")) + 1),
      "@HOST@": host,
      "@RACK@": "",
      "@INTER_BROKER_PASSWORD@": passwords["inter-broker"] ?? "",
      "@CONTROLLER_PASSWORD@": passwords.controller ?? "",
    };
    expect(read(r.root, "tmp/kafka/server.properties")).toBe(fill(config["broker.properties"] ?? "", values));
    expect(read(r.root, "tmp/kafka/client.properties")).toBe(fill(config["client-broker.properties"] ?? "", values));
    expect(read(r.root, "tmp/kafka/server.properties")).toContain(`password="${passwords["inter-broker"]}"`);
    expect(mode(join(r.root, "tmp/kafka"))).toBe("700");
    expect(mode(join(r.root, "tmp/kafka/server.properties"))).toBe("600");
    expect(mode(join(r.root, "tmp/kafka/client.properties"))).toBe("600");
    expect(read(r.root, "server-start.argv")).toBe(`${r.root}/tmp/kafka/server.properties\n`);
  });

  test("hands the StorageTool its class and arguments in an @argfile only, without perf data, then removes it", () => {
    const r = run();
    expect(r.code).toBe(0);
    const argFile = `${r.root}/tmp/kafka/storage-format.args`;
    expect(read(r.root, "run-class.argv")).toBe(`@${argFile}\n`);
    expect(read(r.root, "run-class.opts").trim().split(/\s+/)).toContain("-XX:-UsePerfData");
    const users = brokerEnv("SCRAM_USERS").split(" ");
    expect(users).toContain("inter-broker");
    expect(parseArgFile(read(r.root, "run-class.argfile"))).toEqual([
      "kafka.tools.StorageTool",
      "format",
      `--cluster-id=${clusterId}`,
      "--config",
      `${r.root}/tmp/kafka/server.properties`,
      "--ignore-formatted",
      ...users.flatMap((u) => ["--add-scram", `SCRAM-SHA-512=[name=${u},password=${passwords[u]}]`]),
    ]);
    expect(existsSync(argFile)).toBe(false);
  });

  // Debian's busybox sh runs its own applets (awk, mkdir, rm) without a PATH lookup: only dash goes through the shims.
  if (flavour === "system") {
    test("puts no password on any command line", () => {
      const r = run();
      expect(r.code).toBe(0);
      expect(r.argv).toMatch(/^awk /m);
      for (const [user, pw] of Object.entries(passwords)) {
        expect({ user, leaked: r.argv.includes(pw) }).toEqual({ user, leaked: false });
      }
    });
  }

  test("prints what the format did but never the SCRAM credentials it wrote (salts, stored and server keys)", () => {
    for (const formatFails of [false, true]) {
      const r = run({ formatFails });
      expect(r.stdout).toContain("Formatting metadata directory");
      expect({
        formatFails,
        leaked: /storedKey|serverKey|UserScramCredentialRecord/.test(r.stdout + r.stderr),
      }).toEqual({
        formatFails,
        leaked: false,
      });
    }
  });

  test("removes the argfile when the format fails, and does not start Kafka", () => {
    const r = run({ formatFails: true });
    expect(r.code).toBe(3);
    expect(existsSync(join(r.root, "tmp/kafka/storage-format.args"))).toBe(false);
    expect(existsSync(join(r.root, "server-start.argv"))).toBe(false);
  });

  test("refuses a password with a line break (an argfile cannot hold it) without printing it", () => {
    const user = brokerEnv("SCRAM_USERS").split(" ").at(-1) ?? "";
    const r = run({ users: { ...passwords, [user]: "first line\nsecond line" } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`the password of ${user} has a line break`);
    expect(r.stderr).not.toContain("first line");
    expect(existsSync(join(r.root, "tmp/kafka/storage-format.args"))).toBe(false);
  });

  test("attaches the JMX exporter agent to the Kafka JVM only: not to the StorageTool's JVM before it", () => {
    const r = run({ metrics: "agent present" });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(read(r.root, "server-start.opts").trim()).toBe(
      `-javaagent:${r.agent}=${brokerEnv("METRICS_PORT")}:/opt/kafka-chart/metrics/jmx-exporter.yaml`,
    );
    expect(read(r.root, "run-class.opts")).not.toContain("-javaagent");
  });

  test("without metrics (metrics.enabled false) the Kafka JVM gets no agent", () => {
    const r = run();
    expect(r.code).toBe(0);
    expect(read(r.root, "server-start.opts").trim()).toBe("");
  });

  test("refuses to start Kafka when metrics are on and the agent is not in the image, naming its path", () => {
    const r = run({ metrics: "agent missing" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `metrics.enabled is true but the JMX exporter agent is not at ${r.agent} (metrics.agent.path) in this image`,
    );
    expect(existsSync(join(r.root, "server-start.argv"))).toBe(false);
  });

  describe("a blank controller's format (kraft.quorum dynamic)", () => {
    const host = (i: number) =>
      `${fullname}-controller-${i}.${fullname}-controller-headless.messaging.svc.cluster.local:9093`;
    const formatArgs = (r: Run) => parseArgFile(read(r.root, "run-class.argfile"));
    const quorumArgs = (r: Run) => formatArgs(r).filter((a) => /^--(no-)?initial-controllers/.test(a));
    const probes = (r: Run) =>
      existsSync(join(r.root, "quorum.argv"))
        ? read(r.root, "quorum.argv")
            .split("\n")
            .filter((l) => l !== "")
        : [];
    /** Day 1's directory id of a voter, computed here independently of the script's awk. */
    const directoryId = (node: number) =>
      createHash("sha256")
        .update(`kraft-voter-directory ${clusterId} ${node}`)
        .digest()
        .subarray(0, 16)
        .toString("base64url");

    test("a quorum answers: formats as a new member (--no-initial-controllers), after asking the other voters", () => {
      const r = run({ controller: { dir: "blank", quorum: "answers" } });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(quorumArgs(r)).toEqual(["--no-initial-controllers"]);
      expect(probes(r)).toEqual([
        `--bootstrap-controller ${host(0)},${host(2)} --command-config ${r.root}/tmp/kafka/quorum-probe.properties describe --status `,
      ]);
      // The probe speaks to the controller listener as the controller user, and gives up after the chart's timeout.
      const config = read(r.root, "quorum.config");
      expect(config).toContain(`password="${passwords.controller}"`);
      const ms = `${Number(poolEnv("controller", "FORMAT_PROBE_TIMEOUT")) * 1000}`;
      expect(config).toContain(`request.timeout.ms=${ms}\ndefault.api.timeout.ms=${ms}\n`);
      expect(mode(join(r.root, "tmp/kafka/quorum-probe.properties"))).toBe("600");
      expect(r.stdout).toContain("the quorum answers");
    });

    test("no quorum after every attempt: day 1, the initial voter set with directory ids derived from the cluster id", () => {
      const r = run({ controller: { dir: "blank", quorum: "silent" } });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(probes(r)).toHaveLength(Number(poolEnv("controller", "FORMAT_PROBE_ATTEMPTS")));
      const ids = [0, 1, 2].map(directoryId);
      expect(new Set(ids).size).toBe(3);
      for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{21}[AQgw]$/);
      expect(quorumArgs(r)).toEqual([
        `--initial-controllers=${[0, 1, 2].map((i) => `${i}@${host(i)}:${ids[i]}`).join(",")}`,
      ]);
      expect(r.stdout).toContain("day 1");
    });

    test("a formatted log dir asks nobody: the format is skipped (--ignore-formatted)", () => {
      const r = run({ controller: { dir: "formatted", quorum: "silent" } });
      expect(r.code).toBe(0);
      expect(probes(r)).toEqual([]);
      expect(formatArgs(r)).toContain("--ignore-formatted");
      expect(quorumArgs(r)).toEqual(["--no-initial-controllers"]);
    });

    test("a static quorum (kraft.quorum static) asks nobody and names no quorum at format", () => {
      const r = run({ controller: { dir: "blank", quorum: "answers", static: true } });
      expect(r.code).toBe(0);
      expect(probes(r)).toEqual([]);
      expect(quorumArgs(r)).toEqual([]);
    });

    if (flavour === "system") {
      test("neither the controller's password nor the cluster id reaches a command line", () => {
        for (const quorum of ["answers", "silent"] as const) {
          const r = run({ controller: { dir: "blank", quorum } });
          expect(r.code).toBe(0);
          if (quorum === "silent") expect(r.argv).toMatch(/^sha256sum /m);
          const argv = r.argv + read(r.root, "quorum.argv");
          expect({ quorum, leaked: argv.includes(passwords.controller ?? "") || argv.includes(clusterId) }).toEqual({
            quorum,
            leaked: false,
          });
        }
      });
    }
  });

  test("fails when a password file cannot be read", () => {
    const users: Record<string, string> = { ...passwords };
    delete users.controller;
    const r = run({ users });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`cannot read ${r.root}/etc/kafka/users/controller`);
    expect(existsSync(join(r.root, "run-class.argv"))).toBe(false);
  });
});
