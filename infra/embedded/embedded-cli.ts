// Runs embedded/cli.ts (the embedded platform's control) in a child process. Dynamic providers run in Pulumi's
// provider plugin, which cannot load the TypeScript of embedded/; a child process with tsx can, and keeps the
// provider's serialised closures down to this function. Only Node built-ins are used, loaded inside.
export function embeddedCli(repoRoot: string, args: string[], input?: string): { code: number; stdout: string } {
  const { spawnSync } = require("node:child_process") as typeof import("node:child_process");
  const r = spawnSync(process.execPath, ["--import", "tsx", "embedded/cli.ts", ...args], {
    cwd: repoRoot,
    input,
    encoding: "utf8",
    env: process.env,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 600_000,
  });
  const code = r.status ?? 1;
  if (code !== 0 && code !== 3) {
    const tail = `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}`.trim().split("\n").slice(-15);
    throw new Error(`embedded/cli.ts ${args.join(" ")} failed (exit ${code}):\n${tail.join("\n")}`);
  }
  return { code, stdout: r.stdout ?? "" };
}
