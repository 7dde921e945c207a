// What every command of the project (npm run deploy, render, image, smoke, bench, compare, embedded:*, the toolchain's
// and the cluster's scripts) shares: its command line checked whole before anything runs (an unknown command, flag or
// argument prints the usage on stderr and exits 2), its main with a one-line error instead of a stack, and the
// elapsed-time stamp on its progress lines.

/** Flag value: --name value or --name=value. */
export function flag(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
    if (a === `--${name}`) return argv[i + 1];
  }
  return undefined;
}

/** A mistake in a command line: main() prints the message and the usage on stderr and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
  }
}

/** `--help` or `-h`: main() prints the usage on stdout and exits 0. */
export class HelpRequested extends Error {
  override name = "HelpRequested";
  constructor(readonly usage: string) {
    super(usage);
  }
}

/**
 * Refuses, before anything is contacted, a flag the command does not know: a typo must not fall back to a default.
 * A flag's value (`--stack production`) is skipped, not mistaken for a flag.
 */
export function refuseUnknownFlags(
  argv: readonly string[],
  known: readonly string[],
  command: string,
  usage?: string,
): void {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const name = /^--([^=]+)/.exec(a)?.[1];
    if (name === undefined) continue;
    if (!known.includes(name)) {
      throw new UsageError(
        `--${name} is not a ${command} flag (flags: ${known.map((k) => `--${k}`).join(", ")})`,
        usage,
      );
    }
    const next = argv[i + 1];
    if (!a.includes("=") && next !== undefined && !next.startsWith("--")) i++;
  }
}

/** What a command accepts: everything else on its command line is refused with its usage. */
export interface CommandSpec {
  /** The command's name in messages: "deploy", "embedded:up". */
  command: string;
  /** One line (or a few): how to call it, e.g. "npm run deploy -- --stack <name> [--cwd <dir>]". */
  usage: string;
  /** Flags that take a value: --name value or --name=value. */
  values?: readonly string[];
  /** Flags that take none: --purge. */
  switches?: readonly string[];
  /** Positional arguments: how many at least and at most (default none), and what they are, for messages. */
  positionals?: { min?: number; max: number; what: string };
}

/**
 * Checks a whole command line against what the command accepts, before anything runs: unknown flags (`--x`, `-x`),
 * a value flag without its value, a value given to a switch, too many or too few positional arguments. Returns the
 * positional arguments. `--help`/`-h` throws HelpRequested; every mistake throws a UsageError carrying the usage.
 */
export function checkCommandLine(argv: readonly string[], spec: CommandSpec): string[] {
  const values = spec.values ?? [];
  const switches = spec.switches ?? [];
  const known = [...values, ...switches];
  const refuse = (message: string): never => {
    throw new UsageError(message, spec.usage);
  };
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--help" || a === "-h") throw new HelpRequested(spec.usage);
    if (a === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    const long = /^--([^=]+)(=(.*))?$/s.exec(a);
    if (long) {
      const name = long[1] as string;
      if (values.includes(name)) {
        if (long[2] !== undefined) continue;
        const next = argv[i + 1];
        // A negative number is a value (`--workers -1`), so the flag's own rule refuses it with that rule's words.
        if (next === undefined || (next.startsWith("-") && !/^-[\d.]/.test(next)))
          refuse(`--${name} needs a value (--${name} <value>)`);
        i++;
      } else if (switches.includes(name)) {
        if (long[2] !== undefined) refuse(`--${name} takes no value (got --${name}=${long[3]})`);
      } else {
        refuse(
          `--${name} is not a flag of ${spec.command} (${known.length > 0 ? `flags: ${known.map((k) => `--${k}`).join(", ")}` : "it takes no flags"})`,
        );
      }
      continue;
    }
    // Single-dash options (-x) are no command's here: refused rather than taken for an argument. A negative number is
    // an argument.
    if (/^-[^\d]/.test(a)) refuse(`${a} is not a flag of ${spec.command} (flags are spelled --name)`);
    positionals.push(a);
  }
  const p = spec.positionals ?? { max: 0, what: "" };
  if (positionals.length > p.max) {
    const extra = positionals.slice(p.max).map((x) => JSON.stringify(x));
    refuse(
      p.max === 0
        ? `${spec.command} takes no arguments (got ${extra.join(" ")})`
        : `unexpected argument ${extra.join(" ")}: ${spec.command} takes ${p.what}`,
    );
  }
  if (positionals.length < (p.min ?? 0)) refuse(`${spec.command} needs ${p.what}`);
  return positionals;
}

export function numberFlag(
  argv: readonly string[],
  name: string,
  fallback: number,
  rule: (n: number) => boolean,
): number {
  const raw = flag(argv, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || !rule(n))
    throw new Error(`--${name} = ${raw} is not valid (${rule.toString().replace(/^\(?n\)? => /, "")})`);
  return n;
}

/** "[ 12.3 s]": seconds since `started`, padded so progress lines align. */
export const elapsedStamp = (started: number, now = Date.now()) =>
  `[${((now - started) / 1000).toFixed(1).padStart(5)} s]`;

/** What main() prints and its exit code for an error: usage mistakes and --help apart from failures. */
export function errorOutcome(err: unknown): { stream: "stdout" | "stderr"; text: string; code: number } {
  if (err instanceof HelpRequested) return { stream: "stdout", text: `usage: ${err.usage}\n`, code: 0 };
  const message = err instanceof Error ? err.message : String(err);
  const usage = err instanceof UsageError && err.usage ? `\nusage: ${err.usage}` : "";
  return { stream: "stderr", text: `\n${message}${usage}\n`, code: 2 };
}

/**
 * Runs a command's main, printing a one-line error (not a stack) for the mistakes users make, and exiting non-zero:
 * 2 for an error, with the usage when the command line was wrong; --help prints the usage and exits 0.
 */
export function main(body: () => Promise<number>): void {
  body().then(
    (code) => exitWhenWritten(code),
    (err: unknown) => {
      const o = errorOutcome(err);
      process[o.stream].write(o.text);
      exitWhenWritten(o.code);
    },
  );
}

/** Exits once stdout and stderr have handed over what was written: a command's last lines (a report) are its point. */
function exitWhenWritten(code: number): void {
  const flushed = (s: NodeJS.WriteStream) => new Promise<void>((resolve) => s.write("", () => resolve()));
  // A stream that never calls back (closed under us) does not keep the process: at most 5 s.
  const atMost = new Promise<void>((resolve) => setTimeout(resolve, 5_000));
  void Promise.race([Promise.all([flushed(process.stdout), flushed(process.stderr)]), atMost]).then(() =>
    process.exit(code),
  );
}
