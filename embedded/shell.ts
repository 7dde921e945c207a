// Runs the system commands the environment is built from (ip, iptables, mount, chroot). Every call has a timeout so
// a hung command can never hang `up` or a test. A failure prints the command and its output with secrets masked.
import { execFile, spawnSync } from "node:child_process";
import { describeCommand, maskSecrets } from "../toolchain/src/secrets";

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  /** Return the failure instead of throwing (for probes and idempotent cleanup). */
  allowFailure?: boolean;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

function describeFailure(cmd: string, args: string[], r: CommandResult): string {
  const output = maskSecrets(`${r.stderr}${r.stdout}`.trim().split("\n").slice(-5).join("\n"));
  return `\`${describeCommand(cmd, args)}\` exited with ${r.code}${output ? `:\n${output}` : ""}`;
}

export function run(cmd: string, args: string[], opts: CommandOptions = {}): CommandResult {
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    timeout: opts.timeoutMs ?? 60_000,
    env: opts.env ?? process.env,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.error) throw new Error(`${describeCommand(cmd, args)}: ${maskSecrets(r.error.message)}`);
  const result = { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  if (result.code !== 0 && !opts.allowFailure) throw new Error(describeFailure(cmd, args, result));
  return result;
}

export function runAsync(cmd: string, args: string[], opts: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      cmd,
      args,
      {
        encoding: "utf8",
        timeout: opts.timeoutMs ?? 60_000,
        env: opts.env ?? process.env,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        const result = { code, stdout, stderr };
        if (code !== 0 && !opts.allowFailure) reject(new Error(describeFailure(cmd, args, result)));
        else resolvePromise(result);
      },
    );
  });
}
