// The toolchain that `npm run setup` builds from package registries: each tool answers with its pinned version,
// and the real Pulumi engine runs a program offline through the project's language host.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireTool, run } from "../src/exec";
import { repoRoot, toolPaths, version } from "../src/paths";

const javaHome = process.env.JAVA_HOME ?? "/usr/lib/jvm/java-17-openjdk-amd64";
const java = join(javaHome, "bin", "java");

describe("pinned versions", () => {
  it("lockfile's @pulumi/kubernetes and @pulumi/pulumi are the versions the toolchain builds", () => {
    const lock = JSON.parse(readFileSync(join(repoRoot, "package-lock.json"), "utf8"));
    expect(lock.packages["node_modules/@pulumi/kubernetes"].version).toBe(version("PULUMI_KUBERNETES_VERSION"));
    expect(lock.packages["node_modules/@pulumi/pulumi"].version).toBe(version("PULUMI_VERSION"));
  });

  it("every project script runs on the pinned Node", () => {
    expect(process.version).toBe(`v${version("NODE_VERSION")}`);
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
    expect(pkg.engines.node).toBe(">=22");
  });
});

describe("Pulumi CLI built from Go modules", () => {
  const pulumi = () => requireTool("the Pulumi CLI", toolPaths.pulumi);

  it("`pulumi version` prints the pinned version", () => {
    const r = run(pulumi(), ["version"]);
    expect(r.stdout.trim()).toBe(`v${version("PULUMI_VERSION")}`);
  });

  it("the Node.js language host and the policy analyzer sit next to the CLI", () => {
    const bin = readdirSync(toolPaths.pulumiBin);
    expect(bin).toEqual(expect.arrayContaining(["pulumi-language-nodejs", "pulumi-analyzer-policy"]));
  });

  describe("a program previewed and deployed offline on a file backend", () => {
    const fixtures = join(repoRoot, "toolchain", "test", "fixtures");
    let work: string;
    let program: string;
    let policyPack: string;
    let env: NodeJS.ProcessEnv;
    const cli = (args: string[]) => run(pulumi(), [...args, "--non-interactive", "--cwd", program], { env });

    beforeAll(() => {
      // Pulumi writes Pulumi.<stack>.yaml next to the program: work on copies, so the repo stays clean.
      work = mkdtempSync(join(tmpdir(), "mp-pulumi-"));
      program = join(work, "program");
      policyPack = join(work, "policy-pack");
      for (const [from, to] of [
        ["trivial-program", program],
        ["policy-pack", policyPack],
      ] as const) {
        cpSync(join(fixtures, from), to, { recursive: true });
        symlinkSync(join(repoRoot, "node_modules"), join(to, "node_modules"));
      }
      mkdirSync(join(work, "state"));
      env = {
        ...process.env,
        PULUMI_BACKEND_URL: `file://${join(work, "state")}`,
        PULUMI_CONFIG_PASSPHRASE: "toolchain-test",
      };
      expect(cli(["stack", "init", "check"]).code).toBe(0);
      expect(cli(["config", "set", "who", "operator"]).code).toBe(0);
      expect(cli(["config", "set", "--secret", "token", "tok-9f3a61"]).code).toBe(0);
    });
    afterAll(() => rmSync(work, { recursive: true, force: true }));

    it("preview plans the stack and its component", () => {
      const r = cli(["preview", "--diff"]);
      expect(r.stderr + r.stdout).toContain("toolchain:check:Probe");
      expect(r.code).toBe(0);
    });

    it("up creates it, outputs come back, and the secret is not in the state file in plaintext", () => {
      const up = cli(["up", "--yes", "--skip-preview"]);
      expect(up.code).toBe(0);
      const out = JSON.parse(cli(["stack", "output", "--json"]).stdout);
      expect(out).toEqual({ greeting: "hello operator", token: "[secret]" });
      const state = cli(["stack", "export"]).stdout;
      expect(state).toContain("toolchain:check:Probe");
      expect(state).not.toContain("tok-9f3a61");
    });

    it("a second up reports no changes", () => {
      const r = cli(["preview", "--expect-no-changes"]);
      expect(r.code).toBe(0);
    });

    it("a Node.js policy pack runs through the language host: passes, then fails on a violation", () => {
      expect(cli(["preview", "--policy-pack", policyPack]).code).toBe(0);
      expect(cli(["config", "set", "probeName", "forbidden"]).code).toBe(0);
      const r = cli(["preview", "--policy-pack", policyPack]);
      expect(r.stdout + r.stderr).toContain("the probe is named 'forbidden'");
      expect(r.code).not.toBe(0);
    });
  });
});

