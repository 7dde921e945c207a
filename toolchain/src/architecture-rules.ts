// The code-shape rules of the README, as pure functions of the import graph: each returns its offenders as
// "from → to" lines, so a failing test names the import to remove.
import { readFileSync } from "node:fs";
import { posix } from "node:path";
import { type ImportGraph, importSpecifiers, topFolder } from "./import-graph";

/** A command: a file in a `cli/` folder or a `cli.ts` (it parses flags and calls a library). */
export const isCommand = (file: string): boolean => /(^|\/)cli(\/|\.ts$)/.test(file);

/** Every import from one command to another: a command shares code through a library, never through a command. */
export function commandsImportingCommands(graph: ImportGraph): string[] {
  return [...graph].flatMap(([from, to]) =>
    isCommand(from) ? [...to].filter(isCommand).map((t) => `${from} → ${t}`) : [],
  );
}

/** Every import into `folder` from a top-level folder that is not in `allowed` (nor `folder` itself). */
export function importsInto(graph: ImportGraph, folder: string, allowed: readonly string[]): string[] {
  return [...graph].flatMap(([from, to]) =>
    topFolder(from) === folder || allowed.includes(topFolder(from))
      ? []
      : [...to].filter((t) => topFolder(t) === folder).map((t) => `${from} → ${t}`),
  );
}

/**
 * Every import by a file of `folder` of a package matching `packages` or of a file in one of `folders`: what the
 * folder must not depend on.
 */
export function forbiddenImports(
  root: string,
  graph: ImportGraph,
  folder: string,
  rule: { packages: RegExp; folders: readonly string[] },
): string[] {
  return [...graph.keys()]
    .filter((f) => topFolder(f) === folder)
    .flatMap((from) => {
      const packages = importSpecifiers(readFileSync(posix.join(root, from), "utf8")).filter((s) =>
        rule.packages.test(s),
      );
      const files = [...(graph.get(from) ?? [])].filter((t) => rule.folders.includes(topFolder(t)));
      return [...packages, ...files].map((t) => `${from} → ${t}`);
    });
}
