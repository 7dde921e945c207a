// What the report plots of the platform's view, per system: one PromQL expression per series over the brokers'
// namespace (the names charts/kafka/files/jmx-exporter.yaml exports and the recording rule of
// charts/rabbitmq/files/alerts.yaml), each aggregated to one line. Pure: tested on canned query_range answers.
import type { SystemName } from "../../contract/systems";
import type { MatrixSeries } from "./prometheus-api";

export interface PlatformQuery {
  name: string;
  unit: string;
  expr: string;
}

/** A series on the drill's time axis: ms since the timeline's start. */
export interface PlatformSeries {
  name: string;
  unit: string;
  points: Array<{ atMs: number; value: number }>;
}

/** The step of every range query: finer than the 15 s scrape interval, so no scrape falls between two points. */
export const platformStepSeconds = 5;

/** The expressions plotted for `system`, its brokers in `namespace`. */
export function platformQueries(system: SystemName, namespace: string): PlatformQuery[] {
  const kafka = `job="kafka", namespace="${namespace}"`;
  const rabbit = `namespace="${namespace}"`;
  return system === "kafka"
    ? [
        {
          name: "under-replicated partitions",
          unit: "partitions",
          expr: `sum(kafka_server_replicamanager_underreplicatedpartitions{${kafka}})`,
        },
        {
          name: "ISR shrinks",
          unit: "/s",
          expr: `sum(rate(kafka_server_replicamanager_isrshrinks_total{${kafka}}[1m]))`,
        },
        {
          name: "ISR expands",
          unit: "/s",
          expr: `sum(rate(kafka_server_replicamanager_isrexpands_total{${kafka}}[1m]))`,
        },
        {
          // Each broker's count of partitions it leads changes when leadership moves: the changes in the last minute.
          name: "leader changes",
          unit: "per 1m",
          expr: `sum(changes(kafka_server_replicamanager_leadercount{${kafka}}[1m]))`,
        },
        { name: "nodes scraped up", unit: "nodes", expr: `sum(up{${kafka}})` },
      ]
    : [
        {
          name: "quorum queue members online (fewest of any queue)",
          unit: "members",
          expr: `min(queue:rabbitmq_quorum_queue_members_online:count{${rabbit}})`,
        },
        {
          name: "unreachable cluster peers (most of any node)",
          unit: "peers",
          expr: `max(rabbitmq_unreachable_cluster_peers_count{job="rabbitmq", ${rabbit}})`,
        },
        { name: "nodes scraped up", unit: "nodes", expr: `sum(up{job="rabbitmq", ${rabbit}})` },
      ];
}

/**
 * Pure: one query's answer as a series on the drill's axis (`startedAt`: epoch ms of its 0). The expressions
 * aggregate to one series; an empty answer (no such metric scraped in the window) is a series without points, and
 * NaN samples are left out.
 */
export function seriesFromMatrix(query: PlatformQuery, matrix: MatrixSeries[], startedAt: number): PlatformSeries {
  if (matrix.length > 1)
    throw new Error(`${query.name}: ${matrix.length} series for ${query.expr}, expected one (it aggregates)`);
  const points = (matrix[0]?.values ?? [])
    .map(([t, v]) => ({ atMs: Math.round(t * 1000) - startedAt, value: Number(v) }))
    .filter((p) => Number.isFinite(p.value));
  return { name: query.name, unit: query.unit, points };
}
