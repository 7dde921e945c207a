import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  describeTermination,
  isolationPolicy,
  judgeReach,
  killEverythingScript,
  killLandedAt,
  leaderFromQuorumStatus,
  quorumStatusScript,
  reachScript,
} from "../kubernetes";

describe("Kubernetes isolation policy", () => {
  const np = isolationPolicy("kafka", "kafka-broker-1");

  it("selects exactly the one pod by its StatefulSet pod name", () => {
    expect(np.spec?.podSelector).toEqual({ matchLabels: { "statefulset.kubernetes.io/pod-name": "kafka-broker-1" } });
    expect(np.metadata).toMatchObject({ name: "isolate-kafka-broker-1", namespace: "kafka" });
  });

  it("denies all ingress and all egress (a real partition, both directions)", () => {
    expect(np.spec?.policyTypes).toEqual(expect.arrayContaining(["Ingress", "Egress"]));
    expect(np.spec?.ingress).toEqual([]);
    expect(np.spec?.egress).toEqual([]);
  });

  it("is labelled so healAll can find every isolation it created", () => {
    expect(np.metadata?.labels).toEqual({ "messaging-platform.io/fault": "isolate" });
  });
});

describe("a kill counts only when the container died by SIGKILL", () => {
  it("exit code 137 (128 + 9) is SIGKILL, with the reason in the detail", () => {
    expect(describeTermination("kafka", { exitCode: 137, reason: "Error" })).toEqual({
      bySigkill: true,
      detail: "container kafka terminated: exit code 137 (SIGKILL), reason Error",
    });
  });

  it("the kill landed at the container's finishedAt, bounded by the exec (finishedAt has one-second resolution)", () => {
    const began = Date.parse("2026-01-01T10:00:05.400Z");
    const ended = Date.parse("2026-01-01T10:00:06.700Z");
    // Died in the exec's second 6: that second, as the API reports it.
    expect(killLandedAt(began, ended, "2026-01-01T10:00:06Z")).toBe(Date.parse("2026-01-01T10:00:06Z"));
    // Truncated to second 5, before the exec began: not earlier than the exec.
    expect(killLandedAt(began, ended, "2026-01-01T10:00:05Z")).toBe(began);
    // A later second than the exec's end cannot be: the exec ended after the broker died.
    expect(killLandedAt(began, ended, new Date("2026-01-01T10:00:09Z"))).toBe(ended);
  });

  it("an earlier death (finishedAt a second or more before the exec) or none known: the exec's end", () => {
    const began = Date.parse("2026-01-01T10:00:05.000Z");
    const ended = began + 900;
    expect(killLandedAt(began, ended, "2026-01-01T10:00:04Z")).toBe(ended);
    expect(killLandedAt(began, ended, "2026-01-01T09:58:00Z")).toBe(ended);
    expect(killLandedAt(began, ended)).toBe(ended);
    expect(killLandedAt(began, ended, "not a date")).toBe(ended);
  });

  it("a clean exit or a SIGTERM shutdown is not a hard kill", () => {
    expect(describeTermination("kafka", { exitCode: 0, reason: "Completed" }).bySigkill).toBe(false);
    expect(describeTermination("rabbitmq", { exitCode: 143, reason: "Error" }).bySigkill).toBe(false);
  });

  it("the kill script, run in a PID namespace of its own, SIGKILLs every process but PID 1 and itself", () => {
    // As in a pod sharing one PID namespace: PID 1 stands for the pause process, the two sleeps for the broker.
    const inPod = `sleep 100 & sleep 101 & sh -c '${killEverythingScript.replaceAll("'", "'\\''")}'; wait; echo done`;
    const r = spawnSync("unshare", ["--pid", "--fork", "--mount-proc", "sh", "-c", inPod], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim().split("\n")).toEqual(["2 sleep", "3 sleep", "done"]);
  });
});

