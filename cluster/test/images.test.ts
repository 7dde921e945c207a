// The cluster tier: the images built here are in the node's containerd under versioned tags, and a pod of each
// starts: Kafka prints its version and starts a KRaft node, RabbitMQ answers `rabbitmq-diagnostics ping`, the
// smoke-gate runner runs its Node, Prometheus prints its version, and every pod's sandbox is the pause image built here.
import { version } from "../../toolchain/src/paths";
import { ctrImages, kubectl, mustKubectl, requireCluster, within } from "./kube";

jest.setTimeout(300_000);

const ns = `cluster-images-${process.pid}`;
const kafka = `localhost/kafka:${version("KAFKA_VERSION")}`;
const rabbitmq = `localhost/rabbitmq:${version("RABBITMQ_VERSION")}-management`;
const runner = "docker.io/messaging-platform/smoke-gate:0.1.0";
const pause = `localhost/pause:${version("PAUSE_VERSION")}`;
const prometheus = `localhost/prometheus:${version("PROMETHEUS_VERSION")}`;

const pod = (name: string, image: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: ns },
  spec: {
    terminationGracePeriodSeconds: 0,
    restartPolicy: "Never",
    containers: [{ name, image, imagePullPolicy: "Never", ...spec }],
  },
});
const apply = (obj: unknown) => mustKubectl(["apply", "-f", "-"], JSON.stringify(obj));
const logs = (name: string) => kubectl(["-n", ns, "logs", name]).out;

beforeAll(() => {
  requireCluster();
  mustKubectl(["create", "namespace", ns]);
});

afterAll(() => {
  kubectl(["delete", "namespace", ns, "--wait=false"]);
});

test("containerd lists the images built here, every one with a versioned tag", () => {
  const images = ctrImages();
  for (const want of [
    pause,
    `localhost/coredns:${version("COREDNS_VERSION")}`,
    `localhost/kube-router:${version("KUBE_ROUTER_VERSION")}`,
    kafka,
    rabbitmq,
    prometheus,
    runner,
  ]) {
    expect(images).toContain(want);
  }
  expect(images.filter((i) => i.endsWith(":latest"))).toEqual([]);
});

test("a Kafka pod prints its version and starts a KRaft node (the image's default command)", async () => {
  apply(pod("kafka", kafka, { env: [{ name: "KAFKA_HEAP_OPTS", value: "-Xmx256m" }] }));
  await within(180_000, "Kafka Server started", () => logs("kafka").includes("Kafka Server started"));
  expect(logs("kafka")).toContain(`Kafka version: ${version("KAFKA_VERSION")}`);
  const v = mustKubectl(["-n", ns, "exec", "kafka", "--", "/opt/kafka/bin/kafka-topics.sh", "--version"]);
  expect(v).toContain(version("KAFKA_VERSION"));
});

test("a RabbitMQ pod answers rabbitmq-diagnostics ping", async () => {
  apply(pod("rabbitmq", rabbitmq, { securityContext: { runAsUser: 999, runAsGroup: 999 } }));
  await within(180_000, "rabbitmq-diagnostics ping", () => {
    const r = kubectl(["-n", ns, "exec", "rabbitmq", "--", "rabbitmq-diagnostics", "-q", "ping"], undefined, 30_000);
    return r.code === 0;
  });
  const v = mustKubectl(["-n", ns, "exec", "rabbitmq", "--", "rabbitmqctl", "version"]);
  expect(v).toContain(version("RABBITMQ_VERSION").split(".").slice(0, 2).join("."));
});

test("a pod of the smoke-gate runner image runs its Node", async () => {
  apply(pod("runner", runner, { command: ["node", "--version"] }));
  await within(120_000, "runner pod done", () => logs("runner").includes(`v${version("NODE_VERSION")}`));
});

test("a Prometheus pod runs the toolchain's build of the server (no shell in the image: the binary itself)", async () => {
  apply(pod("prometheus", prometheus, { command: ["/bin/prometheus", "--version"] }));
  await within(120_000, "prometheus pod done", () =>
    logs("prometheus").includes(`prometheus, version ${version("PROMETHEUS_VERSION")}`),
  );
});
