// Test harness for whole stacks: an example stack's settings, the resources the program registers for it (under
// Pulumi mocks), and the objects its charts render (`helm template` with the values the program passes).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parseAllDocuments, parse as parseYaml, stringify } from "yaml";
import { requireTool, run } from "../../toolchain/src/exec";
import { repoRoot, toolPaths } from "../../toolchain/src/paths";
import { generateSecret } from "../components/random-secret";
import { parseSettings, type Settings } from "../settings/settings";

export const exampleStacks = ["dev", "staging", "production"] as const;

/** The project's config of Pulumi.<stack>.yaml, JSON-decoded as the engine hands it to the program. */
export function stackConfig(stack: string): Record<string, unknown> {
  const doc = parseYaml(readFileSync(join(repoRoot, `Pulumi.${stack}.yaml`), "utf8")) as {
    config: Record<string, unknown>;
  };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc.config)) {
    if (k.startsWith("messaging-platform:")) out[k.slice("messaging-platform:".length)] = v;
  }
  return out;
}

export function exampleSettings(stack: string): Settings {
  return parseSettings(stackConfig(stack), { stack, repoRoot });
}

export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>;
}

/** Mocks that record every registration; ids are names, state echoes inputs. */
export async function recordingMocks(): Promise<Registered[]> {
  const registered: Registered[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        // Dynamic providers do not run under mocks: stand in for RandomSecret's create.
        if (args.type.startsWith("pulumi-nodejs:dynamic")) {
          const { format, length } = args.inputs;
          return { id: `${args.name}-id`, state: { ...args.inputs, result: generateSecret(format, length) } };
        }
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    "messaging-platform",
    "test",
  );
  return registered;
}

/** Lets every Output settle, so all registrations have reached the mocks. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 200));
}

/** `helm template` of a chart with the given values: the Kubernetes objects Chart v4 would register. */
export function helmTemplate(chartDir: string, release: string, namespace: string, values: object): Obj[] {
  const dir = mkdtempSync(join(tmpdir(), "mp-helm-"));
  try {
    const file = join(dir, "values.yaml");
    writeFileSync(file, stringify(values));
    const r = run(requireTool("helm", toolPaths.helm), ["template", release, chartDir, "-n", namespace, "-f", file]);
    if (r.code !== 0) throw new Error(`helm template ${chartDir} failed:\n${r.stderr}`);
    return parseAllDocuments(r.stdout)
      .map((d) => d.toJS() as Obj | null)
      .filter((o): o is Obj => o !== null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type Obj = Record<string, any>;

/** A Kubernetes object as a policy sees it (type token as the provider names it). */
export function asPolicyResource(o: Obj, i: number) {
  const group = String(o.apiVersion).includes("/") ? o.apiVersion : `core/${o.apiVersion}`;
  return {
    type: `kubernetes:${group}:${o.kind}`,
    props: o,
    urn: `urn:pulumi:test::messaging-platform::${o.kind}::${o.metadata?.name ?? i}`,
    name: o.metadata?.name ?? String(i),
    opts: { protect: false, ignoreChanges: [], aliases: [], additionalSecretOutputs: [], customTimeouts: {} },
  };
}
