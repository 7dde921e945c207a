// The Kafka declaration Job's script, run under sh in a scratch directory with a stub kafka-topics.sh/kafka-configs.sh:
// it reads the password from its file (no environment variable holds it), its client config, which carries the
// password, is private (0600), and the password is on no command line.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clusterDnsEgress } from "../../charts/test/support";
import { declarationNetworkPolicySpec } from "../components/declaration-job";
import { kafkaTopicsScript, rabbitmqDefinitionsScript } from "../values/declarations";

const which = (c: string) => spawnSync("sh", ["-c", `command -v ${c}`], { encoding: "utf8" }).stdout.trim();

describe("kafkaTopicsScript", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "mp-declarations-test-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("writes the client config only its user can read, with the password on no command line", () => {
    const password = `pw|&\\1"'$(x)\`y\` %s;$PATH`;
    const bin = join(root, "bin");
    const shims = join(root, "shims");
    for (const d of [bin, shims]) mkdirSync(d);
    const log = join(root, "argv.log");
    // Every external command goes through a logging shim (PATH holds only those); the Kafka tools are stubs that
    // answer a describe the way kafka-topics.sh does.
    for (const c of ["cat", "sed", "head"]) {
      writeFileSync(
        join(shims, c),
        `#!/bin/sh\nprintf '%s ' ${c} "$@" >> ${log}; echo >> ${log}; exec ${which(c)} "$@"\n`,
      );
      chmodSync(join(shims, c), 0o755);
    }
    const stub = `#!/bin/sh\nprintf '%s ' "$0" "$@" >> ${log}; echo >> ${log}
case "$*" in *--describe*) echo "Topic: orders TopicId: x PartitionCount: 3 ReplicationFactor: 3 Configs: ";; esac\n`;
    for (const t of ["kafka-topics.sh", "kafka-configs.sh"]) {
      writeFileSync(join(bin, t), stub);
      chmodSync(join(bin, t), 0o755);
    }
    const config = join(root, "client.properties");
    const passwordFile = join(root, "password");
    writeFileSync(passwordFile, password, { mode: 0o400 });
    const script = kafkaTopicsScript(
      [{ name: "orders", partitions: 3, replicationFactor: 3, minInsyncReplicas: 2 }],
      undefined,
      passwordFile,
    )
      .split("/tmp/client.properties")
      .join(config)
      .replace("bin=/opt/kafka/bin", `bin=${bin}`);
    expect(script).toContain(config);
    const r = spawnSync(which("sh"), ["-c", script], {
      encoding: "utf8",
      env: { PATH: shims, KAFKA_USER: "admin", BOOTSTRAP_SERVERS: "kafka:9094" },
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect((statSync(config).mode & 0o777).toString(8)).toBe("600");
    expect(readFileSync(config, "utf8")).toContain(`username="admin" password="${password}";`);
    const argv = readFileSync(log, "utf8");
    expect(argv).toContain(`--command-config ${config}`);
    expect(argv).toContain(`cat ${passwordFile}`);
    expect(argv.includes(password)).toBe(false);
  });
});

describe("declarationNetworkPolicySpec (pure)", () => {
  it("admits nothing in, and lets the Job out only to the brokers' pods on its ports and to the cluster DNS", () => {
    const spec = declarationNetworkPolicySpec({ podLabels: { "app.kubernetes.io/name": "kafka" }, ports: [9092] });
    expect(spec).toEqual({
      podSelector: { matchLabels: { "messaging-platform.io/role": "declarations" } },
      policyTypes: ["Ingress", "Egress"],
      ingress: [],
      egress: [
        {
          to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "kafka" } } }],
          ports: [{ protocol: "TCP", port: 9092 }],
        },
        clusterDnsEgress,
      ],
    });
  });
});

describe("rabbitmqDefinitionsScript", () => {
  it("reads the password from its file in Erlang, never from an environment variable", () => {
    const script = rabbitmqDefinitionsScript(
      ["https://r-0:15671"],
      { caFile: "/tls/ca.crt" },
      "/run/secrets/x/password",
    );
    expect(script).toContain("PASSWORD_FILE='/run/secrets/x/password' erl");
    expect(script).toContain('{ok, Password} = file:read_file(os:getenv("PASSWORD_FILE"))');
    expect(script).not.toMatch(/getenv\("RABBITMQ_PASSWORD"\)/);
  });
});
