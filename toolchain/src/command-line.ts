// What every command of the project (npm run deploy, image, smoke, drill, bench, compare, embedded:*) shares: its
// flags, its main with a one-line error instead of a stack, and the elapsed-time stamp on its progress lines.

/** Flag value: --name value or --name=value. */
export function flag(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
    if (a === `--${name}`) return argv[i + 1];
  }
  return undefined;
}

/**
 * Refuses, before anything is contacted, a flag the command does not know: a typo must not fall back to a default.
 * A flag's value (`--stack production`) is skipped, not mistaken for a flag.
 */
export function refuseUnknownFlags(argv: readonly string[], known: readonly string[], command: string): void {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const name = /^--([^=]+)/.exec(a)?.[1];
    if (name === undefined) continue;
    if (!known.includes(name)) {
      throw new Error(`--${name} is not a ${command} flag (flags: ${known.map((k) => `--${k}`).join(", ")})`);
    }
    const next = argv[i + 1];
    if (!a.includes("=") && next !== undefined && !next.startsWith("--")) i++;
  }
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

/** Runs a command's main, printing a one-line error (not a stack) for the mistakes users make, and exiting non-zero. */
export function main(body: () => Promise<number>): void {
  body().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`\n${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    },
  );
}
