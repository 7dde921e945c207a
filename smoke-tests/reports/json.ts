// report.json: the whole RunReport. NaN (an empty histogram) becomes null, as JSON has no NaN.
import type { RunReport } from "./run-report";

export function renderJson(report: RunReport): string {
  return `${JSON.stringify(report, (_key, value) => (typeof value === "number" && !Number.isFinite(value) ? null : value), 2)}\n`;
}
