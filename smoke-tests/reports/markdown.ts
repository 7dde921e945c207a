// The run report as Markdown, for PR comments and CI summaries: verdict, recovery, numbers; the chart lives in HTML.
import { killsText } from "../faults/kill-mode";
import { fullServiceText } from "../faults/restart-all";
import type { LatencySummary } from "../stats/histogram";
import { sharesText } from "../workers/shares";
import { clientMatrix, matrixColumns, matrixNote, stallsText } from "./client-matrix";
import { formatCount, formatMs, formatRate } from "./format";
import { nodeChangeLines, nodeReadsText } from "./node-text";
import { alertRows, platformSummaryText } from "./platform-text";
import { failuresOf, type RunReport, reportPassed, runTitle, type SystemRun, systemPassed } from "./run-report";
import { faultTimesText, inFlightText, ledgerCells, lostSample, recoveryText, verdictLines } from "./verdict";

const cellText = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(cellText).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

export function renderMarkdown(report: RunReport): string {
  const passed = reportPassed(report);
  return [
    `# ${report.scenario} on ${report.target}: ${passed ? "PASS" : "FAIL"}`,
    "",
    `Run \`${report.runId}\`, started ${report.startedAt}, took ${formatMs(report.durationMs)}.`,
    "",
    ...renderMatrix(report),
    ...report.systems.flatMap(renderSystem),
    ...(Object.keys(report.settings).length > 0
      ? [
          "## Settings",
          "",
          table(
            ["setting", "value"],
            Object.entries(report.settings).map(([k, v]) => [k, `\`${v}\``]),
          ),
          "",
        ]
      : []),
  ].join("\n");
}

function renderSystem(run: SystemRun): string[] {
  const failures = failuresOf(run);
  const tone = { good: "✅", warn: "⚠️", bad: "❌" } as const;
  const latency = (label: string, l: LatencySummary) => [label, ...[l.p50, l.p95, l.p99, l.p999, l.max].map(formatMs)];
  return [
    `## ${runTitle(run)}: ${systemPassed(run) ? "pass" : "FAIL"}`,
    "",
    ...(run.client ? [`Client: ${run.client.settings}`, ""] : []),
    ...(run.kills ? [`Fault: ${killsText(run.kills)}`, ""] : []),
    ...(run.workers ? [sharesText(run.workers), ""] : []),
    ...(run.fullService ? [...run.fullService.map((r) => `- Time to full service: ${fullServiceText(r)}`), ""] : []),
    table(
      ledgerCells(run).map((c) => c.label),
      [ledgerCells(run).map((c) => `${tone[c.tone]} ${c.value}`)],
    ),
    "",
    ...(failures.length > 0 ? [...failures.map((f) => `- **${f}**`), ""] : []),
    table(
      ["", "verdict", "detail"],
      verdictLines(run).map((v) => [v.passed ? "✅" : "❌", v.name, v.detail]),
    ),
    "",
    ...(run.recovery.length > 0
      ? [
          table(
            ["fault", "in flight at fault", "writes stalled", "consumers caught up", "cluster healthy"],
            run.recovery.map((r) => [
              `${r.fault.label} (${faultTimesText(r)})`,
              inFlightText(r),
              recoveryText(r.writes),
              recoveryText(r.consumers),
              recoveryText(r.cluster),
            ]),
          ),
          "",
        ]
      : []),
    ...(run.partitionStalls ?? []).flatMap((s) => [`Writes after ${s.fault}, per partition: ${stallsText(s)}`, ""]),
    ...renderNodes(run),
    ...(run.platform ? [`Platform view: ${platformSummaryText(run.platform)}`, ""] : []),
    ...(run.platform?.kind === "observed"
      ? alertRows(run.platform).length > 0
        ? [table(["alert", "about", "fired", "resolved"], alertRows(run.platform)), ""]
        : ["No alert fired during the drill.", ""]
      : []),
    table(
      ["", "msg/s", "MB/s", "messages"],
      [
        [
          "acknowledged",
          formatRate(run.published.messagesPerSecond, ""),
          run.published.megabytesPerSecond.toFixed(2),
          formatCount(run.published.messages),
        ],
        [
          "consumed",
          formatRate(run.consumed.messagesPerSecond, ""),
          run.consumed.megabytesPerSecond.toFixed(2),
          formatCount(run.consumed.messages),
        ],
      ],
    ),
    "",
    table(
      ["latency", "p50", "p95", "p99", "p99.9", "max"],
      [latency("publish → ack", run.publishLatency), latency("end-to-end", run.endToEndLatency)],
    ),
    "",
    ...renderLost(run),
    ...(run.kafka ? renderKafkaPositions(run.kafka) : []),
  ];
}

/** How the Node reads went, then one line per node that was anything but Ready (Kubernetes only). */
function renderNodes(run: SystemRun): string[] {
  const reads = nodeReadsText(run.nodes);
  if (!reads) return [];
  const lines = nodeChangeLines(run.nodes, run.timeline.startedAt);
  return [`Nodes: ${reads}`, "", ...(lines.length > 0 ? [...lines.map((l) => `- ${l}`), ""] : [])];
}

/** The same fault with each Kafka client, side by side (only when the report compares clients). */
function renderMatrix(report: RunReport): string[] {
  const matrix = clientMatrix(report);
  if (!matrix) return [];
  return [
    "## Kafka clients, same fault",
    "",
    table(
      [...matrixColumns],
      matrix.map((r) => r.map((c) => c.text)),
    ),
    "",
    `${matrixNote}.`,
    "",
  ];
}

/** A readable sample of the lost messages; report.json has every one with its position. */
function renderLost(run: SystemRun): string[] {
  const { lines, more } = lostSample(run);
  if (lines.length === 0 && more === 0) return [];
  return [
    "Lost (acknowledged, never consumed), with where each was written:",
    "",
    ...lines.map((l) => `- \`${l}\``),
    ...(more > 0 ? [`- … and ${formatCount(more)} more in report.json`] : []),
    "",
  ];
}

/** Where the writes landed per partition, and the live offset checks over them. */
function renderKafkaPositions(k: NonNullable<SystemRun["kafka"]>): string[] {
  return [
    table(
      ["partition", "acknowledged", "acked offsets", "highest read"],
      k.partitions.map((p) => [
        String(p.partition),
        formatCount(p.acked),
        `${p.firstAckedOffset}–${p.lastAckedOffset}`,
        String(p.highestReadOffset),
      ]),
    ),
    "",
    table(Object.keys(k.counts), [Object.values(k.counts).map((n) => formatCount(n))]),
    "",
    ...Object.entries(k.samples)
      .filter(([, s]) => s.length > 0)
      .map(([kind, s]) => `- ${kind}: \`${s.slice(0, 5).join("`, `")}\``),
    "",
  ];
}
