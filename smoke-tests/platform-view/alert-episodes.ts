// The alerts that fired and resolved during a drill, from the ALERTS{alertstate="firing"} series over its window
// (Prometheus writes one sample per rule evaluation while an alert fires, and a stale marker when it resolves, so a
// range query sees each firing episode as a run of points). Pure: tested on canned query_range answers.
import type { MatrixSeries } from "./prometheus-api";

export interface AlertEpisode {
  alertname: string;
  /** What it is about: the labels that tell alerts of one rule apart (pod, queue, release), as "pod=kafka-1". */
  subject: string;
  /** ms since the drill's start: the first step at which it was seen firing. */
  firedAtMs: number;
  /** ms since the drill's start: the first step at which it was no longer firing; null when it still fired at the end. */
  resolvedAtMs: number | null;
}

/** The range query of firing alerts about `namespace`. */
export const firingAlertsExpr = (namespace: string): string => `ALERTS{alertstate="firing", namespace="${namespace}"}`;

const subjectLabels = ["pod", "queue", "vhost", "release"];

/**
 * Pure: every firing episode in `matrix` (a range query of firingAlertsExpr at `stepSeconds`, ending at `endSec`),
 * ordered by when it fired. A gap of more than one step splits a series into two episodes.
 */
export function alertEpisodes(
  matrix: MatrixSeries[],
  stepSeconds: number,
  startedAt: number,
  endSec: number,
): AlertEpisode[] {
  const rel = (sec: number) => Math.round(sec * 1000) - startedAt;
  const episodes: AlertEpisode[] = [];
  for (const series of matrix) {
    const alertname = series.metric.alertname ?? "(unnamed)";
    const subject = subjectLabels
      .filter((l) => series.metric[l] !== undefined)
      .map((l) => `${l}=${series.metric[l]}`)
      .join(", ");
    const times = series.values.map(([t]) => t).sort((a, b) => a - b);
    let first: number | undefined;
    let last = Number.NEGATIVE_INFINITY;
    const close = (resolvedSec: number | null) => {
      if (first === undefined) return;
      episodes.push({
        alertname,
        subject,
        firedAtMs: rel(first),
        resolvedAtMs: resolvedSec === null ? null : rel(resolvedSec),
      });
    };
    for (const t of times) {
      if (first !== undefined && t - last > stepSeconds * 1.5) close(last + stepSeconds);
      if (first === undefined || t - last > stepSeconds * 1.5) first = t;
      last = t;
    }
    // Still firing at the window's last step: not resolved (yet).
    close(first === undefined ? null : endSec - last < stepSeconds ? null : last + stepSeconds);
  }
  return episodes.sort((a, b) => a.firedAtMs - b.firedAtMs || a.alertname.localeCompare(b.alertname));
}
