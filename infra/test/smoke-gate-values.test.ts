// The in-cluster gate's values as the program fills them: the brokers' client ports from the settings, the API
// server's endpoints from the `kubernetes` Service's EndpointSlices, and what charts/smoke-gate's NetworkPolicy then
// allows (helm template of the chart with exactly these values).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { stringify } from "yaml";
import { chartsDir, render } from "../../charts/test/support";
import { apiServerEgress, smokeGateChartValues } from "../values/smoke-gate";

/** The EndpointSlice of this machine's cluster (cluster/: the API server on the node, 10.214.0.1:6443). */
const clusterSlice = {
  addressType: "IPv4",
  endpoints: [{ addresses: ["10.214.0.1"], conditions: { ready: true } }],
  ports: [{ name: "https", port: 6443, protocol: "TCP" }],
};

describe("the API server's endpoints, from the kubernetes Service's EndpointSlices", () => {
  it("this machine's cluster: 10.214.0.1 on 6443 (not the Service's 10.96.0.1:443)", () => {
    expect(apiServerEgress([clusterSlice])).toEqual({ addresses: ["10.214.0.1"], ports: [6443] });
  });

  it("several API servers and slices: each address and TCP port once, sorted", () => {
    const slices = [
      { endpoints: [{ addresses: ["10.0.0.12"] }, { addresses: ["10.0.0.11"] }], ports: [{ port: 443 }] },
      {
        endpoints: [{ addresses: ["10.0.0.11"] }],
        ports: [
          { port: 443, protocol: "TCP" },
          { port: 9999, protocol: "UDP" },
        ],
      },
    ];
    expect(apiServerEgress(slices)).toEqual({ addresses: ["10.0.0.11", "10.0.0.12"], ports: [443] });
  });

  it("no endpoint or no port: an error that says what it was for", () => {
    expect(() => apiServerEgress([])).toThrow(
      "the kubernetes Service (namespace default) has no endpoint address in its EndpointSlices: the in-cluster gate's NetworkPolicy could not allow the API server",
    );
    expect(() => apiServerEgress([{ endpoints: [{ addresses: ["10.0.0.1"] }], ports: [] }])).toThrow("no TCP port");
  });
});

describe("charts/smoke-gate with the program's values: egress to the brokers' client ports, the API server, DNS", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "mp-gate-values-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const rendered = (apiServer?: ReturnType<typeof apiServerEgress>, workers = 1) => {
    const values = smokeGateChartValues(
      { enabled: true, image: "messaging-platform/smoke-gate:0.1.0", namespace: "messaging-smoke" },
      {
        brokerNamespaces: { kafka: "kafka", rabbitmq: "rabbitmq" },
        brokerPorts: { kafka: { client: 9092 }, rabbitmq: { amqp: 5672, management: 15672 } },
        ...(apiServer ? { apiServer } : {}),
        runId: "run-0123456789ab",
        reportsVolume: true,
        workers,
      },
    );
    const file = join(dir, `values-${apiServer ? "cluster" : "render"}-${workers}.yaml`);
    writeFileSync(file, stringify(values));
    // render() takes values files relative to the chart.
    return render("smoke-gate", [relative(join(chartsDir, "smoke-gate"), file)]);
  };
  const egress = (apiServer?: ReturnType<typeof apiServerEgress>) =>
    rendered(apiServer).get("NetworkPolicy", "mp-smoke-gate").spec.egress;
  const ns = (name: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } });

  it("on a cluster: the API server's endpoint, exactly", () => {
    expect(egress(apiServerEgress([clusterSlice]))).toEqual([
      { to: [ns("kafka")], ports: [{ protocol: "TCP", port: 9092 }] },
      {
        to: [ns("rabbitmq")],
        ports: [
          { protocol: "TCP", port: 5672 },
          { protocol: "TCP", port: 15672 },
        ],
      },
      { to: [{ ipBlock: { cidr: "10.214.0.1/32" } }], ports: [{ protocol: "TCP", port: 6443 }] },
      {
        to: [{ ...ns("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
        ports: [
          { protocol: "UDP", port: 53 },
          { protocol: "TCP", port: 53 },
        ],
      },
    ]);
  });

  it("where no cluster is read (the render platform): the API server's ports only", () => {
    expect(egress()[2]).toEqual({
      ports: [
        { protocol: "TCP", port: 443 },
        { protocol: "TCP", port: 6443 },
      ],
    });
  });

  it("gate.workers: with 3 the collector's Service, the workers' policy and their Role; with 1 none of them", () => {
    const names = (workers: number) =>
      rendered(apiServerEgress([clusterSlice]), workers)
        .objects.filter((o) => ["Service", "NetworkPolicy", "Role"].includes(o.kind))
        .map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)
        .sort();
    const withOne = names(1);
    expect(withOne.filter((n) => n.includes("/messaging/"))).toEqual(["NetworkPolicy/messaging/mp-smoke-gate"]);
    expect(names(3)).toEqual(
      [
        ...withOne,
        "NetworkPolicy/messaging/mp-smoke-gate-workers",
        "Role/messaging/mp-smoke-gate-workers",
        "Service/messaging/mp-smoke-gate-collector",
      ].sort(),
    );
  });
});
