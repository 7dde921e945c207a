// The in-cluster gate's reports, brought to the machine that deployed: the gate's log carries its files
// (smoke-tests/reports/carry.ts); here they are written under this checkout's reports/, and the report's paths
// (the pod's /reports/…) are replaced by where they now are.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type CarriedFile, carriedFiles } from "../../smoke-tests/reports/carry";
import { defaultReportsRoot } from "../../smoke-tests/reports/write";

/** Pure: the report with each carried file's path in the pod (any folder ending in its relative path) made local. */
export function localizedReport(report: string, files: readonly CarriedFile[], localRoot: string): string {
  let out = report;
  for (const f of files) {
    const escaped = f.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    out = out.replace(new RegExp(`\\S*/${escaped}(?=\\s|$)`, "gm"), join(localRoot, f.path));
  }
  return out;
}

/** Writes the files a gate log carries under `localRoot`; returns the report with local paths. */
export function landGateReports(log: string, report: string, localRoot = defaultReportsRoot): string {
  const files = carriedFiles(log);
  for (const f of files) {
    const to = join(localRoot, f.path);
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, f.content);
  }
  return localizedReport(report, files, localRoot);
}
