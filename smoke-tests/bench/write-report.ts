// The bench's results as JSON, in a directory of their own under the reports root (reports/bench-<run-id>/).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { newRunId } from "../ledger/message-id";
import { defaultReportsRoot } from "../reports/write";
import type { BenchSystemResult } from "./bench";

/** A new report folder for one bench run: made before the rounds when they write into it (--profile). */
export function newBenchReportDir(reportsRoot = defaultReportsRoot): string {
  const dir = join(reportsRoot, `bench-${newRunId()}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes bench.json into the run's folder (a new one unless given); returns its path. */
export function writeBenchReport(
  results: BenchSystemResult[],
  reportsRoot = defaultReportsRoot,
  dir = newBenchReportDir(reportsRoot),
): string {
  const file = join(dir, "bench.json");
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