describe("helm and kubeconform built from Go modules", () => {
  it("`helm version` prints the pinned version", () => {
    const r = run(requireTool("helm", toolPaths.helm), ["version", "--short"]);
    expect(r.stdout).toContain(`v${version("HELM_VERSION")}`);
  });
  it("kubeconform runs", () => {
    expect(run(requireTool("kubeconform", toolPaths.kubeconform), ["-v"]).code).toBe(0);
  });
});

describe("Kafka and its perf tools from Maven Central", () => {
  const libs = join(toolPaths.kafkaHome, "libs");

  it("the broker, storage tool and kafka-tools jars are the pinned version", () => {
    const jars = readdirSync(requireTool("Kafka", libs));
    const v = version("KAFKA_VERSION");
    expect(jars).toEqual(
      expect.arrayContaining([`kafka_2.13-${v}.jar`, `kafka-tools-${v}.jar`, `kafka-clients-${v}.jar`]),
    );
  });

  it("ProducerPerformance and ConsumerPerformance start (usage)", () => {
    for (const main of ["org.apache.kafka.tools.ProducerPerformance", "org.apache.kafka.tools.ConsumerPerformance"]) {
      const r = run(java, ["-cp", `${libs}/*`, main, "--help"]);
      expect(r.stdout + r.stderr).toMatch(/usage/i);
    }
  });

  it("RabbitMQ PerfTest starts (usage)", () => {
    const jars = join(requireTool("PerfTest", join(toolPaths.perfTestHome, "libs")));
    const r = run(java, ["-cp", `${jars}/*`, "com.rabbitmq.perf.PerfTest", "--help"]);
    expect(r.stdout + r.stderr).toContain("--quorum-queue");
  });
});

describe("RabbitMQ 4.x root filesystem from Debian", () => {
  it("rabbitmqctl in the root filesystem reports a 4.x version", () => {
    const rootfs = requireTool("the RabbitMQ root filesystem", toolPaths.rabbitmqRootfs);
    const r = run("chroot", [rootfs, "rabbitmqctl", "version"], { timeoutMs: 60_000 });
    expect(r.stdout.trim()).toMatch(/^4\.\d+\.\d+/);
  });
});

describe("npm run setup", () => {
  it("is idempotent: with a warm cache every step is cached", () => {
    const r = run("bash", [join(repoRoot, "toolchain", "setup.sh")], { timeoutMs: 300_000 });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // The last line of each step says how it ended: nothing may have been (re)installed.
    const ending = new Map<string, string>();
    for (const line of r.stdout.split("\n")) {
      const m = /^\[\d+\/\d+\] (\S+)\s+(.*)$/.exec(line);
      if (m?.[1] && m[2]) ending.set(m[1], m[2]);
    }
    expect([...ending.keys()]).toContain("kubernetes-provider");
    for (const [step, end] of ending) expect(`${step}: ${end}`).toBe(`${step}: cached`);
  });

  it("a step that fails fails setup, naming the step, the package, the version and its log's last lines", () => {
    // A copy of the step runner with one step whose build fails, on its own empty cache.
    const dir = mkdtempSync(join(tmpdir(), "mp-setup-"));
    try {
      const tool = join(dir, "toolchain");
      mkdirSync(join(tool, "steps"), { recursive: true });
      for (const f of ["setup.sh", "lib.sh", "versions.env", "steps/common.sh"]) {
        cpSync(join(repoRoot, "toolchain", f), join(tool, f));
      }
      writeFileSync(
        join(tool, "steps", "broken.sh"),
        [
          'step_inputs() { echo "example.com/broken@v1.2.3"; }',
          "step_check() { false; }",
          'step_install() { echo "compiling example.com/broken"; echo "main.go:3: undefined: frobnicate"; fail go-proxy example.com/broken v1.2.3 "go build failed"; }',
        ].join("\n"),
      );
      const r = run("bash", [join(tool, "setup.sh"), "broken"], {
        env: { ...process.env, MESSAGING_PLATFORM_CACHE: join(dir, "cache") },
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        "FAILED: step=broken registry=go-proxy package=example.com/broken version=v1.2.3: go build failed",
      );
      expect(r.stderr).toContain("main.go:3: undefined: frobnicate");
      expect(r.stdout).not.toMatch(/broken\s+ok/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the Kubernetes provider plugin built from its Go module", () => {
  it("`pulumi plugin ls` lists kubernetes at the version the lockfile's @pulumi/kubernetes drives", () => {
    const r = run(requireTool("the Pulumi CLI", toolPaths.pulumi), ["plugin", "ls"], {
      env: { ...process.env, PULUMI_HOME: toolPaths.pulumiHome },
    });
    expect(r.stdout).toMatch(
      new RegExp(`^kubernetes\\s+resource\\s+${version("PULUMI_KUBERNETES_VERSION").replace(/\./g, "\\.")}\\s`, "m"),
    );
  });
});
