// Render a stack: its config on the render platform, previewed with the policy pack and deployed by the real Pulumi
// engine and the real Kubernetes provider, which writes every manifest to a directory instead of a cluster (for a
// pull request's review, or a GitOps tool). The stack's own state is never touched: the render runs in a throwaway
// project and backend, so `npm run render -- --stack production` is safe next to real deploys of that stack.
import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { parse, stringify } from "yaml";
import { pulumiProject as project } from "../../contract/pulumi-project";
import { pulumiFailure } from "../pulumi-failure";

export interface RenderOptions {
  stack: string;
  repoRoot: string;
  /** Where the manifests go (replaced whole on success, untouched on failure); default <repo>/rendered/<stack>. */
  outDir?: string;
  /** The stack's config file; default <repo>/Pulumi.<stack>.yaml. */
  configFile?: string;
  /** A project directory to keep (tests run a second preview in it); default: a temp one, removed at the end. */
  workDir?: string;
  /** Passphrase of the throwaway state (it holds no credential); default: random. */
  passphrase?: string;
  onOutput?: (text: string) => void;
}

export interface RenderResult {
  ok: boolean;
  /** Why it failed: the config problems or policy violations, as Pulumi printed them. */
  failure?: string;
  outDir: string;
  /** Manifest files written, relative to outDir. */
  files: string[];
  previewMs: number;
  upMs: number;
}

/** The stack's config, moved to the render platform: same settings, no cluster, manifests into `dir`. */
export function renderConfig(config: Record<string, unknown>, dir: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === "object" && value !== null && "secure" in value) {
      throw new Error(
        `${key} is a secure value: a render copies the stack's plain config only (it never needs a credential)`,
      );
    }
    // Where the stack deploys does not matter to a render; which cluster it would reach must not leak into it.
    if (key === `${project}:kubernetes` || key === `${project}:platform`) continue;
    out[key] = value;
  }
  return { ...out, [`${project}:platform`]: "render", [`${project}:kubernetes`]: { renderYamlToDirectory: dir } };
}

function listFiles(dir: string, prefix = ""): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

export async function renderStack(o: RenderOptions): Promise<RenderResult> {
  const outDir = o.outDir ?? join(o.repoRoot, "rendered", o.stack);
  const configFile = o.configFile ?? join(o.repoRoot, `Pulumi.${o.stack}.yaml`);
  if (!existsSync(configFile)) {
    throw new Error(`--stack ${o.stack}: ${configFile} does not exist (each stack has a Pulumi.<stack>.yaml)`);
  }
  const config = (parse(readFileSync(configFile, "utf8")) as { config?: Record<string, unknown> } | null)?.config ?? {};
  const workDir = o.workDir ?? mkdtempSync(join(tmpdir(), "mp-render-"));
  // The provider writes into a fresh directory next to outDir; it replaces outDir only when the whole render passed.
  mkdirSync(dirname(outDir), { recursive: true });
  const staging = mkdtempSync(`${outDir}.partial-`);
  const result: RenderResult = { ok: false, outDir, files: [], previewMs: 0, upMs: 0 };
  try {
    writeFileSync(
      join(workDir, "Pulumi.yaml"),
      stringify({
        name: project,
        runtime: { name: "nodejs", options: { typescript: true, tsconfig: join(o.repoRoot, "tsconfig.json") } },
        main: join(o.repoRoot, "infra"),
      }),
    );
    writeFileSync(join(workDir, `Pulumi.${o.stack}.yaml`), stringify({ config: renderConfig(config, staging) }));
    const state = join(workDir, "state");
    mkdirSync(state, { recursive: true });
    const stack: Stack = await LocalWorkspace.createOrSelectStack(
      { stackName: o.stack, workDir },
      {
        envVars: {
          PULUMI_BACKEND_URL: `file://${state}`,
          // A throwaway state holds no credential (the render platform generates none): any passphrase will do.
          PULUMI_CONFIG_PASSPHRASE: o.passphrase ?? randomBytes(16).toString("hex"),
          // Render mode must not see a kubeconfig (pulumi-kubernetes #2535).
          KUBECONFIG: "",
        },
      },
    );
    const common = { policyPacks: [join(o.repoRoot, "infra", "policy")], onOutput: o.onOutput };
    // Each command timed; the first that fails says why, and nothing reaches outDir.
    const timed = async (what: "preview" | "up", run: () => Promise<unknown>): Promise<boolean> => {
      const t = Date.now();
      try {
        await run();
        return true;
      } catch (e) {
        result.failure = `pulumi ${what} failed, nothing was written:\n    ${pulumiFailure((e as Error).message)}`;
        return false;
      } finally {
        result[what === "preview" ? "previewMs" : "upMs"] = Date.now() - t;
      }
    };
    if (!(await timed("preview", () => stack.preview(common)))) return result;
    if (!(await timed("up", () => stack.up(common)))) return result;
    rmSync(outDir, { recursive: true, force: true });
    renameSync(staging, outDir);
    result.files = listFiles(outDir).sort();
    result.ok = true;
    return result;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    if (o.workDir === undefined) rmSync(workDir, { recursive: true, force: true });
  }
}
