// `npm run deploy`: the summary's wording, then the whole flow through the real Pulumi engine on the embedded
// default (platform: embedded): a passing deploy, a deliberately broken durability setting that the gate must catch
// after a green `up`, and a bad stack config that must stop at preview with nothing changed.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { pulumiFailure } from "../../infra/pulumi-failure";
import type { GateReport } from "../../smoke-tests/gate/gate";
import { run } from "../../toolchain/src/exec";
import { repoRoot, toolPaths } from "../../toolchain/src/paths";
import { type DeployResult, deployExitCode, describeChanges, formatSummary } from "../deploy/summary";

const ok = (step: DeployResult["steps"][number]["step"], detail = "fine") => ({
  step,
  ok: true,
  detail,
  durationMs: 1000,
});

describe("deploy summary", () => {
  it("words Pulumi's change summary like the CLI", () => {
    expect(describeChanges({ create: 3 }, "plan")).toBe("3 to create");
    expect(describeChanges({ update: 1, same: 2 }, "done")).toBe("1 updated, 2 unchanged");
    expect(describeChanges({}, "done")).toBe("no changes");
  });

  it("a failed gate names each failed check, then the report paths last", () => {
    const report = {
      passed: false,
      systems: [
        {
          system: "kafka",
          checks: [
            { system: "kafka", name: "round trip", passed: true, detail: "ok", durationMs: 1 },
            {
              system: "kafka",
              name: "durability settings",
              passed: false,
              detail: "topic t: min ISR 1",
              durationMs: 1,
            },
          ],
        },
      ],
    } as unknown as GateReport;
    const text = formatSummary({
      stack: "s",
      steps: [
        ok("config"),
        ok("preview"),
        ok("up"),
        ok("healthy"),
        { step: "gate", ok: false, detail: "1 of 2", durationMs: 1 },
      ],
      gate: { report, written: { json: "/r/gate.json", html: ["/r/report.html"] } },
    });
    const lines = text.split("\n");
    expect(lines[0]).toBe("deploy s: FAIL at gate in 4.0 s");
    expect(text).toContain("  kafka durability settings: topic t: min ISR 1");
    expect(text).not.toContain("kafka round trip");
    expect(lines.slice(-2)).toEqual(["gate report: /r/gate.json", "drill report: /r/report.html"]);
  });

  it("a failed preview says nothing was changed and that the gate did not run", () => {
    const text = formatSummary({
      stack: "s",
      steps: [ok("config"), { step: "preview", ok: false, detail: "bad", durationMs: 5 }],
    });
    expect(text).toMatch(/^deploy s: FAIL at preview/);
    expect(text).toContain("nothing was changed");
    expect(text).not.toContain("gate report");
  });

  it("exits 0 when every step passed, 1 when the gate failed, 2 when the deploy stopped before the gate", () => {
    const upToGate = [ok("config"), ok("preview"), ok("up"), ok("healthy")];
    const failed = (step: DeployResult["steps"][number]["step"]) => ({ ...ok(step), ok: false });
    expect(deployExitCode({ stack: "s", steps: [...upToGate, ok("gate")] })).toBe(0);
    expect(deployExitCode({ stack: "s", steps: [...upToGate, failed("gate")] })).toBe(1);
    expect(deployExitCode({ stack: "s", steps: [ok("config"), failed("preview")] })).toBe(2);
    // Every step that ran passed, but the gate never ran: not a pass.
    expect(deployExitCode({ stack: "s", steps: upToGate })).toBe(2);
  });

  it("a broker the scheduler refused fails the rollout: the stack changed, the gate did not run", () => {
    const refused =
      "kafka/kafka-broker-3 cannot be scheduled: 0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.";
    const text = formatSummary({
      stack: "cluster",
      steps: [
        ok("config"),
        ok("preview"),
        ok("up"),
        { step: "rolled out", ok: false, detail: `not rolled out: ${refused}`, durationMs: 15_000 },
      ],
    });
    expect(text).toMatch(/^deploy cluster: FAIL at rolled out/);
    expect(text).toContain(refused);
    expect(text.split("\n").at(-1)).toBe(
      "pulumi up changed the stack, but the brokers did not roll out; the gate did not run",
    );
  });

  it("the placement comes after the steps and before the report paths", () => {
    const placement = [
      {
        system: "kafka-broker",
        line: "kafka-broker: kafka-broker-0 mpk8s-1 (zone-a); one per node, one per zone",
        shared: [],
      },
    ];
    const text = formatSummary({ stack: "cluster", steps: [ok("config"), ok("rolled out")], placement });
    const lines = text.split("\n");
    expect(lines.indexOf("placement: kafka-broker: kafka-broker-0 mpk8s-1 (zone-a); one per node, one per zone")).toBe(
      lines.length - 1,
    );
    expect(lines.at(-2)).toBe("");
    expect(lines[2]).toMatch(/✓ rolled out/);
  });

  it("keeps the lines of a Pulumi failure that say why", () => {
    const message = [
      "code: 255",
      "stdout: Previewing update (x):",
      "    error: stack x: 1 problem in the stack config; nothing was deployed:",
      '      - gate.nodeFailure = "yes" must be true or false',
      "Resources:",
    ].join("\n");
    expect(pulumiFailure(message).split("\n    ")).toEqual([
      "error: stack x: 1 problem in the stack config; nothing was deployed:",
      '- gate.nodeFailure = "yes" must be true or false',
    ]);
  });
});

