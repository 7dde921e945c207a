// The real Pulumi CLI on a throwaway file backend: what can run without the Kubernetes provider plugin.
// Each test project is a temp directory whose Pulumi.yaml points `main` at the program, so no stack file lands in
// the repo and the repo's .pulumi-state is never touched.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { requireTool, run } from "../../toolchain/src/exec";
import { repoRoot, toolPaths } from "../../toolchain/src/paths";

jest.setTimeout(240_000);

interface Project {
  dir: string;
  cli(args: string[]): { code: number | null; out: string; stdout: string };
  cleanup(): void;
}

/** A temp project + file backend; `config` becomes Pulumi.<stack>.yaml. */
function project(name: string, main: string, stack: string, config?: Record<string, unknown>): Project {
  const dir = mkdtempSync(join(tmpdir(), "mp-engine-"));
  const state = join(dir, "state");
  writeFileSync(
    join(dir, "Pulumi.yaml"),
    // The repo's tsconfig (ES2022), as when the program runs from the repo root.
    stringify({
      name,
      runtime: { name: "nodejs", options: { typescript: true, tsconfig: join(repoRoot, "tsconfig.json") } },
      main,
    }),
  );
  if (config) writeFileSync(join(dir, `Pulumi.${stack}.yaml`), stringify({ config }));
  const env = { ...process.env, PULUMI_BACKEND_URL: `file://${state}`, PULUMI_CONFIG_PASSPHRASE: "engine-test" };
  run("mkdir", ["-p", state]);
  const cli = (args: string[]) => {
    const r = run(requireTool("the Pulumi CLI", toolPaths.pulumi), [...args, "--non-interactive", "--cwd", dir], {
      env,
      timeoutMs: 200_000,
    });
    return { code: r.code, out: r.stdout + r.stderr, stdout: r.stdout };
  };
  const init = cli(["stack", "init", stack]);
  if (init.code !== 0) throw new Error(init.out);
  return { dir, cli, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every string leaf of a JSON value. */
function leaves(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (typeof v === "object" && v !== null) return Object.values(v).flatMap(leaves);
  return [];
}

describe("generated secrets, deployed by the real engine", () => {
  let p: Project;
  let first: Record<string, unknown>;
  beforeAll(() => {
    p = project("generated-secrets-check", join(repoRoot, "infra/test/fixtures/generated-secrets"), "secrets");
  });
  afterAll(() => p.cleanup());

  it("preview plans one RandomSecret per credential", () => {
    const r = p.cli(["preview"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("messaging-platform:secrets:GeneratedSecrets");
    expect(r.out).toMatch(/\+ 8 to create/);
  });

  it("the policy pack loads in the real engine (through the language host) and passes this stack", () => {
    const r = p.cli(["preview", "--policy-pack", join(repoRoot, "infra/policy")]);
    expect(r.out).toMatch(/messaging-platform@v0\.1\.0/);
    expect(r.code).toBe(0);
  });

  it("up creates them; `stack output` masks every value", () => {
    expect(p.cli(["up", "--yes", "--skip-preview"]).code).toBe(0);
    const masked = JSON.parse(p.cli(["stack", "output", "--json"]).stdout);
    expect(leaves(masked).every((v) => v === "[secret]")).toBe(true);
    expect(leaves(masked)).toHaveLength(6);
    first = JSON.parse(p.cli(["stack", "output", "--json", "--show-secrets"]).stdout);
    expect(first).toMatchObject({ kafkaClusterId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/) });
  });

  it("no generated value appears in plaintext in the state file", () => {
    const state = p.cli(["stack", "export"]).stdout;
    expect(state).toContain("RandomSecret");
    for (const value of leaves(first)) expect(state).not.toContain(value);
  });

  it("a second up changes nothing and keeps every value", () => {
    expect(p.cli(["preview", "--expect-no-changes"]).code).toBe(0);
    expect(p.cli(["up", "--yes", "--skip-preview"]).code).toBe(0);
    expect(JSON.parse(p.cli(["stack", "output", "--json", "--show-secrets"]).stdout)).toEqual(first);
  });
});

describe("the stack's CA and server certificates, deployed by the real engine", () => {
  let p: Project;
  let first: { caPem: string; kafka: Record<string, string>; rabbitmq: Record<string, string> };
  /** The CA's private key is in no output: read it from the state, decrypted, to grep for it. */
  let caKey: string;
  beforeAll(() => {
    p = project("stack-tls-check", join(repoRoot, "infra/test/fixtures/stack-tls"), "tls");
  });
  afterAll(() => p.cleanup());

  it("up creates the CA and both certificates; every private key is a secret, the CA certificate is not", () => {
    expect(p.cli(["up", "--yes", "--skip-preview"]).code).toBe(0);
    const masked = JSON.parse(p.cli(["stack", "output", "--json"]).stdout);
    expect(masked.kafka.keyPem).toBe("[secret]");
    expect(masked.rabbitmq.keyPem).toBe("[secret]");
    expect(masked.caPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    first = JSON.parse(p.cli(["stack", "output", "--json", "--show-secrets"]).stdout);
    expect(first.kafka.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const decrypted = JSON.parse(p.cli(["stack", "export", "--show-secrets"]).stdout);
    const ca = decrypted.deployment.resources.find((r: { type: string }) => r.type.endsWith("CertificateAuthority"));
    // `--show-secrets` shows a secret as its marker with the plaintext beside it: the CA's key is one in the state.
    expect(Object.keys(ca.outputs.keyPem)).toEqual(expect.arrayContaining(["4dabf18193072939515e22adb298388d"]));
    caKey = JSON.parse(ca.outputs.keyPem.plaintext);
    expect(caKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it("no private key appears in plaintext in the state file: not the CA's, not a server's, in no form", () => {
    const state = p.cli(["stack", "export"]).stdout;
    expect(state).toContain("CertificateAuthority");
    expect(state).toContain("BEGIN CERTIFICATE");
    for (const key of [caKey, first.kafka.keyPem, first.rabbitmq.keyPem] as string[]) {
      expect(state).not.toContain(key);
      // Nor any line of it (JSON escapes the line breaks).
      for (const line of key.split("\n").filter((l) => l.length > 40)) expect(state).not.toContain(line);
    }
    expect(state).not.toContain("PRIVATE KEY");
  });

  it("a second up changes nothing; a renewal re-issues both certificates under the same CA", () => {
    expect(p.cli(["preview", "--expect-no-changes"]).code).toBe(0);
    expect(p.cli(["config", "set", "renewal", "1"]).code).toBe(0);
    const up = p.cli(["up", "--yes", "--skip-preview"]);
    expect(up.code).toBe(0);
    const renewed = JSON.parse(p.cli(["stack", "output", "--json", "--show-secrets"]).stdout);
    expect(renewed.caPem).toBe(first.caPem);
    for (const system of ["kafka", "rabbitmq"] as const) {
      expect(renewed[system].certPem).not.toBe(first[system]?.certPem);
      expect(renewed[system].keyPem).not.toBe(first[system]?.keyPem);
      const { X509Certificate } = require("node:crypto") as typeof import("node:crypto");
      expect(new X509Certificate(renewed[system].certPem).checkIssued(new X509Certificate(first.caPem))).toBe(true);
    }
  });
});

describe("a stack config with mistakes, previewed by the real engine", () => {
  let p: Project;
  beforeAll(() => {
    p = project("messaging-platform", join(repoRoot, "infra"), "bad", {
      "messaging-platform:environment": "prod",
      "messaging-platform:clientNamespaceLabels": {},
      "messaging-platform:kafka": {
        valuesFile: "charts/kafka/examples/production.yaml",
        brokers: 2,
        imageTag: "latest",
      },
      "messaging-platform:rabbitmq": { valuesFile: "charts/rabbitmq/examples/production.yaml", replicas: 4 },
    });
  });
  afterAll(() => p.cleanup());

  it("fails the preview with all five mistakes in one run", () => {
    const r = p.cli(["preview"]);
    expect(r.code).not.toBe(0);
    for (const problem of [
      'environment = "prod" must be one of "development", "staging", "production"',
      "clientNamespaceLabels = {} must name at least one label",
      "kafka.brokers = 2 is fewer than kafka.replicationFactor (from charts/kafka/examples/production.yaml) = 3",
      'kafka.imageTag = "latest" must pin a version',
      "rabbitmq.replicas = 4 must be odd",
    ]) {
      expect(r.out).toContain(problem);
    }
    expect(r.out).toContain("5 problems in the stack config; nothing was deployed");
    console.log(`pulumi preview of a stack config with five mistakes:\n${r.out}`);
  });

  it("up fails the same way and creates nothing", () => {
    expect(p.cli(["up", "--yes", "--skip-preview"]).code).not.toBe(0);
    const state = JSON.parse(p.cli(["stack", "export"]).stdout);
    const types = (state.deployment?.resources ?? []).map((r: { type: string }) => r.type);
    expect(types.filter((t: string) => t !== "pulumi:pulumi:Stack")).toEqual([]);
  });
});
