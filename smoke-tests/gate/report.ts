// The gate's outputs: one screen for the terminal, gate.json, and the node-failure drill as a full run report
// (JSON, Markdown, HTML timeline). Used by `npm run smoke` and by `npm run deploy`.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { newRunId } from "../ledger/message-id";
import type { CarriedFile } from "../reports/carry";
import { defaultReportsRoot, writeRunReport } from "../reports/write";
import type { GateReport } from "./gate";

export interface WrittenGateReport {
  json: string;
  html: string[];
}

export function writeGateReport(report: GateReport, reportsRoot = defaultReportsRoot): WrittenGateReport {
  const runId = newRunId();
  const dir = join(reportsRoot, `gate-${runId}`);
  mkdirSync(dir, { recursive: true });
  const json = join(dir, "gate.json");
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  const html: string[] = [];
  const drills = report.systems.flatMap((s) => (s.nodeFailure ? [s.nodeFailure] : []));
  if (drills.length > 0) {
    const written = writeRunReport(
      {
        runId: `gate-${runId}-node-failure`,
        scenario: "smoke gate: kill-leader",
        target: report.target,
        startedAt: report.startedAt,
        durationMs: report.durationMs,
        settings: { ...report.settings.durability, systems: report.settings.systems.join(",") },
        systems: drills,
      },
      reportsRoot,
    );
    html.push(written.html);
  }
  return { json, html };
}

/** Every file of the gate's written report folders (gate.json, the drill's JSON, Markdown and HTML), to carry. */
export function gateReportFiles(written: WrittenGateReport, reportsRoot = defaultReportsRoot): CarriedFile[] {
  const dirs = [...new Set([written.json, ...written.html].map((f) => dirname(f)))];
  return dirs.flatMap((dir) =>
    readdirSync(dir)
      .sort()
      .map((name) => ({ path: relative(reportsRoot, join(dir, name)), content: readFileSync(join(dir, name)) })),
  );
}

/** The first line of the gate's report (what the in-cluster Job's log is searched for). */
export const gateReportHeading = "smoke gate on ";

export function formatGate(report: GateReport, written: WrittenGateReport): string {
  const lines = [
    `${gateReportHeading}${report.target}: ${report.passed ? "PASS" : "FAIL"} in ${(report.durationMs / 1000).toFixed(1)} s`,
    "",
  ];
  for (const s of report.systems) {
    lines.push(s.system === "kafka" ? "Kafka" : "RabbitMQ");
    const client = (s.nodeFailure ?? s.throughput)?.client;
    if (client) lines.push(`  client: ${client.settings}`);
    for (const c of s.checks) {
      lines.push(`  ${c.passed ? "✓" : "✗"} ${c.name.padEnd(20)} ${c.detail}`);
    }
  }
  lines.push("", `report: ${written.json}`, ...written.html.map((h) => `drill report: ${h}`));
  return lines.join("\n");
}

/** The failed checks, one line each, for a summary that must say what failed. */
export function failedChecks(report: GateReport): string[] {
  return report.systems.flatMap((s) =>
    s.checks.filter((c) => !c.passed).map((c) => `${s.system} ${c.name}: ${c.detail}`),
  );
}
