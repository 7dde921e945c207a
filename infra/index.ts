// Entry point: read the stack config once, refuse it before registering anything if it is wrong, then deploy to
// the stack's platform (Kubernetes, or the embedded default on this machine).
import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { deployEmbedded } from "./embedded/platform";
import { deployPlatform } from "./platform";
import { parseSettings, SettingsError } from "./settings/settings";

/** The project's config keys, JSON-decoded (structured values arrive as JSON strings). */
function projectConfig(): Record<string, unknown> {
  const prefix = `${pulumi.getProject()}:`;
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (!key.startsWith(prefix)) continue;
    try {
      raw[key.slice(prefix.length)] = JSON.parse(value);
    } catch {
      raw[key.slice(prefix.length)] = value;
    }
  }
  return raw;
}

function settings() {
  try {
    return parseSettings(projectConfig(), { stack: pulumi.getStack(), repoRoot: resolve(__dirname, "..") });
  } catch (e) {
    // RunError: the CLI prints the message alone, without a stack trace.
    if (e instanceof SettingsError) throw new pulumi.RunError(e.message);
    throw e;
  }
}

const s = settings();
const deployed = s.platform === "embedded" ? deployEmbedded(s) : deployPlatform(s);

export const platform = s.platform;
/** The deployment as a smoke-test target (namespaces and pod selectors for fault injection are in `placement`). */
export const target = deployed.target;
export const durability = deployed.durability;
/** The in-cluster gate's Job and the command that prints its report (`gate.inCluster`). */
export const smokeGate = deployed.smokeGate;
