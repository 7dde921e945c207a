// Checks node_modules against package-lock.json: every package that applies to this machine is installed at its
// locked version, and nothing is installed that the lockfile does not lock. This is what setup relies on, rather than
// on the lockfile's bytes: the registry may serve more optional platform packages one day than the next, and npm
// records them in the lockfile when it can, which must not fail a setup where nothing the project runs has changed.
//
//   node --import tsx toolchain/src/installed-packages.ts [repo root]     exit 1 with one line per problem
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { checkCommandLine, errorOutcome } from "./command-line";

/** One entry of a lockfile v3 `packages` map (the fields this check reads). */
export interface LockEntry {
  version?: string;
  link?: boolean;
  optional?: boolean;
  dev?: boolean;
  devOptional?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
}

export interface Platform {
  os: string;
  cpu: string;
  libc?: "glibc" | "musl";
}

/** npm's rule for os/cpu/libc lists: a match, unless the list is empty, or a "!x" entry names this value. */
function allows(list: string[] | undefined, value: string | undefined): boolean {
  if (!list || list.length === 0) return true;
  if (value === undefined) return !list.some((v) => !v.startsWith("!"));
  if (list.includes(`!${value}`)) return false;
  const positive = list.filter((v) => !v.startsWith("!"));
  return positive.length === 0 || positive.includes(value);
}

export function appliesTo(entry: LockEntry, platform: Platform): boolean {
  return allows(entry.os, platform.os) && allows(entry.cpu, platform.cpu) && allows(entry.libc, platform.libc);
}

/**
 * Problems between what the lockfile locks and what is installed (path → version of each package.json found under
 * node_modules). Empty when they agree for this platform.
 */
export function installProblems(
  locked: Record<string, LockEntry>,
  installed: Map<string, string>,
  platform: Platform,
): string[] {
  const problems: string[] = [];
  for (const [path, entry] of Object.entries(locked)) {
    if (!path.startsWith("node_modules/") || entry.link) continue;
    const have = installed.get(path);
    if (have === undefined) {
      if (appliesTo(entry, platform)) problems.push(`${path}: locked at ${entry.version}, not installed`);
    } else if (have !== entry.version) {
      problems.push(`${path}: locked at ${entry.version}, installed ${have}`);
    }
  }
  for (const [path, have] of installed) {
    if (!(path in locked)) problems.push(`${path}: installed ${have}, not in package-lock.json`);
  }
  return problems;
}

/** Every package directory under node_modules (scoped and nested), keyed the way the lockfile keys them. */
export function readInstalled(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (modulesDir: string, prefix: string) => {
    if (!existsSync(modulesDir)) return;
    for (const name of readdirSync(modulesDir)) {
      if (name.startsWith(".")) continue;
      if (name.startsWith("@")) {
        for (const sub of readdirSync(join(modulesDir, name)))
          visitPackage(join(modulesDir, name, sub), `${prefix}${name}/${sub}`);
      } else {
        visitPackage(join(modulesDir, name), `${prefix}${name}`);
      }
    }
  };
  const visitPackage = (dir: string, key: string) => {
    const manifest = join(dir, "package.json");
    if (!existsSync(manifest)) return;
    // npm records the cleaned semver ("v1.2.3" in a package.json is locked as "1.2.3").
    const { version } = JSON.parse(readFileSync(manifest, "utf8")) as { version: string };
    out.set(key, version.trim().replace(/^[=v]+/, ""));
    visit(join(dir, "node_modules"), `${key}/node_modules/`);
  };
  visit(join(root, "node_modules"), "node_modules/");
  return out;
}

export function thisPlatform(): Platform {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  const libc = process.platform !== "linux" ? undefined : header?.glibcVersionRuntime ? "glibc" : "musl";
  return { os: process.platform, cpu: process.arch, libc };
}

if (require.main === module) {
  let args: string[] = [];
  try {
    args = checkCommandLine(process.argv.slice(2), {
      command: "installed-packages.ts",
      usage: "installed-packages.ts [repo root]",
      positionals: { max: 1, what: "[repo root]" },
    });
  } catch (e) {
    const o = errorOutcome(e);
    process[o.stream].write(o.text.trimStart());
    process.exit(o.code);
  }
  const root = resolve(args[0] ?? join(__dirname, "..", ".."));
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockEntry>;
  };
  const problems = installProblems(lock.packages, readInstalled(root), thisPlatform());
  for (const p of problems) console.error(p);
  if (problems.length > 0) {
    console.error(`${problems.length} package(s) differ from package-lock.json`);
    process.exit(1);
  }
  console.log(`node_modules matches package-lock.json (${Object.keys(lock.packages).length - 1} locked entries)`);
}