describe("npm run deploy on the embedded default (real engine, real brokers)", () => {
  jest.setTimeout(600_000);
  let dir: string;
  const deploy = (args: string[]) => {
    const cli = join(repoRoot, "operations", "cli", "deploy.ts");
    const r = run(process.execPath, ["--import", "tsx", cli, "--cwd", dir, ...args], {
      cwd: repoRoot,
      env: { ...process.env, PULUMI_BACKEND_URL: `file://${join(dir, "state")}`, PULUMI_CONFIG_PASSPHRASE: "" },
      timeoutMs: 540_000,
    });
    return { code: r.code, out: r.stdout + r.stderr, last: (r.stdout + r.stderr).trimEnd().split("\n") };
  };
  /**
   * A stack of the repo's program in the temp project (the passphrase provider writes its salt there). Test stacks are
   * throwaway: they get the empty passphrase (toolchain/src/stack-secrets.ts).
   */
  const stackFile = (name: string, config: Record<string, unknown>) => {
    const prefixed = Object.fromEntries(
      Object.entries({ throwaway: true, ...config }).map(([k, v]) => [`messaging-platform:${k}`, v]),
    );
    writeFileSync(join(dir, `Pulumi.${name}.yaml`), stringify({ config: prefixed }));
  };
  beforeAll(() => {
    // A project directory outside the repo running the repo's program: no stack file or state lands in the checkout.
    dir = mkdtempSync(join(tmpdir(), "mp-deploy-"));
    const project = parse(readFileSync(join(repoRoot, "Pulumi.yaml"), "utf8"));
    writeFileSync(join(dir, "Pulumi.yaml"), stringify({ ...project, main: join(repoRoot, "infra") }));
    copyFileSync(join(repoRoot, "Pulumi.embedded.yaml"), join(dir, "Pulumi.embedded.yaml"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("--stack embedded: preview with the policy pack, up, healthy, and the whole gate pass", () => {
    const r = deploy(["--stack", "embedded"]);
    expect(r.out).toContain("deploy embedded: PASS");
    for (const step of ["config", "preview", "up", "healthy", "gate"]) expect(r.out).toMatch(new RegExp(`✓ ${step} `));
    expect(r.out).toMatch(/✓ gate +10 of 10 checks passed/);
    expect(r.code).toBe(0);
    const json = /gate report: (\S+)/.exec(r.out)?.[1] ?? "";
    const report = JSON.parse(readFileSync(json, "utf8")) as GateReport;
    expect(report.passed).toBe(true);
    // The floors came from Pulumi.embedded.yaml through the stack's target output.
    expect(report.settings.throughput.floors.rabbitmq.messagesPerSec).toBe(500);
    const lost = report.systems.map((s) => s.nodeFailure?.ledger.counts.lost);
    expect(lost).toEqual([0, 0]);
  });

  it("a topic declared with min.insync.replicas 1 deploys, then fails at the gate with the report path last", () => {
    stackFile("broken", {
      platform: "embedded",
      environment: "development",
      tls: { enabled: false },
      kafka: { topics: [{ name: "smoke-min-isr-1", partitions: 3, minInsyncReplicas: 1 }] },
      rabbitmq: { queues: [{ name: "smoke" }] },
      gate: { nodeFailure: false, throughput: { durationMs: 2000 } },
    });
    const r = deploy(["--stack", "broken"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/✓ up +\d+ created/);
    expect(r.out).toContain("deploy broken: FAIL at gate");
    expect(r.out).toContain("kafka durability settings: topic smoke-min-isr-1: min.insync.replicas = 1, expected ≥ 2");
    const last = r.last.at(-1) ?? "";
    expect(last).toMatch(/^gate report: \S+gate\.json$/);
    expect(existsSync(last.replace("gate report: ", ""))).toBe(true);
  });

  it("a bad gate config stops at preview, naming field, value and rule, with nothing changed", () => {
    stackFile("bad", {
      platform: "embedded",
      environment: "development",
      kafka: { topics: [{ name: "smoke", partitions: 3 }] },
      gate: { nodeFailure: "yes", throughput: { floors: { kafka: { messagesPerSec: -5 } } } },
    });
    const r = deploy(["--stack", "bad"]);
    expect(r.code).toBe(2);
    expect(r.out).toContain("deploy bad: FAIL at preview");
    expect(r.out).toContain('gate.nodeFailure = "yes" must be true or false');
    expect(r.out).toContain("gate.throughput.floors.kafka.messagesPerSec = -5 must be a number ≥ 0");
    expect(r.out).toContain("nothing was changed");
    expect(r.out).not.toMatch(/✓ up/);
  });

  it("pulumi destroy takes the embedded environment down, leaving no node running", () => {
    const r = run(
      toolPaths.pulumi,
      ["destroy", "--yes", "--skip-preview", "--non-interactive", "--stack", "embedded", "--cwd", dir],
      {
        env: { ...process.env, PULUMI_BACKEND_URL: `file://${join(dir, "state")}`, PULUMI_CONFIG_PASSPHRASE: "" },
        timeoutMs: 300_000,
      },
    );
    expect(r.stdout + r.stderr).toMatch(/3 deleted/);
    expect(r.code).toBe(0);
    const target = run(process.execPath, ["--import", "tsx", "embedded/cli.ts", "target"], { cwd: repoRoot });
    expect(target.stderr).toContain("the embedded environment is not up");
    expect(target.code).toBe(3);
  });
});
