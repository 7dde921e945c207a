// What a person sees in the terminal: a live progress line while the drill runs, one screen of summary at the end.

import { killsText } from "../faults/kill-mode";
import { fullServiceText } from "../faults/restart-all";
import { sharesText } from "../workers/shares";
import { clientMatrix, matrixColumns, matrixNote, stallsText } from "./client-matrix";
import { formatCount, formatMs, formatRate } from "./format";
import { nodeChangeLines } from "./node-text";
import { failuresOf, type RunReport, reportPassed, runTitle, systemPassed } from "./run-report";
import { faultTimesText, inFlightText, ledgerCells, recoveryText, type Tone } from "./verdict";

export interface Paint {
  tone: (text: string, tone: Tone) => string;
  bold: (text: string) => string;
}

const ansi: Paint = {
  tone: (text, tone) => `\x1b[${{ good: 32, warn: 33, bad: 31 }[tone]}m${text}\x1b[0m`,
  bold: (text) => `\x1b[1m${text}\x1b[0m`,
};
const plain: Paint = { tone: (text) => text, bold: (text) => text };

/** Colors only for a terminal that wants them (NO_COLOR is the convention: https://no-color.org). */
export function paintFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Paint {
  return stream.isTTY && env.NO_COLOR === undefined ? ansi : plain;
}

export function formatTerminalSummary(report: RunReport, paint: Paint = plain, reportDir?: string): string {
  const passed = reportPassed(report);
  const lines = [
    paint.bold(`${report.scenario} on ${report.target}: `) +
      paint.tone(passed ? "PASS" : "FAIL", passed ? "good" : "bad"),
    `run ${report.runId} · ${formatMs(report.durationMs)}`,
  ];
  for (const run of report.systems) {
    const ok = systemPassed(run);
    lines.push("", paint.bold(`${runTitle(run)}  `) + paint.tone(ok ? "pass" : "FAIL", ok ? "good" : "bad"));
    if (run.client)
      lines.push(...wrap(`client: ${run.client.settings}`, 116).map((l, i) => (i === 0 ? `  ${l}` : `    ${l}`)));
    if (run.kills) lines.push(`  fault: ${killsText(run.kills)}`);
    for (const r of run.fullService ?? [])
      lines.push(...wrap(fullServiceText(r), 116).map((l, i) => (i === 0 ? `  ${l}` : `    ${l}`)));
    lines.push(
      `  ${ledgerCells(run)
        .map((c) => `${c.label} ${paint.tone(c.value, c.tone)}`)
        .join("   ")}`,
    );
    for (const r of run.recovery) {
      const text =
        `${r.fault.label} (${faultTimesText(r)}): ${inFlightText(r)} in flight · writes stalled ${recoveryText(r.writes)}` +
        ` · consumers ${recoveryText(r.consumers)} · cluster ${recoveryText(r.cluster)}`;
      lines.push(...wrap(text, 116).map((l, i) => (i === 0 ? `  ${l}` : `    ${l}`)));
    }
    for (const s of run.partitionStalls ?? [])
      lines.push(
        ...wrap(`writes after ${s.fault}, per partition: ${stallsText(s)}`, 116).map((l, i) =>
          i === 0 ? `  ${l}` : `    ${l}`,
        ),
      );
    for (const n of nodeChangeLines(run.nodes, run.timeline.startedAt)) lines.push(`  node ${n}`);
    if (run.nodes?.failedReads) lines.push(`  nodes: ${run.nodes.failedReads} of ${run.nodes.reads} reads unanswered`);
    if (run.workers) lines.push(...wrap(sharesText(run.workers), 116).map((l, i) => (i === 0 ? `  ${l}` : `    ${l}`)));
    lines.push(
      `  acked ${formatRate(run.published.messagesPerSecond)} (${run.published.megabytesPerSecond.toFixed(2)} MB/s) · consumed ${formatRate(run.consumed.messagesPerSecond)}`,
      `  publish p50/p99/p99.9 ${[run.publishLatency.p50, run.publishLatency.p99, run.publishLatency.p999].map(formatMs).join(" / ")}` +
        ` · e2e p99 ${formatMs(run.endToEndLatency.p99)}`,
    );
    const failures = failuresOf(run);
    for (const f of failures.slice(0, 5)) lines.push(`  ${paint.tone(`✗ ${f}`, "bad")}`);
    if (failures.length > 5) lines.push(`  … and ${failures.length - 5} more (see the report)`);
  }
  const matrix = clientMatrix(report);
  if (matrix) {
    const rows = [matrixColumns.map((c) => c), ...matrix.map((r) => r.map((c) => c.text))];
    const widths = matrixColumns.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
    const pad = (r: readonly string[]) =>
      r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)));
    lines.push("", paint.bold("Kafka clients, same fault"), `  ${pad(rows[0] ?? []).join("  ")}`);
    for (const r of matrix) {
      const cells = pad(r.map((c) => c.text)).map((t, i) => (r[i]?.tone ? paint.tone(t, r[i]?.tone ?? "good") : t));
      lines.push(`  ${cells.join("  ")}`);
    }
    lines.push(`  ${matrixNote}`);
  }
  if (reportDir) lines.push("", `report: ${reportDir}/report.html`);
  return lines.join("\n");
}

/** Pure: words packed into lines of at most `width` characters (a longer word gets a line of its own). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

export interface Progress {
  phase: string;
  elapsedMs: number;
  sentPerSecond: number;
  ackedPerSecond: number;
  consumedPerSecond: number;
  inFlight: number;
  unseen: number;
  /** Publish failures plus unknown outcomes so far. */
  errors: number;
}

/** One fixed-layout line, meant to be rewritten in place with "\r" (no newline included). */
export function formatProgressLine(p: Progress, paint: Paint = plain): string {
  const rate = (n: number) => formatCount(n).padStart(7);
  const errors = `errors ${formatCount(p.errors)}`;
  return [
    `[${(p.elapsedMs / 1000).toFixed(1).padStart(6)}s]`,
    p.phase.padEnd(8),
    `sent ${rate(p.sentPerSecond)}/s`,
    `acked ${rate(p.ackedPerSecond)}/s`,
    `consumed ${rate(p.consumedPerSecond)}/s`,
    `in-flight ${formatCount(p.inFlight).padStart(5)}`,
    `unseen ${formatCount(p.unseen).padStart(6)}`,
    p.errors > 0 ? paint.tone(errors, "bad") : errors,
  ].join("  ");
}
