// A small client of Prometheus's HTTP API (prometheus.io/docs/prometheus/latest/querying/api/): range queries, the
// active alerts and the alerting rules, each answer checked and typed by a pure parser tested on the documented shapes.

/** One series of a range query: its labels and its [unix seconds, value as text] samples. */
export interface MatrixSeries {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

/** An alert /api/v1/alerts lists: pending or firing now. */
export interface ActiveAlert {
  labels: Record<string, string>;
  state: "pending" | "firing";
  /** ISO 8601: when it became pending. */
  activeAt: string;
}

/** An alerting rule /api/v1/rules lists: its name and its `for` window in seconds. */
export interface AlertRule {
  name: string;
  forSeconds: number;
}

export interface RangeQuery {
  expr: string;
  /** Unix seconds. */
  start: number;
  end: number;
  stepSeconds: number;
}

type Json = unknown;

/** The answer's data, or an error naming the endpoint and Prometheus's errorType and error. */
function dataOf(endpoint: string, body: Json): Record<string, unknown> {
  const b = body as { status?: unknown; data?: unknown; errorType?: unknown; error?: unknown };
  if (b?.status === "success" && typeof b.data === "object" && b.data !== null)
    return b.data as Record<string, unknown>;
  if (b?.status === "error") throw new Error(`Prometheus ${endpoint}: ${String(b.errorType)}: ${String(b.error)}`);
  throw new Error(`Prometheus ${endpoint}: not an API answer (status ${JSON.stringify(b?.status)})`);
}

/** Pure: the series of a query_range answer (resultType matrix). */
export function matrixOf(body: Json): MatrixSeries[] {
  const data = dataOf("query_range", body);
  if (data.resultType !== "matrix" || !Array.isArray(data.result))
    throw new Error(`Prometheus query_range: resultType ${JSON.stringify(data.resultType)}, expected matrix`);
  return data.result.map((r: { metric?: Record<string, string>; values?: Array<[number, string]> }) => ({
    metric: r.metric ?? {},
    values: (r.values ?? []).map(([t, v]) => [Number(t), String(v)] as [number, string]),
  }));
}

/** One series of an instant query: its labels and its value as a number. */
export interface VectorSample {
  metric: Record<string, string>;
  value: number;
}

/** Pure: the samples of an instant query answer (resultType vector). */
export function vectorOf(body: Json): VectorSample[] {
  const data = dataOf("query", body);
  if (data.resultType !== "vector" || !Array.isArray(data.result))
    throw new Error(`Prometheus query: resultType ${JSON.stringify(data.resultType)}, expected vector`);
  return data.result.map((r: { metric?: Record<string, string>; value?: [number, string] }) => ({
    metric: r.metric ?? {},
    value: Number(r.value?.[1]),
  }));
}

/** Pure: the alerts of an /api/v1/alerts answer. */
export function activeAlertsOf(body: Json): ActiveAlert[] {
  const alerts = dataOf("alerts", body).alerts;
  if (!Array.isArray(alerts)) throw new Error("Prometheus alerts: data.alerts is not a list");
  return alerts.map((a: { labels?: Record<string, string>; state?: string; activeAt?: string }) => ({
    labels: a.labels ?? {},
    state: a.state === "firing" ? "firing" : "pending",
    activeAt: a.activeAt ?? "",
  }));
}

/** Pure: every alerting rule of an /api/v1/rules answer with its `for` window (`duration`, seconds). */
export function alertRulesOf(body: Json): AlertRule[] {
  const groups = dataOf("rules", body).groups;
  if (!Array.isArray(groups)) throw new Error("Prometheus rules: data.groups is not a list");
  return groups.flatMap((g: { rules?: Array<{ type?: string; name?: string; duration?: number }> }) =>
    (g.rules ?? [])
      .filter((r) => r.type === "alerting" && typeof r.name === "string")
      .map((r) => ({ name: r.name as string, forSeconds: Number(r.duration ?? 0) })),
  );
}

/** Pure: the URL of a range query against `base` (http://<pod IP>:9090). */
export function rangeQueryUrl(base: string, q: RangeQuery): string {
  const params = new URLSearchParams({
    query: q.expr,
    start: String(q.start),
    end: String(q.end),
    step: `${q.stepSeconds}s`,
  });
  return `${base}/api/v1/query_range?${params}`;
}

export class PrometheusApi {
  constructor(
    /** http://<pod IP>:<port>: the pod inside the project's cluster, never anything else. */
    readonly base: string,
    private readonly timeoutMs = 10_000,
  ) {}

  query(expr: string): Promise<VectorSample[]> {
    return this.get(`${this.base}/api/v1/query?${new URLSearchParams({ query: expr })}`).then(vectorOf);
  }

  queryRange(q: RangeQuery): Promise<MatrixSeries[]> {
    return this.get(rangeQueryUrl(this.base, q)).then(matrixOf);
  }

  alerts(): Promise<ActiveAlert[]> {
    return this.get(`${this.base}/api/v1/alerts`).then(activeAlertsOf);
  }

  alertRules(): Promise<AlertRule[]> {
    return this.get(`${this.base}/api/v1/rules?type=alert`).then(alertRulesOf);
  }

  private async get(url: string): Promise<Json> {
    const res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    // Prometheus answers errors (400, 422, 503) with the same JSON envelope: the parsers name them.
    return res.json();
  }
}
