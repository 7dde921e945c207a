// The end-to-end run's last screen: each step with its time, then every drill on the cluster beside the same drill on
// the embedded default (lost, unexpected, writes stalled, whether the fault took effect). Pure: tested directly.
import type { SystemName } from "../../contract/systems";
import { killsText } from "../../smoke-tests/faults/kill-mode";
import { alertRows, platformSummaryText } from "../../smoke-tests/reports/platform-text";
import { failuresOf, type RunReport } from "../../smoke-tests/reports/run-report";
import { placementLines, type SystemPlacement } from "../deploy/placement";

export interface E2eStep {
  name: string;
  ok: boolean;
  durationMs: number;
  detail: string;
}

export interface DrillFigures {
  scenario: string;
  system: SystemName;
  target: string;
  passed: boolean;
  lost: number;
  unexpected: number;
  acknowledged: number;
  /** The longest write stall after any fault (from its landing); null when writes never recovered or were not disrupted. */
  writesRecoveredMs: number | null;
  /** Every fault left writes undisrupted: a status of its own, never shown as "0.0 s". */
  writesNotDisrupted: boolean;
  faultTookEffect: boolean;
  effect: string;
  /**
   * The platform's view: the alerts that fired and resolved ("KafkaNodeDown (pod=kafka-1) fired 1 min 25 s, resolved
   * 1 min 50 s"), or why there is none, and the line "the platform noticed" when the drill has one.
   */
  platform?: { alerts: string[]; noticed?: { passed: boolean; detail: string } };
  /** What its kills were ("kill (held down 18.2 s)", "kill (restarted by the kubelet)"); absent when it killed nothing. */
  kill?: string;
}

export function drillFigures(report: RunReport): DrillFigures[] {
  return report.systems.map((run) => {
    const statuses = run.recovery.map((r) => r.writes.status);
    const allBack = statuses.length > 0 && statuses.every((st) => st === "recovered" || st === "not-disrupted");
    const timed = run.recovery.flatMap((r) => (r.writes.status === "recovered" ? [r.writes.ms as number] : []));
    const effect = run.verdict?.find((v) => v.name === "fault took effect");
    const noticed = run.verdict?.find((v) => v.name === "the platform noticed");
    const view = run.platform;
    return {
      scenario: report.scenario,
      system: run.system,
      target: report.target,
      passed: failuresOf(run).length === 0,
      lost: run.ledger.counts.lost,
      unexpected: run.ledger.counts.unexpected,
      acknowledged: run.ledger.counts.acknowledged,
      writesRecoveredMs: allBack && timed.length > 0 ? Math.max(...timed) : null,
      writesNotDisrupted: statuses.length > 0 && statuses.every((st) => st === "not-disrupted"),
      faultTookEffect: effect?.passed ?? false,
      effect: effect?.detail ?? "(no effect check)",
      ...(run.kills ? { kill: killsText(run.kills) } : {}),
      ...(view
        ? {
            platform: {
              alerts:
                view.kind !== "observed"
                  ? [platformSummaryText(view)]
                  : alertRows(view).map(
                      ([name, about, fired, resolved]) =>
                        `${name}${about === "—" ? "" : ` (${about})`} fired ${fired}, ${resolved === "still firing" ? "still firing" : `resolved ${resolved}`}`,
                    ),
              ...(noticed ? { noticed: { passed: noticed.passed, detail: noticed.detail } } : {}),
            },
          }
        : {}),
    };
  });
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const pad = (s: string, n: number) => s.padEnd(n);

export function formatE2e(steps: E2eStep[], drills: DrillFigures[], placement: SystemPlacement[] = []): string {
  const passed = steps.every((s) => s.ok);
  const total = steps.reduce((sum, s) => sum + s.durationMs, 0);
  const lines = [`e2e: ${passed ? "PASS" : "FAIL"} in ${secs(total)}`, ""];
  for (const s of steps)
    lines.push(`  ${s.ok ? "✓" : "✗"} ${pad(s.name, 28)} ${pad(secs(s.durationMs), 9)} ${s.detail}`);
  if (placement.length > 0) lines.push("", ...placementLines(placement));
  if (drills.length > 0) {
    lines.push("", "drills: lost / unexpected / writes stalled (slowest fault) / fault took effect");
    const key = (d: DrillFigures) => `${d.scenario} ${d.system}`;
    const targets = [...new Set(drills.map((d) => d.target))];
    lines.push(`  ${pad("", 26)} ${targets.map((t) => pad(t, 34)).join(" ")}`);
    for (const k of [...new Set(drills.map(key))]) {
      const cells = targets.map((t) => {
        const d = drills.find((x) => key(x) === k && x.target === t);
        if (!d) return pad("—", 34);
        const rec = d.writesNotDisrupted
          ? "not disrupted"
          : d.writesRecoveredMs === null
            ? "never"
            : secs(d.writesRecoveredMs);
        return pad(
          `${d.passed ? "✓" : "✗"} ${d.lost} / ${d.unexpected} / ${rec} / ${d.faultTookEffect ? "yes" : "NO"}`,
          34,
        );
      });
      lines.push(`  ${pad(k, 26)} ${cells.join(" ")}`);
      // Which kill each column ran, under its figures: the columns compare only when it is the same fault.
      const kills = targets.map((t) => drills.find((x) => key(x) === k && x.target === t)?.kill);
      if (kills.some((x) => x !== undefined))
        lines.push(`  ${pad("", 26)} ${kills.map((x) => pad(x ?? "", 34)).join(" ")}`.trimEnd());
    }
    lines.push("", "faults as seen:");
    for (const d of drills) lines.push(`  ${d.target} ${key(d)}: ${d.effect}`);
    const watched = drills.filter((d) => d.platform !== undefined);
    if (watched.length > 0) {
      lines.push("", "the platform's view (alerts fired and resolved, from the drill's start):");
      for (const d of watched) {
        const p = d.platform as NonNullable<DrillFigures["platform"]>;
        lines.push(`  ${d.target} ${key(d)}: ${p.alerts.length > 0 ? p.alerts.join("; ") : "no alert fired"}`);
        if (p.noticed) lines.push(`    ${p.noticed.passed ? "✓" : "✗"} the platform noticed: ${p.noticed.detail}`);
      }
    }
  }
  return lines.join("\n");
}
