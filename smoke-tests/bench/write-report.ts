// The bench's results as JSON, in a directory of their own under the reports root (reports/bench-<run-id>/).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { newRunId } from "../ledger/message-id";
import { defaultReportsRoot } from "../reports/write";
import type { BenchSystemResult } from "./bench";

/** Writes bench.json; returns its path. */
export function writeBenchReport(results: BenchSystemResult[], reportsRoot = defaultReportsRoot): string {
  const dir = join(reportsRoot, `bench-${newRunId()}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "bench.json");
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
