// The platform's view as every report format shows it: a sentence on where it came from (or why there is none), the
// alerts that fired and resolved with their times from the drill's start, and the series grouped into chart panels.
import type { PlatformView } from "../platform-view/view";
import { formatMs } from "./format";
import type { PlatformPanels } from "./svg-timeline";

const palette = ["#1f6feb", "#d4730b", "#8250df", "#1a7f37", "#cf222e"];

/** One sentence: where the view came from and how the wait for the alerts to resolve ended, or why there is none. */
export function platformSummaryText(view: PlatformView): string {
  switch (view.kind) {
    case "absent":
      return view.reason;
    case "unavailable":
      return `platform view unavailable (${view.source}): ${view.reason}`;
    case "observed": {
      const w = view.resolutionWait;
      const waited = w.quiet
        ? `the expected alerts were quiet ${formatMs(w.waitedMs)} after the load`
        : `the expected alerts were still active after waiting ${formatMs(w.waitedMs)}`;
      const expected = view.expected.length > 0 ? `expected: ${view.expected.join(", ")}` : "no alert expected";
      return `from Prometheus at ${view.source}; ${expected}; ${waited}`;
    }
  }
}

/** The alerts that fired, each with its subject and both times from the drill's start ("still firing" at the end). */
export function alertRows(view: PlatformView): Array<[string, string, string, string]> {
  if (view.kind !== "observed") return [];
  return view.alerts.map((a) => [
    a.alertname,
    a.subject || "—",
    formatMs(a.firedAtMs),
    a.resolvedAtMs === null ? "still firing" : formatMs(a.resolvedAtMs),
  ]);
}

/** The series as chart panels, those of one unit together, and one lane per alert; undefined without a view. */
export function platformPanels(view: PlatformView | undefined): PlatformPanels | undefined {
  if (view?.kind !== "observed") return undefined;
  const units = [...new Set(view.series.map((s) => s.unit))];
  let color = 0;
  const panels = units.map((unit) => {
    const series = view.series.filter((s) => s.unit === unit);
    return {
      title: series.map((s) => s.name).join(", "),
      unit,
      series: series.map((s) => ({
        label: s.name,
        color: palette[color++ % palette.length] as string,
        points: s.points,
      })),
    };
  });
  const alerts = view.alerts.map((a) => ({
    label: a.subject ? `${a.alertname} (${a.subject})` : a.alertname,
    fromMs: a.firedAtMs,
    toMs: a.resolvedAtMs,
  }));
  return { panels, alerts };
}
