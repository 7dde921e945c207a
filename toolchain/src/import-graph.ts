// The project's own import graph, read from its TypeScript sources: which file imports which, the cycles, and which
// top-level folder depends on which. The architecture test checks the README's rules against it, because `tsc` does
// not notice a cycle and a folder table in a README drifts silently.
import { readFileSync } from "node:fs";
import { posix } from "node:path";

export type ImportGraph = Map<string, Set<string>>;

// Static imports and re-exports, dynamic `import("…")` and `require("…")`: a module loaded on first use couples as
// much as one imported at the top (kafka-client.ts once hid a cycle behind `require`).
const importPattern =
  /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?["']([^"']+)["']|\b(?:import|require)\(\s*["']([^"']+)["']\s*\)/g;

/** Every module specifier a source imports, re-exports, loads with `import()` or `require()`: packages too. */
export function importSpecifiers(source: string): string[] {
  return [...source.matchAll(importPattern)].map((m) => (m[1] ?? m[2]) as string);
}

/** The relative module specifiers a source imports or re-exports (type-only imports included: they still couple). */
export function relativeImports(source: string): string[] {
  return importSpecifiers(source).filter((spec) => spec.startsWith("."));
}

/** The repository file a relative specifier names, or undefined for JSON, JavaScript and anything outside the set. */
export function resolveImport(from: string, spec: string, files: ReadonlySet<string>): string | undefined {
  const base = posix.normalize(posix.join(posix.dirname(from), spec));
  return [base, `${base}.ts`, `${base}/index.ts`].find((f) => files.has(f));
}

export function importGraph(root: string, files: string[]): ImportGraph {
  const set = new Set(files);
  const graph: ImportGraph = new Map();
  for (const f of files) {
    const targets = relativeImports(readFileSync(posix.join(root, f), "utf8"))
      .map((spec) => resolveImport(f, spec, set))
      .filter((t): t is string => t !== undefined);
    graph.set(f, new Set(targets));
  }
  return graph;
}

/** Every group of files that import each other in a circle (Tarjan's strongly connected components of size > 1). */
export function importCycles(graph: ImportGraph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)?.has(v)) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

export const topFolder = (file: string): string => (file.includes("/") ? (file.split("/")[0] as string) : "(root)");

/** Per top-level folder, the other top-level folders its files import from. */
export function folderDependencies(graph: ImportGraph): Map<string, Set<string>> {
  const deps = new Map<string, Set<string>>();
  for (const [from, targets] of graph) {
    const a = topFolder(from);
    if (!deps.has(a)) deps.set(a, new Set());
    for (const t of targets) if (topFolder(t) !== a) deps.get(a)?.add(topFolder(t));
  }
  return deps;
}

/** The folder table of a README: each `| \`folder/\` | ... | imports from |` row's folder and the folders it names last. */
export function documentedDependencies(readme: string): Map<string, Set<string>> {
  const rows = new Map<string, Set<string>>();
  for (const line of readme.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    const folder = /^`([a-z-]+)\/`$/.exec(cells[1] ?? "")?.[1];
    if (!folder || cells.length < 6) continue;
    const last = cells[cells.length - 2] ?? "";
    rows.set(folder, new Set([...last.matchAll(/`([a-z-]+)\/`/g)].map((m) => m[1] as string)));
  }
  return rows;
}
