// Writes report.json, report.md and report.html into reports/<run-id>/ (reports/ is gitignored).
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { renderHtml } from "./html";
import { renderJson } from "./json";
import { renderMarkdown } from "./markdown";
import type { RunReport } from "./run-report";

/** reports/ in the repo, or MP_REPORTS_DIR (the in-cluster gate writes to its volume at /reports). */
export const defaultReportsRoot = process.env.MP_REPORTS_DIR
  ? resolve(process.env.MP_REPORTS_DIR)
  : resolve(__dirname, "..", "..", "reports");

export interface WrittenReport {
  dir: string;
  json: string;
  markdown: string;
  html: string;
}

export function writeRunReport(report: RunReport, reportsRoot = defaultReportsRoot): WrittenReport {
  if (!/^[A-Za-z0-9._-]+$/.test(report.runId))
    throw new Error(`run id ${report.runId} is not safe as a directory name`);
  const dir = join(reportsRoot, report.runId);
  mkdirSync(dir, { recursive: true });
  const written = {
    dir,
    json: join(dir, "report.json"),
    markdown: join(dir, "report.md"),
    html: join(dir, "report.html"),
  };
  writeFileSync(written.json, renderJson(report));
  writeFileSync(written.markdown, renderMarkdown(report));
  writeFileSync(written.html, renderHtml(report));
  return written;
}
