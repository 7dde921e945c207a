// Secrets stay out of process lists and messages: a command line is world-readable (/proc/<pid>/cmdline), so a
// password reaches a tool through a private file or the child's environment (readable by its own user only), and a
// command or its output printed in a failure message is masked first. Pure functions except withPrivateFile.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const MASK = "***";

/** Flags whose next argument is a secret (the value after `--flag=` is caught by the key=value rule too). */
const SECRET_FLAGS = new Set([
  "--password",
  "--passwd",
  "--sasl-password",
  "--secret",
  "--client-secret",
  "--oauth2-client-secret",
  "--token",
  "--erlang-cookie",
  "-setcookie",
]);

/** scheme://user:password@host → scheme://user:***@host (a URI's userinfo). */
const URI_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/:@]*):([^\s/@]*)@/gi;

/**
 * key=value and key: value where the key names a secret (password, passwd, secret, token, cookie, *_pass, and the
 * user_<name> of a PLAIN JAAS line): the value, quoted or up to the next space, comma, semicolon or bracket. Covers
 * JAAS lines (password="..."), --add-scram's [name=..,password=..], rabbitmq.conf's default_pass = ..., --password=...
 */
const SECRET_ASSIGNMENT =
  /((?:^|[^A-Za-z0-9])(?:[A-Za-z0-9_.-]*(?:password|passwd|passphrase|secret|token|cookie|_pass|-pass|\.pass)|user_[A-Za-z0-9-]+)\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;\])"']+)/gi;

/** An HTTP Authorization header's credentials. */
const AUTHORIZATION = /(authorization:?\s*"?(?:basic|bearer)\s+)[A-Za-z0-9+/=._~-]+/gi;

/**
 * Masks what looks like a secret in free text (a command line, a tool's output, an error message), and every known
 * secret wherever it appears. Over-masking is harmless here: the text only explains a failure.
 */
export function maskSecrets(text: string, known: readonly string[] = []): string {
  let out = text;
  // Longest first, so a secret that contains another is masked whole.
  for (const s of [...known].filter((k) => k.length >= 4).sort((a, b) => b.length - a.length)) {
    out = out.split(s).join(MASK);
  }
  return out
    .replace(URI_USERINFO, (_m, scheme: string, user: string) => `${scheme}${user}:${MASK}@`)
    .replace(SECRET_ASSIGNMENT, (_m, key: string, value: string) => {
      const quote = value.startsWith('"') || value.startsWith("'") ? value[0] : "";
      return `${key}${quote}${MASK}${quote}`;
    })
    .replace(AUTHORIZATION, (_m, prefix: string) => `${prefix}${MASK}`);
}

/** A command as a failure message may print it: the value after a secret flag masked, then every argument masked. */
export function describeCommand(cmd: string, args: readonly string[], known: readonly string[] = []): string {
  const shown = args.map((a, i) => (i > 0 && SECRET_FLAGS.has(args[i - 1] ?? "") ? MASK : a));
  return maskSecrets([cmd, ...shown].join(" "), known);
}

/**
 * The java launcher's argument file (`java @file`, JDK 9+): one argument per line, each double-quoted, `\` and `"`
 * escaped. The launcher expands it in its own memory, so /proc/<pid>/cmdline shows only `@file`. It must hold the main
 * class: arguments after the main class on the command line are never expanded.
 */
export function javaArgFile(args: readonly string[]): string {
  return `${args
    .map((a) => {
      if (/[\r\n\0]/.test(a)) throw new Error("a java argument file cannot hold an argument with a line break or NUL");
      return `"${a.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
    })
    .join("\n")}\n`;
}

/**
 * Runs fn with `content` in a file only this user can read (mode 0600 in a fresh 0700 directory), and removes both
 * afterwards, whatever fn does.
 */
export async function withPrivateFile<T>(name: string, content: string, fn: (path: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), PRIVATE_DIR_PREFIX));
  try {
    const path = join(dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return await fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prefix of withPrivateFile's directories under the temp dir: a test checks none is left behind. */
export const PRIVATE_DIR_PREFIX = "mp-private-";
