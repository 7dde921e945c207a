// The embedded default as a test target: brought up once per suite (idempotent: a healthy environment returns at
// once), and read back through the same loader the commands use.
import { up } from "../../local/environment";
import { loadSelectedTarget } from "../target/load";
import type { Target } from "../target/types";

export async function localTarget(): Promise<Target> {
  await up({ progress: () => undefined });
  return loadSelectedTarget([], { ...process.env, MP_TARGET: "local" });
}