describe("isolation counts only when a peer cannot get in", () => {
  it("the probe script tells an open port from a refused one (bash's /dev/tcp on loopback)", async () => {
    const server = createServer().listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const open = (server.address() as AddressInfo).port;
    const closed = open === 65_000 ? 65_001 : 65_000;
    const r = spawnSync("bash", ["-c", reachScript("127.0.0.1", [open, closed])], { encoding: "utf8" });
    server.close();
    expect(r.stdout.trim().split("\n")).toEqual([`${open} open`, `${closed} refused`]);
  });

  it("isolated: nothing open while the broker runs (a refusal is then the policy's REJECT)", () => {
    expect(judgeReach("9092 refused\n9094 blocked\n", [9092, 9094], true)).toEqual({
      isolated: true,
      detail: "9092 refused, 9094 blocked",
    });
  });

  it("not isolated: one port open (the lone deny-all case: the charts' allow still admits peers)", () => {
    expect(judgeReach("9092 open\n9094 refused\n", [9092, 9094], true).isolated).toBe(false);
  });

  it("not isolated: the broker is not running, so a refusal proves nothing; nor a port the probe did not answer", () => {
    expect(judgeReach("9092 refused\n", [9092], false)).toEqual({
      isolated: false,
      detail: "9092 refused; the broker's container is not running",
    });
    expect(judgeReach("9092 refused\n", [9092, 9094], true).isolated).toBe(false);
  });
});

describe("the active KRaft controller, read from the quorum", () => {
  const status = [
    "ClusterId:              UVClQ8eUhX4HiwBnG23QKw",
    "LeaderId:               102",
    "LeaderEpoch:            3",
    'CurrentVoters:          [{"id": 100, "endpoints": ["CONTROLLER://kafka-broker-0.kafka-broker-headless.kafka.svc.cluster.local:9093"]}, {"id": 102, "endpoints": ["CONTROLLER://kafka-broker-2.kafka-broker-headless.kafka.svc.cluster.local:9093"]}]',
    "CurrentObservers:       []",
  ].join("\n");

  it("is the voter whose id is LeaderId, named by its endpoint's pod name", () => {
    expect(leaderFromQuorumStatus(status)).toBe("kafka-broker-2");
  });

  it("nothing when the tool failed or there is no leader yet", () => {
    expect(leaderFromQuorumStatus("org.apache.kafka.common.errors.TimeoutException")).toBeUndefined();
    expect(
      leaderFromQuorumStatus(status.replace("LeaderId:               102", "LeaderId:               -1")),
    ).toBeUndefined();
  });

  it("the quorum script fills the controller's password in privately, and on no command line", () => {
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
      writeFileSync(tool, '#!/bin/sh\necho "$@"; stat -c %a "$4"; cat "$4"\n');
      chmodSync(tool, 0o755);
      let script = quorumStatusScript;
      for (const [from, to] of [
        ["/etc/kafka/", `${root}/etc/kafka/`],
        ["/tmp/kafka/", `${root}/tmp/kafka/`],
        ["/opt/kafka/bin/", `${root}/bin/`],
      ] as const) {
        expect(script).toContain(from);
        script = script.split(from).join(to);
      }
      const sh = spawnSync("sh", ["-c", "command -v sh"], { encoding: "utf8" }).stdout.trim();
      const r = spawnSync(sh, ["-c", script], {
        encoding: "utf8",
        env: { PATH: join(root, "shims"), CONTROLLER_PORT: "9093" },
      });
      expect(r.stderr).toBe("");
      const config = `${root}/tmp/kafka/quorum-client.properties`;
      expect(r.stdout).toBe(
        `--bootstrap-controller localhost:9093 --command-config ${config} describe --status\n600\n` +
          template.split("@CONTROLLER_PASSWORD@").join(password),
      );
      const argv = readFileSync(log, "utf8");
      expect(argv).toMatch(/^awk /m);
      expect(argv.includes(password)).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
