// The platform's view of one drilled system, as the report carries it: the broker series Prometheus scraped and the
// alerts it fired and resolved over the drill's window, or why there is none. Plain JSON, like the rest of the report.
import type { VerdictLine } from "../reports/run-report";
import type { Timeline } from "../stats/timeline";
import type { AlertEpisode } from "./alert-episodes";
import { platformNoticed } from "./platform-noticed";
import type { PlatformSeries } from "./platform-series";

export type PlatformView =
  /** The target runs no Prometheus (the embedded default): no line in the verdict, never a pass. */
  | { kind: "absent"; reason: string }
  /** The target has one, but it could not be read: "the platform noticed" fails with the reason. */
  | { kind: "unavailable"; source: string; reason: string }
  | {
      kind: "observed";
      /** The API the view was read from (http://<pod IP>:9090). */
      source: string;
      series: PlatformSeries[];
      alerts: AlertEpisode[];
      /** The alerts the fault should raise (platform-noticed.ts), and their rules' `for` windows in seconds. */
      expected: string[];
      forSeconds: Record<string, number>;
      /** How long the drill waited after its load for the expected alerts to resolve, and whether they had. */
      resolutionWait: { waitedMs: number; quiet: boolean };
    };

export const noPrometheus: PlatformView = { kind: "absent", reason: "platform view: no Prometheus in this target" };

/** Pure: the first fault's landing and the last heal after it, ms since the timeline's start. */
export function faultSpan(timeline: Pick<Timeline, "events">): { landedAtMs: number; healedAtMs: number | undefined } {
  const fault = timeline.events.find((e) => e.kind === "fault");
  const landedAtMs = fault ? (fault.landedAtMs ?? fault.atMs) : 0;
  const heals = timeline.events.filter((e) => e.kind === "heal" && fault !== undefined && e.atMs >= fault.atMs);
  return { landedAtMs, healedAtMs: heals.at(-1)?.atMs };
}

/**
 * Pure: "the platform noticed" for a drill whose fault should raise `expected`: absent without a Prometheus or without
 * an expectation; failing when the view could not be read or no fault is on the timeline.
 */
export function noticedLine(
  view: PlatformView,
  expected: readonly string[] | undefined,
  timeline: Pick<Timeline, "events">,
): VerdictLine | undefined {
  if (view.kind === "absent" || expected === undefined) return undefined;
  if (view.kind === "unavailable")
    return { name: "the platform noticed", passed: false, detail: `platform view unavailable: ${view.reason}` };
  if (!timeline.events.some((e) => e.kind === "fault"))
    return { name: "the platform noticed", passed: false, detail: "no fault on the timeline" };
  return platformNoticed({ expected, episodes: view.alerts, forSeconds: view.forSeconds, ...faultSpan(timeline) });
}
