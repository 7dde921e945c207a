// The bench's results as the terminal shows them, and the ledger's footprint as one line: pure, so the layout is
// tested without a broker.
import type { BenchSettings, BenchSystemResult } from "./bench";
import { consumersLine } from "./consumers";
import type { LatencyComparison, LatencyResult } from "./latency-tools";
import { type Cost, type LedgerFootprint, perMessage } from "./ledger-footprint";
import { profileLines } from "./profile-summary";
import { ratioTarget, targetLine, targetVerdict } from "./targets";

/**
 * `npm run bench -- --ledger`: the ledger's cost per message (CPU µs to record and to check, bytes held), then each
 * step's CPU and wall time in all.
 */
export function formatLedgerFootprint(f: LedgerFootprint): string {
  const p = perMessage(f);
  const us = (v: number) => v.toFixed(2);
  const step = (name: string, c: Cost) =>
    `${name} ${(c.cpuUs / 1000).toFixed(0)} ms CPU, ${c.wallMs.toFixed(0)} ms wall`;
  return [
    `ledger, ${f.messages.toLocaleString("en")} messages: per message ${us(p.totalCpuUs)} µs CPU ` +
      `(recording ${us(p.recordCpuUs)}, checking ${us(p.checkCpuUs)}), ${p.bytes.toFixed(0)} B held`,
    `  ${step("recorded in", f.record)}; ${step("total-queue check", f.totalQueueCheck)}; ` +
      step("Kafka offset checks", f.kafkaCheck),
  ].join("\n");
}

/**
 * Every system's settings, the reference's equal and best settings with the sweep, one row per counted round, whether
 * our consumers kept up, the median ratios, the clients side by side (Kafka, with more than one), then the report.
 */
export function formatBench(
  targetName: string,
  settings: Pick<BenchSettings, "rounds" | "warmupRounds" | "messageBytes">,
  results: BenchSystemResult[],
  reportFile: string,
): string {
  const lines = [
    "",
    `bench on ${targetName} (${settings.rounds} alternating rounds after ${settings.warmupRounds} warm-up, ${settings.messageBytes} B messages)`,
  ];
  for (const r of results) {
    lines.push(
      "",
      `${r.system}: ${Object.entries(r.settings)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")}`,
      `  reference at our settings: ${r.referenceEqual}`,
      `  reference at its best:     ${r.referenceBest} (sweep, median of ${r.sweep.map((x) => `${x.settings} → ${x.messagesPerSec.toFixed(0)} [${x.samples.map((v) => v.toFixed(0)).join(", ")}]`).join("; ")})`,
    );
    // RabbitMQ whose best has more producers × consumers: ours at that shape gets its own column, the best's ratio is its.
    const atShape = r.rounds.some((x) => x.oursBest);
    if (atShape)
      lines.push(
        `  against its best, ours runs at the same shape: ${r.rounds.find((x) => x.oursBest)?.oursBest?.tool}`,
      );
    lines.push(
      `  round  ours msg/s  ref@ours msg/s  ratio  ${atShape ? "ours@shape msg/s  " : ""}ref@best msg/s  ratio   ours p99  ref p99`,
    );
    for (const x of r.rounds) {
      const n = (v: number, w: number) => v.toFixed(0).padStart(w);
      const shape = atShape ? `${n(x.oursBest?.messagesPerSec ?? Number.NaN, 16)}  ` : "";
      lines.push(
        `  ${String(x.round).padStart(5)}  ${n(x.ours.messagesPerSec, 10)}  ${n(x.reference.messagesPerSec, 14)}  ${x.ratio.toFixed(2).padStart(5)}  ${shape}${n(x.best.messagesPerSec, 14)}  ${x.ratioBest.toFixed(2).padStart(5)}  ${(x.ours.p99Ms ?? Number.NaN).toFixed(1).padStart(9)}  ${(x.reference.p99Ms ?? Number.NaN).toFixed(1).padStart(7)}`,
      );
    }
    // A publish rate counts when consumers keep up with it: did ours (median over the counted rounds)?
    const asked = r.keepUpAskedPerSec === undefined ? "" : `, asked ${r.keepUpAskedPerSec.toLocaleString("en")} msg/s`;
    const consumers = consumersLine(
      r.keepUp,
      r.system === "kafka" ? `ours, one more round with a consumer${asked}` : "ours",
    );
    if (consumers) lines.push(`  ${consumers}`);
    lines.push(
      `  median ratio ours/reference: ${r.medianRatio.toFixed(2)} at our settings, ${r.medianRatioBest.toFixed(2)} against its best (${r.rounds[0]?.reference.tool}); ` +
        targetLine(ratioTarget(r.system, r.client), r.medianRatio, r.medianRatioBest),
    );
    if (r.latency) lines.push(...latencyLines(r.latency));
    if (r.clients) {
      lines.push(
        "  clients, same rounds, same reference runs:  client        median msg/s  ratio@ours  ratio@best  target",
      );
      for (const c of r.clients) {
        const t = ratioTarget(r.system, c.client);
        const verdict = targetVerdict(t.against === "our settings" ? c.medianRatio : c.medianRatioBest, t.target);
        lines.push(
          `${" ".repeat(46)}${c.client.padEnd(12)}  ${c.medianMsgPerSec.toFixed(0).padStart(12)}  ${c.medianRatio.toFixed(2).padStart(10)}  ${c.medianRatioBest.toFixed(2).padStart(10)}  ${verdict} (ratio@${t.against === "our settings" ? "ours" : "best"})`,
        );
      }
    }
    for (const p of r.profiles ?? []) lines.push(...profileLines(p.label, p.summary, p.files));
  }
  lines.push("", `report: ${reportFile}`);
  return lines.join("\n");
}

const latencyHeading = "p50 ms  p95 ms  p99 ms  messages";

/** A latency row: who, then p50, p95 (— where the tool gives none), p99 and the count under latencyHeading. */
function latencyRow(label: string, l: LatencyResult, width: number): string {
  const ms = (v: number | undefined, w: number) => (v === undefined ? "—" : v.toFixed(1)).padStart(w);
  return (
    `    ${label.padEnd(width - 4)}  ${ms(l.p50Ms, 6)}  ${ms(l.p95Ms, 6)}  ${ms(l.p99Ms, 6)}  ` +
    l.messages.toLocaleString("en").padStart(8)
  );
}

/**
 * End-to-end latency at half our median maximum: ours (with whether our consumer kept up, without which the figures
 * mean nothing) above the reference's, each percentile under its heading.
 */
export function latencyLines(c: LatencyComparison): string[] {
  const kept = c.ours.sustained && (c.ours.sustained.growing ? "backlog growing: did not keep up" : "backlog bounded");
  const ours = kept ? `${c.ours.tool}, ${kept}` : c.ours.tool;
  const title = `  end-to-end latency at ${c.ratePerSec.toLocaleString("en")} msg/s (half our median maximum):`;
  const width = Math.max(title.length, 4 + ours.length, 4 + c.reference.tool.length);
  return [
    `${title.padEnd(width)}  ${latencyHeading}`,
    latencyRow(ours, c.ours, width),
    latencyRow(c.reference.tool, c.reference, width),
  ];
}
