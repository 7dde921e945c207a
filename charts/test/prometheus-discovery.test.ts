// charts/prometheus's scrape config on the real Prometheus (the toolchain's build), against a stand-in Kubernetes API
// on loopback that serves the pods a Kafka and a RabbitMQ release run: the chart's relabelings, not a reading of them,
// decide which pods become targets and with which labels. The rendered prometheus.yml is used as it is, with only
// `api_server` added (in the cluster it is the in-cluster default) and the metrics ports moved to free loopback ports
// (every pod's address is 127.0.0.1, so a scrape reaches nothing but a closed port on this machine).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, createServer as createTcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { toolPaths } from "../../toolchain/src/paths";
import { type Any, render } from "./support";

jest.setTimeout(120_000);

const fullname = "mp-prometheus";

/** A port nothing listens on now (bound, then closed). */
async function freePort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

interface PodSpec {
  namespace: string;
  name: string;
  release: string;
  phase: string;
  container: string;
  ports: { name: string; containerPort: number }[];
}

function podObject(p: PodSpec) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: p.name,
      namespace: p.namespace,
      uid: `uid-${p.namespace}-${p.name}`,
      resourceVersion: "1",
      labels: { "app.kubernetes.io/instance": p.release, "app.kubernetes.io/name": p.container },
    },
    spec: {
      nodeName: "node-1",
      containers: [{ name: p.container, image: "x", ports: p.ports.map((x) => ({ ...x, protocol: "TCP" })) }],
    },
    status: {
      phase: p.phase,
      podIP: "127.0.0.1",
      hostIP: "127.0.0.1",
      conditions: [{ type: "Ready", status: "True" }],
    },
  };
}

/** The stand-in API: lists the pods of a namespace, holds watches open, and records every request it gets. */
function fakeApi(pods: PodSpec[], requests: string[]): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    requests.push(`${req.method} ${url.pathname}${url.searchParams.get("watch") === "true" ? " (watch)" : ""}`);
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(url.pathname);
    if (req.method !== "GET" || m === null) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"kind":"Status","code":404}');
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    const items = pods.filter((p) => p.namespace === m[1]).map(podObject);
    if (url.searchParams.get("watch") !== "true") {
      res.end(JSON.stringify({ apiVersion: "v1", kind: "PodList", metadata: { resourceVersion: "1" }, items }));
      return;
    }
    // client-go's streaming list (WatchList): the current pods as ADDED events, then the bookmark that ends them.
    if (url.searchParams.get("sendInitialEvents") === "true") {
      for (const object of items) res.write(`${JSON.stringify({ type: "ADDED", object })}\n`);
      const end = { resourceVersion: "1", annotations: { "k8s.io/initial-events-end": "true" } };
      res.write(`${JSON.stringify({ type: "BOOKMARK", object: { apiVersion: "v1", kind: "Pod", metadata: end } })}\n`);
    }
    // Held open: no change to report.
  });
}

