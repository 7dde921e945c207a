// The charts' `lookup` against a live cluster: with a cluster reachable, an unsafe scale-down is still refused (the
// guard reads the running StatefulSet), and `lookup.enabled: false` renders as `helm template` does without one
// (what Pulumi's render platform sets). Runs `helm template --dry-run=server` against the cluster of `cluster:up`.
import { requireTool, run } from "../../toolchain/src/exec";
import { repoRoot, toolPaths } from "../../toolchain/src/paths";
import { clusterPaths } from "../paths";
import { mustKubectl, requireCluster } from "./kube";

jest.setTimeout(180_000);

const ns = `chart-lookup-${process.pid}`;

/** A StatefulSet standing in for a running broker pool of `replicas` (pause containers: the guard reads its spec). */
const brokers = (name: string, replicas: number) => ({
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name, namespace: ns },
  spec: {
    replicas,
    serviceName: name,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: "broker", image: "localhost/pause:3.10", imagePullPolicy: "Never" }] },
    },
  },
});

function helmServerTemplate(chart: string, sets: string[]) {
  return run(requireTool("helm", toolPaths.helm), [
    "template",
    chart.split("/").pop() as string,
    `${repoRoot}/${chart}`,
    "--namespace",
    ns,
    "--dry-run=server",
    "--kubeconfig",
    clusterPaths.kubeconfig,
    ...sets.flatMap((s) => ["--set", s]),
  ]);
}

beforeAll(() => {
  requireCluster();
  mustKubectl(["create", "namespace", ns]);
  for (const [name, replicas] of [
    ["kafka-broker", 4],
    ["rabbitmq", 5],
  ] as const) {
    mustKubectl(["apply", "-f", "-"], JSON.stringify(brokers(name, replicas)));
  }
});
afterAll(() => {
  mustKubectl(["delete", "namespace", ns, "--wait=false"]);
});

describe("the charts' lookup with a cluster reachable", () => {
  it("Kafka refuses to scale the broker pool down from what runs", () => {
    const r = helmServerTemplate("charts/kafka", ["brokers.replicas=3"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("refusing to scale brokers down from 4 to 3");
  });

  it("RabbitMQ refuses to scale down from what runs", () => {
    const r = helmServerTemplate("charts/rabbitmq", ["replicas=3"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("refusing to scale RabbitMQ down from 5 to 3");
  });

  it("with lookup.enabled=false both render as helm template does without a cluster", () => {
    expect(helmServerTemplate("charts/kafka", ["brokers.replicas=3", "lookup.enabled=false"]).code).toBe(0);
    expect(helmServerTemplate("charts/rabbitmq", ["replicas=3", "lookup.enabled=false"]).code).toBe(0);
  });
});
