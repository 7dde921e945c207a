// The repo's example stacks as tests read them: the project config of Pulumi.<stack>.yaml, and its settings.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { repoRoot } from "../../toolchain/src/paths";
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
