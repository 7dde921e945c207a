// The verdict line of a drill's platform view: when there is one, and from which fault span it is judged.
import type { VerdictLine } from "../reports/run-report";
import type { Timeline } from "../stats/timeline";
import { platformNoticed } from "./platform-noticed";
import type { PlatformView } from "./view";

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
