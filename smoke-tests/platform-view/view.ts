// The platform's view of one drilled system, as the report carries it: the broker series Prometheus scraped and the
// alerts it fired and resolved over the drill's window, or why there is none. Plain JSON, like the rest of the report.
import type { AlertEpisode } from "./alert-episodes";
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