let server: Server | undefined;
let prometheus: ChildProcess | undefined;
let dir = "";
afterAll(async () => {
  prometheus?.kill("SIGTERM");
  if (server) await new Promise((r) => server?.close(r));
  server?.closeAllConnections();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("the chart's relabelings, run by Prometheus: each broker pod's metrics port is a target labelled as its PodMonitor would; other pods, ports and finished pods are dropped; only pods are read", async () => {
  const kafkaPort = await freePort();
  const rabbitmqPort = await freePort();
  const pods: PodSpec[] = [
    ...[0, 1].map((i) => ({
      namespace: "kafka",
      name: `kafka-${i}`,
      release: "kafka",
      phase: "Running",
      container: "kafka",
      ports: [
        { name: "client", containerPort: 9092 },
        { name: "tcp-prometheus", containerPort: kafkaPort },
      ],
    })),
    // A finished pod (a declaration Job's) with the same port: dropped.
    {
      namespace: "kafka",
      name: "kafka-topics-job",
      release: "kafka",
      phase: "Succeeded",
      container: "kafka",
      ports: [{ name: "tcp-prometheus", containerPort: kafkaPort }],
    },
    // Right number, wrong name: not the JMX exporter.
    {
      namespace: "kafka",
      name: "other-0",
      release: "other",
      phase: "Running",
      container: "other",
      ports: [{ name: "metrics", containerPort: kafkaPort }],
    },
    {
      namespace: "rabbitmq",
      name: "rabbitmq-0",
      release: "rabbitmq",
      phase: "Running",
      container: "rabbitmq",
      ports: [
        { name: "amqp", containerPort: 5672 },
        { name: "prometheus", containerPort: rabbitmqPort },
      ],
    },
  ];
  const requests: string[] = [];
  server = fakeApi(pods, requests);
  await new Promise<void>((r) => server?.listen(0, "127.0.0.1", r));
  const apiServer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const cm = render("prometheus", [], [`kafka.port=${kafkaPort}`, `rabbitmq.port=${rabbitmqPort}`]).get(
    "ConfigMap",
    `${fullname}-config`,
  );
  const config = parse(cm.data["prometheus.yml"]);
  for (const job of config.scrape_configs as Any[]) {
    for (const sd of job.kubernetes_sd_configs as Any[]) sd.api_server = apiServer;
  }
  dir = mkdtempSync(join(tmpdir(), "prometheus-discovery-"));
  writeFileSync(join(dir, "prometheus.yml"), stringify(config));
  const web = await freePort();
  prometheus = spawn(
    toolPaths.prometheus,
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${web}`,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  prometheus.stderr?.on("data", (b: Buffer) => {
    log += b.toString();
  });

  const want = 4; // two Kafka pods, and the RabbitMQ pod under both of its jobs
  let targets: Any = { activeTargets: [], droppedTargets: [] };
  const t0 = Date.now();
  while (targets.activeTargets.length < want) {
    if (Date.now() - t0 > 60_000)
      throw new Error(
        `not ${want} active targets within 60 s: ${JSON.stringify(targets)}\nAPI requests: ${requests.join(", ")}\nPrometheus: ${log.slice(-3000)}`,
      );
    await new Promise((r) => setTimeout(r, 500));
    try {
      const res = await fetch(`http://127.0.0.1:${web}/api/v1/targets`);
      if (res.ok) targets = ((await res.json()) as Any).data;
    } catch {
      // not listening yet
    }
  }

  const active = (targets.activeTargets as Any[])
    .map((t) => ({ ...t.labels, scrapeUrl: t.scrapeUrl }))
    .sort((a, b) => (`${a.job} ${a.pod}` < `${b.job} ${b.pod}` ? -1 : 1));
  const labels = (job: string, ns: string, pod: string, container: string, endpoint: string, port: number) => ({
    job,
    namespace: ns,
    pod,
    container,
    endpoint,
    release: ns,
    instance: `127.0.0.1:${port}`,
  });
  expect(active).toEqual([
    {
      ...labels("kafka", "kafka", "kafka-0", "kafka", "tcp-prometheus", kafkaPort),
      scrapeUrl: `http://127.0.0.1:${kafkaPort}/metrics`,
    },
    {
      ...labels("kafka", "kafka", "kafka-1", "kafka", "tcp-prometheus", kafkaPort),
      scrapeUrl: `http://127.0.0.1:${kafkaPort}/metrics`,
    },
    {
      ...labels("rabbitmq", "rabbitmq", "rabbitmq-0", "rabbitmq", "prometheus", rabbitmqPort),
      scrapeUrl: `http://127.0.0.1:${rabbitmqPort}/metrics`,
    },
    {
      ...labels("rabbitmq-detailed", "rabbitmq", "rabbitmq-0", "rabbitmq", "prometheus", rabbitmqPort),
      scrapeUrl: `http://127.0.0.1:${rabbitmqPort}/metrics/detailed?family=queue_coarse_metrics`,
    },
  ]);
  // Every other container port of those namespaces was discovered and dropped (4 in kafka, 1 in rabbitmq, twice).
  expect(targets.droppedTargets.length).toBeGreaterThanOrEqual(4);
  // What the Role grants is what discovery used: pods in the two namespaces, listed and watched, nothing else.
  const read = [...new Set(requests.map((r) => r.replace(/ \(watch\)$/, "")))].sort();
  expect(read).toEqual(["GET /api/v1/namespaces/kafka/pods", "GET /api/v1/namespaces/rabbitmq/pods"]);
});
