// A self-contained HTML page for one run: the verdict first (big, colored), then recovery times, then the timeline
// chart, then the numbers. Inline CSS and SVG only: no scripts, fonts, images or CDNs, so it renders anywhere,
// offline, and a screenshot of it is deterministic.

import { killsText } from "../faults/kill-mode";
import { fullServiceText } from "../faults/restart-all";
import type { LatencySummary } from "../stats/histogram";
import { sharesText } from "../workers/shares";
import { clientMatrix, matrixColumns, matrixNote, stallsText } from "./client-matrix";
import { escapeXml as e, formatCount, formatMs, formatPercent, formatRate } from "./format";
import { nodeChangeLines, nodeReadsText } from "./node-text";
import { alertRows, platformPanels, platformSummaryText } from "./platform-text";
import { failuresOf, type RunReport, reportPassed, runTitle, type SystemRun, systemPassed } from "./run-report";
import { renderTimelineSvg } from "./svg-timeline";
import {
  faultTimesText,
  inFlightText,
  ledgerCells,
  lostSample,
  recoveryText,
  recoveryTone,
  type Tone,
  verdictLines,
} from "./verdict";

const css = `
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; margin: 0; background: #f6f8fa; }
main { max-width: 1000px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 28px 0 8px; } h3 { font-size: 15px; margin: 16px 0 6px; }
.meta { color: #57606a; margin-bottom: 16px; }
.banner { font-size: 30px; font-weight: 700; padding: 14px 20px; border-radius: 8px; color: #fff; }
.banner.good { background: #1a7f37; color: #fff; } .banner.bad { background: #cf222e; color: #fff; }
.system { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 16px 20px; margin-top: 20px; }
.cells { display: flex; gap: 12px; flex-wrap: wrap; }
.cell { flex: 1 1 140px; border-radius: 8px; padding: 10px 14px; border: 2px solid; }
.cell .value { font-size: 40px; font-weight: 700; line-height: 1.1; }
.cell .label { font-size: 14px; text-transform: uppercase; letter-spacing: .04em; }
.good { border-color: #1a7f37; color: #1a7f37; } .warn { border-color: #bf8700; color: #9a6700; } .bad { border-color: #cf222e; color: #cf222e; }
.cell.good { background: #dafbe1; } .cell.warn { background: #fff8c5; } .cell.bad { background: #ffebe9; }
table { border-collapse: collapse; margin: 6px 0; } td, th { padding: 3px 12px 3px 0; text-align: left; vertical-align: top; }
th { color: #57606a; font-weight: 600; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.failures li { color: #cf222e; } .chart { overflow-x: auto; } code { font-size: 13px; }
`;

