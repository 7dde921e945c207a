// The programs the Kubernetes injector runs by exec in containers (faults/in-container/), run here as the injector
// passes them (the same argv), against this machine: a PID namespace of their own, loopback ports, a scratch root.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  decoyKillCommand,
  decoyKilled,
  holdConnectionsCommand,
  kafkaQuorumStatusCommand,
  kafkaRemoveVoterCommand,
  killEverythingCommand,
  rabbitmqQuorumStatusCommand,
  reachCommand,
  releaseHoldCommand,
} from "../in-container/commands";

describe("kill-everything.sh", () => {
  // The two sleeps as PIDs 2 and 3, run only once both have exec'd: a fork not yet exec'd reads as "sh" in /proc.
  const sleeping =
    'sleep 100 & a=$!; sleep 101 & b=$!; until [ "$(cat /proc/$a/comm /proc/$b/comm)" = "$(printf "sleep\\nsleep")" ]; do :; done; ';
  it("run in a PID namespace of its own, SIGKILLs every process but PID 1 and itself", () => {
    // As in a pod sharing one PID namespace: PID 1 stands for the pause process, the two sleeps for the broker.
    const inPod = `${sleeping}"$@"; wait; echo done`;
    const r = spawnSync(
      "unshare",
      ["--pid", "--fork", "--mount-proc", "sh", "-c", inPod, "sh", ...killEverythingCommand()],
      {
        encoding: "utf8",
      },
    );
    expect(r.stderr).toBe("");
    expect(r.stdout.trim().split("\n")).toEqual(["2 sleep", "3 sleep", "done"]);
  });

  it("with the hold-down marker: creates it first, says so, then kills as without it", () => {
    const dir = mkdtempSync(join(tmpdir(), "mp-kill-hold-test-"));
    try {
      const marker = join(dir, "held");
      const inPod = `${sleeping}"$@"; wait; echo done`;
      const r = spawnSync(
        "unshare",
        ["--pid", "--fork", "--mount-proc", "sh", "-c", inPod, "sh", ...killEverythingCommand(marker)],
        { encoding: "utf8" },
      );
      expect(r.stderr).toBe("");
      expect(r.stdout.trim().split("\n")).toEqual([`held: ${marker}`, "2 sleep", "3 sleep", "done"]);
      expect(existsSync(marker)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a marker it cannot create (no hold-down hook in the pod): kills nothing, says so, exits 3", () => {
    // The sleeps are still there to be killed by the test's own shell afterwards: "2 killed" only if they lived.
    const inPod = `${sleeping}"$@"; echo "exit $?"; kill $a $b && wait && echo "2 killed"`;
    const marker = "/nonexistent-hold-down-dir/held";
    const r = spawnSync(
      "unshare",
      ["--pid", "--fork", "--mount-proc", "sh", "-c", inPod, "sh", ...killEverythingCommand(marker)],
      { encoding: "utf8" },
    );
    expect(r.stdout.trim().split("\n")).toEqual([
      `cannot create ${marker}: this pod has no hold-down hook (its chart's holdDown.enabled is false?); nothing killed`,
      "exit 3",
      "2 killed",
    ]);
    expect(r.stderr).toMatch(/nonexistent-hold-down-dir/);
  });
});

describe("the hold-down release", () => {
  it("removes the marker, and is no error where there is none", () => {
    const dir = mkdtempSync(join(tmpdir(), "mp-release-test-"));
    try {
      const marker = join(dir, "held");
      writeFileSync(marker, "");
      for (let i = 0; i < 2; i++) {
        const [command = "", ...args] = releaseHoldCommand(marker);
        expect(spawnSync(command, args, { encoding: "utf8" }).status).toBe(0);
        expect(existsSync(marker)).toBe(false);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the decoy kill (a deliberate break)", () => {
  it("SIGKILLs the process it started and nothing else: the broker's stand-in lives on", () => {
    // A PID namespace of its own, as in a pod: a sleep stands for the broker.
    const inPod = 'sleep 100 & broker=$!; "$@"; kill -0 "$broker" && echo "broker alive"; kill "$broker"';
    const r = spawnSync(
      "unshare",
      ["--pid", "--fork", "--mount-proc", "sh", "-c", inPod, "sh", ...decoyKillCommand()],
      {
        encoding: "utf8",
      },
    );
    expect(r.stdout).toMatch(/^decoy \d+ exit 137\nbroker alive\n$/);
    expect(decoyKilled(r.stdout)).toEqual(expect.any(Number));
  });

  it("a decoy that was not killed by SIGKILL is not taken for one", () => {
    expect(decoyKilled("decoy 42 exit 0\n")).toBeUndefined();
    expect(decoyKilled("sh: sleep: not found\n")).toBeUndefined();
  });
});

describe("reach.sh", () => {
  it("tells an open port from a refused one (bash's /dev/tcp on loopback), the IP and ports passed as arguments", async () => {
    const server = createServer().listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const open = (server.address() as AddressInfo).port;
    const closed = open === 65_000 ? 65_001 : 65_000;
    const [command = "", ...args] = reachCommand("127.0.0.1", [open, closed]);
    const r = spawnSync(command, args, { encoding: "utf8" });
    server.close();
    expect(r.stdout.trim().split("\n")).toEqual([`${open} open`, `${closed} refused`]);
  });
});

describe("hold-connections.sh", () => {
  // In a network namespace of its own: loopback servers, and an iptables DROP standing for the isolation.
  const ns = `mp-test-hold-${process.pid}`;
  const inNs = (...argv: string[]) => ["ip", "netns", "exec", ns, ...argv];
  const sh = (argv: string[]) => {
    const r = spawnSync(argv[0] as string, argv.slice(1), { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr}`);
  };
  beforeAll(() => {
    sh(["ip", "netns", "add", ns]);
    sh(inNs("ip", "link", "set", "lo", "up"));
  });
  afterAll(() => spawnSync("ip", ["netns", "del", ns]));

  it("tells a connection the fault cut from one it let through, one reset and one gone before; skips a refused port", async () => {
    // 7101 is cut after "ready"; 7102 stays reachable; 7103's server closes each connection (the probe's write then
    // meets a reset); 7104's resets each one at once (gone before the probe); nothing listens on 7105.
    const servers = spawn(
      ...((([c, ...a]) => [c, a] as const)(
        inNs(
          process.execPath,
          "-e",
          `const net = require("net");
           net.createServer(() => {}).listen(7101, "127.0.0.1");
           net.createServer(() => {}).listen(7102, "127.0.0.1");
           net.createServer((s) => setTimeout(() => s.destroy(), 100)).listen(7103, "127.0.0.1");
           net.createServer((s) => s.resetAndDestroy()).listen(7104, "127.0.0.1", () => console.log("listening"));`,
        ),
      ) as [string, string[]]),
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      await new Promise((r) => servers.stdout.once("data", r));
      const [c = "", ...a] = inNs(...holdConnectionsCommand("127.0.0.1", [7101, 7102, 7103, 7104, 7105]));
      const hold = spawn(c, a, { stdio: ["pipe", "pipe", "pipe"] });
      // As an exec's streams do (the API server's, kubectl's): its stdin ends when its stderr does.
      hold.stderr.on("close", () => hold.stdin.end());
      let out = "";
      hold.stdout.on("data", (d) => {
        out += String(d);
      });
      const ended = new Promise((r) => hold.on("close", r));
      while (!out.includes("ready\n")) await new Promise((r) => setTimeout(r, 50));
      sh(inNs("iptables", "-I", "INPUT", "-p", "tcp", "--dport", "7101", "-j", "DROP"));
      if (!hold.stdin.writableEnded) hold.stdin.end("probe\n");
      await ended;
      const lines = out.trim().split("\n");
      expect(lines.slice(0, 6).map((l) => l.replace(/held \d+$/, "held <inode>"))).toEqual([
        "7101 held <inode>",
        "7102 held <inode>",
        "7103 held <inode>",
        "7104 held <inode>",
        "7105 not-open refused",
        "ready",
      ]);
      expect(lines.slice(6)[0]).toMatch(/^7101 cut unacked=00000007 retransmits=[0-9A-F]{8}$/);
      expect(lines.slice(7)).toEqual(["7102 through acked", "7103 through reset", "7104 gone"]);
    } finally {
      servers.kill();
    }
  });
});

describe("RabbitMQ's quorum_status", () => {
  it("asks the node for one queue's members, as JSON", () => {
    expect(rabbitmqQuorumStatusCommand("smoke-q")).toEqual([
      "rabbitmq-queues",
      "quorum_status",
      "smoke-q",
      "--formatter",
      "json",
    ]);
  });
});

describe("kafka-quorum-status.sh", () => {
  it.each([
    ["describe --status (no arguments)", kafkaQuorumStatusCommand(), [], "describe --status"],
    [
      "remove-controller (the node-lost drill's operator step)",
      kafkaRemoveVoterCommand(2, "AAAAAAAAAAAAAAAAAAAAAA"),
      [
        "kafka-quorum-status.sh",
        "remove-controller",
        "--controller-id",
        "2",
        "--controller-directory-id",
        "AAAAAAAAAAAAAAAAAAAAAA",
      ],
      "remove-controller --controller-id 2 --controller-directory-id AAAAAAAAAAAAAAAAAAAAAA",
    ],
  ])("%s: fills the controller's password in privately, and on no command line", (_, command, args, toolArgs) => {
    // In a scratch root, with dash: every external command goes through a logging shim (PATH holds only those), the
    // Kafka tool is a stub that shows its arguments and the config it was given.
    const root = mkdtempSync(join(tmpdir(), "mp-quorum-script-test-"));
    try {
      const password = `ctl|&\\1"'$(x)\`y\` /&|\\\\ @CONTROLLER_PASSWORD@ %s;$PATH`;
      const template =
        'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="controller" ' +
        'password="@CONTROLLER_PASSWORD@";\nsecurity.protocol=SASL_PLAINTEXT\n';
      for (const d of ["shims", "bin", "etc/kafka/config", "etc/kafka/users", "tmp/kafka"]) {
        mkdirSync(join(root, d), { recursive: true });
      }
      writeFileSync(join(root, "etc/kafka/config/client-controller.properties"), template);
      writeFileSync(join(root, "etc/kafka/users/controller"), password);
      const log = join(root, "argv.log");
      for (const c of ["awk", "sed", "cat", "stat"]) {
        const real = spawnSync("sh", ["-c", `command -v ${c}`], { encoding: "utf8" }).stdout.trim();
        writeFileSync(
          join(root, "shims", c),
          `#!/bin/sh\nprintf '%s ' ${c} "$@" >> ${log}; echo >> ${log}; exec ${real} "$@"\n`,
        );
        chmodSync(join(root, "shims", c), 0o755);
      }
      const tool = join(root, "bin/kafka-metadata-quorum.sh");
      writeFileSync(
        tool,
        // The stub prints KAFKA_OPTS (or "unset": the shell's VAR-word expansion) and the heap options it was given.
        '#!/bin/sh\necho "$@"; stat -c %a "$4"; cat "$4"; echo "opts:$' + '{KAFKA_OPTS-unset} heap:$KAFKA_HEAP_OPTS"\n',
      );
      chmodSync(tool, 0o755);
      const [shell, flag, text = "", ...rest] = command;
      expect([shell, flag, rest]).toEqual(["sh", "-c", args]);
      let script = text;
      for (const [from, to] of [
        ["/etc/kafka/", `${root}/etc/kafka/`],
        ["/tmp/kafka/", `${root}/tmp/kafka/`],
        ["/opt/kafka/bin/", `${root}/bin/`],
      ] as const) {
        expect(script).toContain(from);
        script = script.split(from).join(to);
      }
      const sh = spawnSync("sh", ["-c", "command -v sh"], { encoding: "utf8" }).stdout.trim();
      const r = spawnSync(sh, ["-c", script, ...rest], {
        encoding: "utf8",
        env: {
          PATH: join(root, "shims"),
          CONTROLLER_PORT: "9093",
          POD_NAME: "kafka-broker-1",
          HEADLESS_SERVICE: "kafka-broker-headless",
          POD_NAMESPACE: "kafka",
          CLUSTER_DOMAIN: "cluster.local",
          KAFKA_OPTS: "-javaagent:/x.jar",
        },
      });
      expect(r.stderr).toBe("");
      const config = `${root}/tmp/kafka/quorum-client.properties`;
      // The pod's own name (its certificate names it over TLS; localhost is no SAN), and no broker JVM options.
      expect(r.stdout).toBe(
        `--bootstrap-controller kafka-broker-1.kafka-broker-headless.kafka.svc.cluster.local:9093 --command-config ${config} ${toolArgs}\n600\n` +
          template.split("@CONTROLLER_PASSWORD@").join(password) +
          "opts:unset heap:-Xmx128m -Xms32m\n",
      );
      const argv = readFileSync(log, "utf8");
      expect(argv).toMatch(/^awk /m);
      expect(argv.includes(password)).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
