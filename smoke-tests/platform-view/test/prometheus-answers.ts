// Canned Prometheus HTTP API answers in the shapes prometheus.io/docs/prometheus/latest/querying/api/ documents
// (envelope, matrix, alerts, rules), for the pure functions' tests.

/** The drill's timeline starts here (epoch ms); sample times below are unix seconds from it. */
export const startedAt = 1_765_000_000_000;
export const t0 = startedAt / 1000;

export const matrix = (result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }>) => ({
  status: "success",
  data: { resultType: "matrix", result },
});

/** Samples every `step` s from t0 + `from` s to t0 + `to` s (inclusive) with `value`. */
export const samples = (from: number, to: number, value: string, step = 5): Array<[number, string]> => {
  const out: Array<[number, string]> = [];
  for (let s = from; s <= to; s += step) out.push([t0 + s, value]);
  return out;
};

export const badData = { status: "error", errorType: "bad_data", error: 'invalid parameter "query": 1:5: parse error' };

export const alertsAnswer = (alerts: Array<{ alertname: string; namespace: string; state: "pending" | "firing" }>) => ({
  data: {
    alerts: alerts.map((a) => ({
      activeAt: "2026-12-07T01:20:12.60602144Z",
      annotations: { summary: "…" },
      labels: { alertname: a.alertname, namespace: a.namespace, severity: "critical" },
      state: a.state,
      value: "1e+00",
    })),
  },
  status: "success",
});

export const rulesAnswer = {
  data: {
    groups: [
      {
        name: "kafka",
        file: "/etc/prometheus/rules/kafka.yaml",
        interval: 15,
        limit: 0,
        rules: [
          {
            alerts: [],
            annotations: {},
            duration: 60,
            health: "ok",
            labels: { severity: "critical" },
            name: "KafkaNodeDown",
            query: 'up{job="kafka"} == 0',
            type: "alerting",
          },
          {
            alerts: [],
            annotations: {},
            duration: 60,
            health: "ok",
            labels: { severity: "warning" },
            name: "KafkaUnderReplicatedPartitions",
            query: "…",
            type: "alerting",
          },
        ],
      },
      {
        name: "rabbitmq",
        file: "/etc/prometheus/rules/rabbitmq.yaml",
        interval: 15,
        limit: 0,
        rules: [
          { health: "ok", name: "queue:rabbitmq_quorum_queue_members_online:count", query: "…", type: "recording" },
          {
            alerts: [],
            annotations: {},
            duration: 0,
            health: "ok",
            labels: {},
            name: "RabbitMQMemoryAlarm",
            query: "…",
            type: "alerting",
          },
          {
            alerts: [],
            annotations: {},
            duration: 60,
            health: "ok",
            labels: {},
            name: "RabbitMQNodeDown",
            query: "…",
            type: "alerting",
          },
        ],
      },
    ],
  },
  status: "success",
};