export function renderHtml(report: RunReport): string {
  const passed = reportPassed(report);
  const title = `${report.scenario} on ${report.target}: ${passed ? "PASS" : "FAIL"}`;
  return [
    "<!DOCTYPE html>",
    `<html lang="en">`,
    "<head>",
    `<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${e(title)}</title>`,
    `<style>${css}</style>`,
    "</head>",
    "<body>",
    "<main>",
    `<h1>${e(report.scenario)}</h1>`,
    `<div class="meta">run <code>${e(report.runId)}</code> · target <b>${e(report.target)}</b> · started ${e(report.startedAt)} · ${e(formatMs(report.durationMs))}</div>`,
    `<div class="banner ${passed ? "good" : "bad"}" id="verdict">${passed ? "PASS: no acknowledged message lost" : `FAIL: ${e(headlineFailure(report))}`}</div>`,
    renderMatrix(report),
    ...report.systems.map(renderSystem),
    renderSettings(report.settings),
    "</main>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/**
 * The banner says what failed, not why: the names of the failed verdict lines (each system's section gives the
 * details right below), else the first failure cut to a line. A paragraph in 30 px type is not read at a glance.
 */
export function headlineFailure(report: RunReport): string {
  const lost = report.systems.reduce((n, s) => n + s.ledger.counts.lost, 0);
  if (lost > 0) return `${formatCount(lost)} acknowledged message(s) lost`;
  const failed = [
    ...new Set(report.systems.flatMap((s) => (s.verdict ?? []).filter((v) => !v.passed).map((v) => v.name))),
  ];
  if (failed.length > 0)
    return failed.length > 3 ? `${failed.slice(0, 3).join(", ")} and ${failed.length - 3} more` : failed.join(", ");
  const first = report.systems.flatMap(failuresOf)[0];
  if (first === undefined) return "no system ran";
  return first.length > 120 ? `${first.slice(0, 119)}…` : first;
}

function renderSystem(run: SystemRun): string {
  const name = runTitle(run);
  const failures = failuresOf(run);
  return [
    `<section class="system" id="${run.client ? `${run.system}-${run.client.name}` : run.system}">`,
    `<h2>${e(name)}: <span class="${systemPassed(run) ? "good" : "bad"}">${systemPassed(run) ? "pass" : "FAIL"}</span></h2>`,
    run.client ? `<p class="meta">client: <code>${e(run.client.settings)}</code></p>` : "",
    run.kills ? `<p class="meta">fault: <b>${e(killsText(run.kills) ?? "")}</b></p>` : "",
    run.workers ? `<p class="meta">${e(sharesText(run.workers))}</p>` : "",
    ...(run.fullService ?? []).map((r) => `<p class="meta">time to full service: <b>${e(fullServiceText(r))}</b></p>`),
    `<div class="cells">${ledgerCells(run)
      .map((c) => cell(c.label, c.value, c.tone, c.note))
      .join("")}</div>`,
    failures.length > 0 ? `<ul class="failures">${failures.map((f) => `<li>${e(f)}</li>`).join("")}</ul>` : "",
    renderVerdict(run),
    renderRecovery(run),
    `<h3>Timeline</h3>`,
    run.platform
      ? `<p class="meta" id="platform-${run.system}">platform view: ${e(platformSummaryText(run.platform))}</p>`
      : "",
    `<div class="chart">${renderTimelineSvg(run.timeline, chartTitle(name, run), platformPanels(run.platform), run.nodes?.lanes)}</div>`,
    renderNodes(run),
    renderAlerts(run),
    renderNumbers(run),
    renderLedgerDetail(run),
    run.kafka ? renderKafkaChecks(run) : "",
    "</section>",
  ].join("\n");
}

function chartTitle(name: string, run: SystemRun): string {
  const platform = run.platform?.kind === "observed" ? ", and the platform's view from Prometheus" : "";
  const nodes = run.nodes ? ", with each Kubernetes node's state" : "";
  return `${name}: throughput, p99 latency and errors around the fault${platform}${nodes}`;
}

/** Under the chart: how the Node reads went, and each node that was anything but Ready, with its times. */
function renderNodes(run: SystemRun): string {
  const reads = nodeReadsText(run.nodes);
  if (!reads) return "";
  const lines = nodeChangeLines(run.nodes, run.timeline.startedAt);
  return [
    `<p class="meta" id="nodes-${run.system}">nodes: ${e(reads)}</p>`,
    lines.length > 0 ? `<ul class="nodes">${lines.map((l) => `<li>${e(l)}</li>`).join("")}</ul>` : "",
  ].join("\n");
}

function renderAlerts(run: SystemRun): string {
  if (run.platform?.kind !== "observed") return "";
  const rows = alertRows(run.platform);
  if (rows.length === 0) return `<h3>Alerts</h3><p>No alert fired during the drill.</p>`;
  return [
    `<h3>Alerts (times from the drill's start)</h3>`,
    `<table class="alerts"><tr><th>alert</th><th>about</th><th>fired</th><th>resolved</th></tr>`,
    ...rows.map((r) => `<tr>${r.map((c, i) => `<td${i >= 2 ? ' class="num"' : ""}>${e(c)}</td>`).join("")}</tr>`),
    "</table>",
  ].join("\n");
}

function cell(label: string, value: string, tone: Tone, note: string): string {
  return `<div class="cell ${tone}" title="${e(note)}"><div class="value">${e(value)}</div><div class="label">${e(label)}</div></div>`;
}

function renderVerdict(run: SystemRun): string {
  const rows = verdictLines(run).map(
    (v) =>
      `<tr><td class="${v.passed ? "good" : "bad"}">${v.passed ? "✓" : "✗"}</td><td>${e(v.name)}</td><td>${e(v.detail)}</td></tr>`,
  );
  return [`<h3>Verdict</h3>`, `<table class="verdict">${rows.join("")}</table>`].join("\n");
}

function renderRecovery(run: SystemRun): string {
  if (run.recovery.length === 0) return "";
  const rows = run.recovery.map((r) => {
    const td = (m: typeof r.writes) =>
      `<td class="num ${recoveryTone(m)}" title="${e(m.how)}">${e(recoveryText(m))}</td>`;
    const inFlight = `<td class="num">${e(inFlightText(r))}</td>`;
    return `<tr><td>${e(r.fault.label)} (${e(faultTimesText(r))})</td>${inFlight}${td(r.writes)}${td(r.consumers)}${td(r.cluster)}</tr>`;
  });
  return [
    `<h3>Recovery (from when the fault landed)</h3>`,
    `<table class="recovery"><tr><th>fault</th><th>in flight at fault</th><th>writes stalled</th><th>consumers caught up</th><th>cluster healthy</th></tr>`,
    ...rows,
    "</table>",
    ...(run.partitionStalls ?? []).map(
      (s) =>
        `<p>Writes after ${e(s.fault)}, per partition (leader at the fault, by what the victim was to it): ${e(stallsText(s))}</p>`,
    ),
  ].join("\n");
}

/** The same fault with each Kafka client, side by side (only when the report compares clients). */
function renderMatrix(report: RunReport): string {
  const matrix = clientMatrix(report);
  if (!matrix) return "";
  const head = matrixColumns.map((c) => `<th>${e(c)}</th>`).join("");
  const rows = matrix.map(
    (r) =>
      `<tr>${r.map((c, i) => `<td class="${i === 0 ? "" : "num "}${c.tone ?? ""}">${e(c.text)}</td>`).join("")}</tr>`,
  );
  return [
    `<section class="system" id="clients"><h2>Kafka clients, same fault</h2>`,
    `<table><tr>${head}</tr>${rows.join("")}</table>`,
    `<p class="meta">Each client's producers ran the same workload and fault; one kafkajs consumer counted for all. Stall: that partition's longest gap between acknowledged writes from when the fault landed to the end of the load. ${e(matrixNote)}.</p>`,
    "</section>",
  ].join("\n");
}

function latencyRow(label: string, l: LatencySummary): string {
  const v = [l.p50, l.p95, l.p99, l.p999, l.max].map((x) => `<td class="num">${e(formatMs(x))}</td>`).join("");
  return `<tr><td>${e(label)}</td>${v}<td class="num">${formatCount(l.count)}</td></tr>`;
}

function renderNumbers(run: SystemRun): string {
  return [
    `<h3>Throughput and latency</h3>`,
    `<table><tr><th></th><th>msg/s</th><th>MB/s</th><th>messages</th></tr>`,
    ...(
      [
        ["acknowledged", run.published],
        ["consumed", run.consumed],
      ] as const
    ).map(
      ([label, t]) =>
        `<tr><td>${label}</td><td class="num">${e(formatRate(t.messagesPerSecond, ""))}</td><td class="num">${t.megabytesPerSecond.toFixed(2)}</td><td class="num">${formatCount(t.messages)}</td></tr>`,
    ),
    "</table>",
    `<table><tr><th>latency</th><th>p50</th><th>p95</th><th>p99</th><th>p99.9</th><th>max</th><th>samples</th></tr>`,
    latencyRow("publish → ack", run.publishLatency),
    latencyRow("end-to-end", run.endToEndLatency),
    "</table>",
  ].join("\n");
}

function renderLedgerDetail(run: SystemRun): string {
  const c = run.ledger.counts;
  const f = run.ledger.fractions;
  const rows: Array<[string, number, string]> = [
    ["attempted", c.attempted, ""],
    ["acknowledged", c.acknowledged, formatPercent(c.attempted ? c.acknowledged / c.attempted : 0)],
    ["failed (definite)", c.failed, ""],
    ["unknown / pending", c.unknown + c.pending, ""],
    // The drain read every partition to its high watermark (every queue to empty): what it did not read did not land.
    ["unknown, landed (read back)", c.recovered, formatPercent(f.recoveredFrac)],
    ["unknown, did not land (not read; allowed)", c.unknownMissing, formatPercent(f.unknownMissingFrac)],
    ["consumed (distinct)", c.consumed, ""],
    ["deliveries", c.deliveries, ""],
    ["consumed more than once", c.duplicated, formatPercent(f.duplicatedFrac)],
    ["… re-delivered (same write read again)", c.redelivered, ""],
    ["… written twice (duplicate writes)", c.duplicateWrites, ""],
    ["failed but consumed", c.failedButConsumed, ""],
    ["unexpected from other runs", c.foreignRun, ""],
  ];
  // Lost messages get their own list, with positions.
  const samples = Object.entries(run.ledger.samples).filter(([kind, ids]) => kind !== "lost" && ids.length > 0);
  return [
    `<h3>Ledger</h3>`,
    `<table>${rows.map(([l, n, p]) => `<tr><td>${e(l)}</td><td class="num">${formatCount(n)}</td><td class="num">${e(p)}</td></tr>`).join("")}</table>`,
    ...samples.map(
      ([kind, ids]) => `<p><b>${e(kind)}</b>, e.g. <code>${ids.slice(0, 5).map(e).join("</code>, <code>")}</code></p>`,
    ),
    renderLost(run),
  ].join("\n");
}

/** A readable sample of the lost messages; report.json has every one with its position. */
function renderLost(run: SystemRun): string {
  const { lines, more } = lostSample(run);
  if (lines.length === 0 && more === 0) return "";
  const items = [
    ...lines.map((l) => `<li><code>${e(l)}</code></li>`),
    ...(more > 0 ? [`<li>… and ${formatCount(more)} more in report.json</li>`] : []),
  ];
  return `<p><b>lost</b> (acknowledged, never consumed), with where each was written:</p><ul class="lost">${items.join("")}</ul>`;
}

function renderKafkaChecks(run: SystemRun): string {
  const k = run.kafka;
  if (!k) return "";
  const rows = Object.entries(k.counts).map(
    ([name, n]) => `<tr><td>${e(name)}</td><td class="num ${n > 0 ? "bad" : "good"}">${formatCount(n)}</td></tr>`,
  );
  const positions = k.partitions.map(
    (p) =>
      `<tr><td>${p.partition}</td><td class="num">${formatCount(p.acked)}</td><td class="num">${p.firstAckedOffset}–${p.lastAckedOffset}</td><td class="num">${p.highestReadOffset}</td></tr>`,
  );
  return [
    `<h3>Kafka per-partition checks: ${k.valid ? "valid" : "INVALID"}</h3>`,
    `<table>${rows.join("")}</table>`,
    `<h3>Kafka write positions (from the produce responses)</h3>`,
    `<table><tr><th>partition</th><th>acknowledged</th><th>acked offsets</th><th>highest read</th></tr>${positions.join("")}</table>`,
    ...Object.entries(k.samples)
      .filter(([, s]) => s.length > 0)
      .map(
        ([kind, s]) => `<p><b>${e(kind)}</b>, e.g. <code>${s.slice(0, 5).map(e).join("</code>, <code>")}</code></p>`,
      ),
  ].join("\n");
}

function renderSettings(settings: RunReport["settings"]): string {
  const rows = Object.entries(settings).map(
    ([k, v]) => `<tr><td>${e(k)}</td><td><code>${e(String(v))}</code></td></tr>`,
  );
  return rows.length === 0 ? "" : `<h2>Settings</h2><table>${rows.join("")}</table>`;
}
