// The version of an installed npm package, for reports: found from where Node resolves it, because a package whose
// "exports" map hides package.json cannot be asked with require("<name>/package.json").
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

export function installedVersion(pkg: string): string {
  let dir = dirname(require.resolve(pkg));
  for (;;) {
    try {
      const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (meta.name === pkg && meta.version) return meta.version;
    } catch {}
    const up = dirname(dir);
    if (up === dir) return "unknown";
    dir = up;
  }
}
