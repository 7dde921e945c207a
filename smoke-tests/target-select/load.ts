// Where the target comes from, chosen by one variable or flag (MP_TARGET or --target):
//   embedded       the embedded environment's state file (MP_TARGET_FILE, else $MESSAGING_PLATFORM_STATE/target.json,
//                  else ~/.local/state/messaging-platform/embedded/target.json)
//   stack:<name>   `pulumi stack output --json --show-secrets --stack <name>`, whose `target` output has this shape
//   file:<path>    a JSON file holding a Target, or stack outputs with a `target` key
// Every failure says what was tried, so "which target did the tests use?" never needs guessing.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Target } from "../../contract/target";
import { formatProblems, validateTarget } from "../../contract/validate-target";
import { repoRoot } from "../../toolchain/src/paths";
import { usePassphraseFor } from "../../toolchain/src/stack-secrets";

export type TargetSource =
  | { kind: "embedded"; path: string; pathFrom: string }
  | { kind: "stack"; stack: string }
  | { kind: "file"; path: string };

export class TargetError extends Error {
  override name = "TargetError";
}

export function embeddedTargetPath(env: NodeJS.ProcessEnv = process.env): { path: string; pathFrom: string } {
  if (env.MP_TARGET_FILE) return { path: env.MP_TARGET_FILE, pathFrom: "MP_TARGET_FILE" };
  if (env.MESSAGING_PLATFORM_STATE) {
    return {
      path: join(env.MESSAGING_PLATFORM_STATE, "target.json"),
      pathFrom: "$MESSAGING_PLATFORM_STATE/target.json",
    };
  }
  const path = join(homedir(), ".local", "state", "messaging-platform", "embedded", "target.json");
  return { path, pathFrom: "the default location" };
}

/** The selector from `--target <s>` / `--target=<s>` if given, else MP_TARGET, else "embedded". */
export function targetSelector(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): string {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg.startsWith("--target=")) return arg.slice("--target=".length);
    if (arg === "--target" && argv[i + 1] !== undefined) return argv[i + 1] as string;
  }
  return env.MP_TARGET || "embedded";
}

export function parseTargetSelector(selector: string, env: NodeJS.ProcessEnv = process.env): TargetSource {
  if (selector === "embedded") return { kind: "embedded", ...embeddedTargetPath(env) };
  const stack = /^stack:(.+)$/.exec(selector)?.[1];
  if (stack) return { kind: "stack", stack };
  const path = /^file:(.+)$/.exec(selector)?.[1];
  if (path) return { kind: "file", path };
  throw new TargetError(`MP_TARGET="${selector}" is not a target: use embedded, stack:<stack name> or file:<path>`);
}

export function describeSource(source: TargetSource): string {
  switch (source.kind) {
    case "embedded":
      return `MP_TARGET=embedded (${source.path}, from ${source.pathFrom})`;
    case "stack":
      return `MP_TARGET=stack:${source.stack} (pulumi stack output --json --show-secrets --stack ${source.stack})`;
    case "file":
      return `MP_TARGET=file:${source.path}`;
  }
}

/** Side effects behind an interface so the loader is tested without files or a Pulumi CLI. */
export interface TargetIo {
  readFile(path: string): string;
  stackOutputs(stack: string): string;
}

export const processIo: TargetIo = {
  readFile: (path) => readFileSync(path, "utf8"),
  // The Pulumi CLI answers from the state backend; 10 s is the whole budget for "is this target usable". The stack's
  // passphrase first (the empty one only for a throwaway stack), kept for the Pulumi commands that follow (a drill's
  // `pulumi up`).
  stackOutputs: (stack) => {
    usePassphraseFor(stack, { projectDir: repoRoot });
    return execFileSync("pulumi", ["stack", "output", "--json", "--show-secrets", "--stack", stack], {
      encoding: "utf8",
      timeout: 10_000,
      stdio: ["ignore", "pipe", "pipe"],
    });
  },
};

export function loadTarget(source: TargetSource, io: TargetIo = processIo): Target {
  const from = describeSource(source);
  const text = readSource(source, io, from);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new TargetError(`${from}: not JSON (${(error as Error).message})`);
  }
  // Stack outputs hold the target under `target`; a state file is the target itself.
  const candidate = isRecord(parsed) && "target" in parsed ? parsed.target : parsed;
  if (source.kind === "stack" && !(isRecord(parsed) && "target" in parsed)) {
    throw new TargetError(
      `${from}: the stack has no "target" output (outputs: ${Object.keys(isRecord(parsed) ? parsed : {}).join(", ") || "none"})`,
    );
  }
  const result = validateTarget(candidate);
  if (!result.ok) throw new TargetError(formatProblems(from, result.problems));
  return result.target;
}

/** The whole selection: flag or variable → source → validated Target. */
export function loadSelectedTarget(
  argv: readonly string[] = process.argv,
  env: NodeJS.ProcessEnv = process.env,
  io = processIo,
): Target {
  return loadTarget(parseTargetSelector(targetSelector(argv, env), env), io);
}

function readSource(source: TargetSource, io: TargetIo, from: string): string {
  try {
    return source.kind === "stack" ? io.stackOutputs(source.stack) : io.readFile(source.path);
  } catch (error) {
    const err = error as NodeJS.ErrnoException & { stderr?: string };
    if (source.kind === "embedded" && err.code === "ENOENT") {
      throw new TargetError(
        `${from}: no such file. Is the embedded environment up? (embedded/ writes this file when it starts)`,
      );
    }
    const detail = (err.stderr?.toString().trim() || err.message).split("\n").slice(0, 3).join(" ");
    throw new TargetError(`${from}: ${detail}`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
