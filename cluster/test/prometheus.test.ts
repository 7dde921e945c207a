// The cluster tier, after the cluster stack is deployed (`npm run deploy -- --stack cluster`, whose gate sends traffic
// through both brokers): the Prometheus of charts/prometheus runs the image built here, discovers every broker pod and
// scrapes it with the labels the brokers' PodMonitors give, evaluates the broker charts' rule files, and every query
// of every dashboard panel returns at least one series, so no panel is blank. Queries run inside the Prometheus pod
// (`promtool query instant` against 127.0.0.1): no port is opened to this machine.

import {
  chartDashboards,
  type Dashboard,
  labelValuesQuery,
  panelQueries,
  substitute,
} from "../../charts/test/dashboards";
import { exampleSettings } from "../../infra/test/stacks";
import { version } from "../../toolchain/src/paths";
import { mustKubectl, requireCluster, within } from "./kube";

jest.setTimeout(600_000);

const s = exampleSettings("cluster");
const prometheus = s.monitoring.prometheus;
/** Grafana's variables as a user picks them for this stack's clusters. */
const releases = {
  kafka: { namespace: s.kafka.namespace, release: s.kafka.release },
  rabbitmq: { namespace: s.rabbitmq.namespace, release: s.rabbitmq.release },
};
/** How long a query may stay empty after the deploy: rate() needs two samples in its 1m window (4 scrapes of 15 s). */
const seriesTimeoutMs = 180_000;

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

let pod = "";

/** promtool in the Prometheus pod's own container: no port of it is opened to this machine. */
function promtool(args: string[], timeoutMs?: number): string {
  return mustKubectl(
    ["-n", prometheus.namespace, "exec", pod, "-c", "prometheus", "--", "promtool", ...args],
    undefined,
    timeoutMs,
  );
}

function query(expr: string): Sample[] {
  const out = promtool(["query", "instant", "-o", "json", "http://127.0.0.1:9090", expr], 30_000);
  return JSON.parse(out) as Sample[];
}

/** Retries the queries that came back empty until none is or the time is up; returns the ones still empty. */
async function stillEmpty(queries: { where: string; expr: string }[], timeoutMs: number): Promise<string[]> {
  const t0 = Date.now();
  let empty = queries;
  for (;;) {
    empty = empty.filter((q) => query(q.expr).length === 0);
    if (empty.length === 0 || Date.now() - t0 > timeoutMs) return empty.map((q) => `${q.where}: ${q.expr}`);
    await new Promise((r) => setTimeout(r, 15_000));
  }
}

/** Polls fn every 5 s (each poll is a kubectl exec) until it returns true; throws after timeoutMs, naming what. */
async function until(timeoutMs: number, what: string, fn: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!fn()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5_000));
  }
}

/** The broker pods of a release that expose a container port of this name. */
function brokerPods(namespace: string, release: string, portName: string): string[] {
  const list = JSON.parse(
    mustKubectl(["-n", namespace, "get", "pods", "-l", `app.kubernetes.io/instance=${release}`, "-o", "json"]),
  ) as { items: { metadata: { name: string }; spec: { containers: { ports?: { name?: string }[] }[] } }[] };
  return list.items
    .filter((p) => p.spec.containers.some((c) => (c.ports ?? []).some((port) => port.name === portName)))
    .map((p) => p.metadata.name)
    .sort();
}

beforeAll(async () => {
  requireCluster();
  expect(prometheus.enabled).toBe(true);
  await within(180_000, `a Ready Prometheus pod in namespace ${prometheus.namespace}`, () => {
    const list = JSON.parse(
      mustKubectl([
        "-n",
        prometheus.namespace,
        "get",
        "pods",
        "-l",
        `app.kubernetes.io/name=prometheus,app.kubernetes.io/instance=${prometheus.release}`,
        "-o",
        "json",
      ]),
    ) as { items: { metadata: { name: string }; status: { conditions?: { type: string; status: string }[] } }[] };
    const ready = list.items.filter((p) => p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
    pod = ready[0]?.metadata.name ?? "";
    return ready.length === 1;
  });
});

test("Prometheus runs the image built here at the toolchain's version, with its mounted config and both rule files", () => {
  const spec = JSON.parse(mustKubectl(["-n", prometheus.namespace, "get", "pod", pod, "-o", "json"])).spec;
  expect(spec.containers[0].image).toBe(`localhost/prometheus:${version("PROMETHEUS_VERSION")}`);
  const check = promtool(["check", "config", "/etc/prometheus/prometheus.yml"]);
  expect(check).toContain("SUCCESS: 2 rule files found");
  expect(check).toContain("is valid prometheus config file syntax");
});

describe.each([
  ["kafka", releases.kafka, "tcp-prometheus"],
  ["rabbitmq", releases.rabbitmq, "prometheus"],
  ["rabbitmq-detailed", releases.rabbitmq, "prometheus"],
])("job %s", (job, { namespace, release }, portName) => {
  test("every broker pod is a target that is up, labelled job, namespace, release, pod and container", async () => {
    const pods = brokerPods(namespace, release, portName);
    expect(pods.length).toBeGreaterThan(0);
    let up: Sample[] = [];
    await until(seriesTimeoutMs, `up{job="${job}"} == 1 for all of ${pods.join(", ")}`, () => {
      up = query(`up{job="${job}"}`);
      return up.length === pods.length && up.every((x) => x.value[1] === "1");
    });
    expect(up.map((x) => x.metric.pod).sort()).toEqual(pods);
    for (const x of up) {
      expect(x.metric).toMatchObject({ job, namespace, release, container: expect.any(String), endpoint: portName });
    }
  });
});

test("the rule files are evaluated: the RabbitMQ chart's recording rule has series for the declared quorum queues", async () => {
  const empty = await stillEmpty(
    [{ where: "charts/rabbitmq files/alerts.yaml", expr: "queue:rabbitmq_quorum_queue_members_online:count" }],
    seriesTimeoutMs,
  );
  expect(empty).toEqual([]);
});

describe.each([
  ["kafka", releases.kafka],
  ["rabbitmq", releases.rabbitmq],
])("%s dashboards", (chart, variables) => {
  const dashboards: Dashboard[] = chartDashboards(chart).map((d) => d.dashboard);

  test("each variable's label_values query offers this stack's namespace and release", () => {
    for (const d of dashboards) {
      for (const v of d.templating.list) {
        const q = labelValuesQuery(v);
        if (q === undefined) continue;
        const offered = query(substitute(q.expr, { ...variables })).map((x) => x.metric[q.label]);
        expect({ variable: v.name, offered: offered.includes(variables[v.name as keyof typeof variables]) }).toEqual({
          variable: v.name,
          offered: true,
        });
      }
    }
  });

  test("every panel's query returns at least one series: no panel is blank", async () => {
    const queries = dashboards.flatMap((d) =>
      panelQueries(d).map((q) => ({ where: q.where, expr: substitute(q.expr, { ...variables }) })),
    );
    expect(queries.length).toBeGreaterThan(10);
    expect(await stillEmpty(queries, seriesTimeoutMs)).toEqual([]);
  });
});
