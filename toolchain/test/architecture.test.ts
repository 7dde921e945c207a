// The README's architecture rules, checked on the sources: no import cycle, no command imports another command,
// only operations/ imports smoke-tests/ and smoke-tests/ imports no Pulumi, contract/ imports nothing of the project, and the folder table's "imports
// from" column says what the code does. Each rule is also shown failing on a planted tree (fixtures/planted/).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { commandsImportingCommands, forbiddenImports, importsInto } from "../src/architecture-rules";
import {
  documentedDependencies,
  folderDependencies,
  importCycles,
  importGraph,
  relativeImports,
  resolveImport,
} from "../src/import-graph";
import { repoRoot } from "../src/paths";

const files = execFileSync("git", ["ls-files", "*.ts"], { cwd: repoRoot, encoding: "utf8" })
  .split("\n")
  .filter((f) => f !== "" && !f.endsWith(".d.ts") && !f.startsWith("toolchain/test/fixtures/"));
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
      'const e = require("./e").e;',
      'const f = cond ? require("../f") : undefined;',
    ].join("\n");
    expect(relativeImports(src)).toEqual(["./a", "../b/b", "./c", "./d", "./e", "../f"]);
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

describe("the rules on a planted tree (toolchain/test/fixtures/planted/)", () => {
  const root = join(__dirname, "fixtures", "planted");
  const planted = readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => f.split("\\").join("/"));
  const g = importGraph(root, planted);

  it("finds the cycle hidden behind require()", () => {
    expect(importCycles(g)).toEqual([["smoke-tests/clients/implementation.ts", "smoke-tests/clients/registry.ts"]]);
  });

  it("finds the command that imports a command", () => {
    expect(commandsImportingCommands(g)).toEqual(["smoke-tests/cli/drill.ts → smoke-tests/cli/compare.ts"]);
  });

  it("finds smoke-tests/ importing Pulumi (a dynamic import) and infra/", () => {
    expect(forbiddenImports(root, g, "smoke-tests", { packages: /^@pulumi\//, folders: ["infra"] })).toEqual([
      "smoke-tests/faults/stack.ts → @pulumi/pulumi/automation",
      "smoke-tests/faults/stack.ts → infra/program.ts",
    ]);
  });

  it("finds an import into smoke-tests/ from a folder other than the allowed", () => {
    expect(importsInto(g, "smoke-tests", ["operations"])).toEqual([]);
    expect(importsInto(g, "smoke-tests", [])).toEqual(["operations/deploy.ts → smoke-tests/cli/drill.ts"]);
  });
});

describe("the repository's architecture", () => {
  it("reads every TypeScript file of the repository", () => {
    expect(files.length).toBeGreaterThan(150);
  });

  it("has no import cycle", () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it("no command imports another command (they share code through libraries)", () => {
    expect(commandsImportingCommands(graph)).toEqual([]);
  });

  it("only operations/ imports smoke-tests/", () => {
    expect(importsInto(graph, "smoke-tests", ["operations"])).toEqual([]);
  });

  it("smoke-tests/ imports no @pulumi/* package and nothing of infra/ (operations/ drives Pulumi)", () => {
    expect(forbiddenImports(repoRoot, graph, "smoke-tests", { packages: /^@pulumi\//, folders: ["infra"] })).toEqual(
      [],
    );
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
