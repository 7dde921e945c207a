// Runs a toolchain command and captures its output; tests assert on the result.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { missingToolHint } from "./paths";
import { describeCommand, maskSecrets } from "./secrets";

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): RunResult {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    encoding: "utf8",
    timeout: opts.timeoutMs ?? 120_000,
    input: opts.input,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new Error(`${describeCommand(cmd, args)}: ${maskSecrets(r.error.message)}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Throws the install hint when a tool the test needs is missing: a missing tool is a failure, never a skip. */
export function requireTool(what: string, path: string): string {
  if (!existsSync(path)) throw new Error(missingToolHint(what, path));
  return path;
}
