// Engine scenarios for the Kubernetes path. NOT registered with jest yet: each needs the pulumi-resource-kubernetes
// plugin, which cannot be built here (the Go module proxy serves no github.com/pulumi/pulumi-kubernetes/provider/v4),
// and `--policy-pack` needs RunPlugin in the project's Node.js language host (toolchain/go/pulumi/cmd/
// pulumi-language-nodejs answers Unimplemented). When both exist, register it from a *.test.ts file:
//
//   import { kubernetesEngineScenarios } from "./engine-kubernetes";
//   describe("the Kubernetes path, with the real provider", kubernetesEngineScenarios);
//
// infra/README.md lists exactly what runs.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { requireTool, run } from "../../toolchain/src/exec";
import { repoRoot, toolPaths } from "../../toolchain/src/paths";
import { exampleStacks, stackConfig } from "./stacks";

function stackProject(stack: string, config: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), "mp-k8s-engine-"));
  const runtime = { name: "nodejs", options: { typescript: true, tsconfig: join(repoRoot, "tsconfig.json") } };
  writeFileSync(
    join(dir, "Pulumi.yaml"),
    stringify({ name: "messaging-platform", runtime, main: join(repoRoot, "infra") }),
  );
  const prefixed = Object.fromEntries(Object.entries(config).map(([k, v]) => [`messaging-platform:${k}`, v]));
  writeFileSync(join(dir, `Pulumi.${stack}.yaml`), stringify({ config: prefixed }));
  // Render mode must not see a kubeconfig (pulumi-kubernetes #2535/#4399).
  const env = {
    ...process.env,
    KUBECONFIG: "",
    PULUMI_BACKEND_URL: `file://${dir}/state`,
    PULUMI_CONFIG_PASSPHRASE: "k8s-engine",
  };
  run("mkdir", ["-p", `${dir}/state`]);
  const cli = (args: string[]) => {
    const r = run(requireTool("the Pulumi CLI", toolPaths.pulumi), [...args, "--non-interactive", "--cwd", dir], {
      env,
      timeoutMs: 600_000,
    });
    return { code: r.code, out: r.stdout + r.stderr };
  };
  expect(cli(["stack", "init", stack]).code).toBe(0);
  return { dir, cli, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An example stack's config, rendering to `dir` instead of a cluster. */
function renderConfig(stack: string, dir: string): Record<string, unknown> {
  return { ...stackConfig(stack), kubernetes: { renderYamlToDirectory: dir } };
}

export function kubernetesEngineScenarios(): void {
  const policyPack = join(repoRoot, "infra", "policy");

  describe.each(exampleStacks)("example stack %s", (stack) => {
    let p: ReturnType<typeof stackProject>;
    let out: string;
    beforeAll(() => {
      out = mkdtempSync(join(tmpdir(), `mp-render-${stack}-`));
      p = stackProject(stack, renderConfig(stack, out));
    });
    afterAll(() => {
      p.cleanup();
      rmSync(out, { recursive: true, force: true });
    });

    it("preview with the policy pack passes every mandatory policy", () => {
      const r = p.cli(["preview", "--policy-pack", policyPack]);
      expect(r.out).not.toMatch(/mandatory/);
      expect(r.code).toBe(0);
    });

    it("up renders every object, and the manifests validate like the chart tests'", () => {
      expect(p.cli(["up", "--yes", "--skip-preview", "--policy-pack", policyPack]).code).toBe(0);
      const files = readdirSync(join(out, "1-manifest"));
      const objects = files.flatMap((f) =>
        parseAllDocuments(readFileSync(join(out, "1-manifest", f), "utf8")).map((d) => d.toJS()),
      );
      const kinds = objects.map((o) => o.kind);
      expect(kinds).toEqual(
        expect.arrayContaining(["Namespace", "StatefulSet", "PodDisruptionBudget", "NetworkPolicy", "Job"]),
      );
      const schemas = requireTool("Kubernetes JSON schemas", toolPaths.kubernetesSchemas);
      const r = run(requireTool("kubeconform", toolPaths.kubeconform), [
        "-strict",
        "-summary",
        "-schema-location",
        `${schemas}/{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json`,
        join(out, "1-manifest"),
      ]);
      expect(r.stdout + r.stderr).toMatch(/Invalid: 0, Errors: 0/);
    });

    it("a second up reports no changes", () => {
      expect(p.cli(["preview", "--expect-no-changes"]).code).toBe(0);
    });
  });

  it("a production Kafka rendering replication factor 2 fails preview with the policy's message", () => {
    const out = mkdtempSync(join(tmpdir(), "mp-render-rf2-"));
    const dir = mkdtempSync(join(tmpdir(), "mp-rf2-"));
    const runtime = { name: "nodejs", options: { typescript: true, tsconfig: join(repoRoot, "tsconfig.json") } };
    const main = join(repoRoot, "infra", "test", "fixtures", "production-rf2");
    writeFileSync(join(dir, "Pulumi.yaml"), stringify({ name: "production-rf2", runtime, main }));
    writeFileSync(join(dir, "Pulumi.rf2.yaml"), stringify({ config: { "production-rf2:renderDir": out } }));
    const env = {
      ...process.env,
      KUBECONFIG: "",
      PULUMI_BACKEND_URL: `file://${dir}`,
      PULUMI_CONFIG_PASSPHRASE: "rf2",
    };
    const cli = (args: string[]) =>
      run(toolPaths.pulumi, [...args, "--non-interactive", "--cwd", dir], { env, timeoutMs: 600_000 });
    try {
      expect(cli(["stack", "init", "rf2"]).code).toBe(0);
      const r = cli(["preview", "--policy-pack", policyPack]);
      expect(r.code).not.toBe(0);
      expect(r.stdout + r.stderr).toContain("default.replication.factor=2 is below the production floor of 3");
      expect(r.stdout + r.stderr).toContain("topic smoke has replication factor 2, below the production floor of 3");
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  });
}
