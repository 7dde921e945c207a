// The README's architecture rules, checked on the sources: no import cycle, nothing outside smoke-tests/ imports it,
// contract/ imports nothing of the project, and the folder table's "imports from" column says what the code does.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  documentedDependencies,
  folderDependencies,
  importCycles,
  importGraph,
  relativeImports,
  resolveImport,
  topFolder,
} from "../src/import-graph";
import { repoRoot } from "../src/paths";

const files = execFileSync("git", ["ls-files", "*.ts"], { cwd: repoRoot, encoding: "utf8" })
  .split("\n")
  .filter((f) => f !== "" && !f.endsWith(".d.ts"));
const graph = importGraph(repoRoot, files);
const isTest = (f: string) => f.includes("/test/") || f.endsWith(".test.ts");

describe("the import graph reader", () => {
  it("finds imports, type imports, re-exports and dynamic imports, relative ones only", () => {
    const src = [
      'import { a } from "./a";',
      'import type { B } from "../b/b";',
      'export { c } from "./c";',
      'import * as k8s from "@kubernetes/client-node";',
      'const d = await import("./d");',
    ].join("\n");
    expect(relativeImports(src)).toEqual(["./a", "../b/b", "./c", "./d"]);
  });

  it("resolves a specifier to a file, its .ts or its index.ts", () => {
    const set = new Set(["x/a.ts", "x/b/index.ts"]);
    expect(resolveImport("x/y.ts", "./a", set)).toBe("x/a.ts");
    expect(resolveImport("x/y.ts", "./b", set)).toBe("x/b/index.ts");
    expect(resolveImport("x/y.ts", "./package.json", set)).toBeUndefined();
  });

  it("finds a cycle of two files and one of three, and none in a tree", () => {
    const g = new Map([
      ["a", new Set(["b"])],
      ["b", new Set(["a"])],
      ["c", new Set(["d"])],
      ["d", new Set(["e"])],
      ["e", new Set(["c", "f"])],
      ["f", new Set<string>()],
    ]);
    expect(importCycles(g)).toEqual(
      expect.arrayContaining([
        ["a", "b"],
        ["c", "d", "e"],
      ]),
    );
    expect(importCycles(g)).toHaveLength(2);
    expect(
      importCycles(
        new Map([
          ["a", new Set(["b"])],
          ["b", new Set<string>()],
        ]),
      ),
    ).toEqual([]);
  });
});

describe("the repository's architecture", () => {
  it("reads every TypeScript file of the repository", () => {
    expect(files.length).toBeGreaterThan(150);
  });

  it("has no import cycle", () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it("nothing outside smoke-tests/ imports smoke-tests/", () => {
    const offenders = [...graph].flatMap(([from, to]) =>
      topFolder(from) === "smoke-tests"
        ? []
        : [...to].filter((t) => topFolder(t) === "smoke-tests").map((t) => `${from} → ${t}`),
    );
    expect(offenders).toEqual([]);
  });

  it("contract/ imports only itself", () => {
    expect([...(folderDependencies(graph).get("contract") ?? [])]).toEqual([]);
  });

  it("the README's folder table names exactly the folders each folder's code imports from", () => {
    const code = folderDependencies(new Map([...graph].filter(([f]) => !isTest(f))));
    const documented = documentedDependencies(readFileSync(join(repoRoot, "README.md"), "utf8"));
    const folders = [...new Set([...documented.keys(), ...code.keys()])].filter((f) => f !== "(root)").sort();
    const asLists = (m: Map<string, Set<string>>) =>
      Object.fromEntries(folders.map((f) => [f, [...(m.get(f) ?? [])].sort()]));
    expect(asLists(documented)).toEqual(asLists(code));
    expect(folders.filter((f) => !documented.has(f))).toEqual([]);
  });
});
