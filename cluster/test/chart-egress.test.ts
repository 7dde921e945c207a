// Least-privilege egress, enforced: the RabbitMQ chart's own NetworkPolicy (rendered by helm, applied unchanged) on
// stand-in pods carrying the chart's pod labels. A node may dial its peer's distribution port and the cluster DNS;
// the same pod's connection to a port the policy does not list, on a pod with no policy of its own (so nothing but
// the node's egress rule can stop it), works before the policy and is dropped after it.
import { parseAllDocuments } from "yaml";
import { requireTool, run } from "../../toolchain/src/exec";
import { repoRoot, toolPaths } from "../../toolchain/src/paths";
import { ctrImages, kubectl, mustKubectl, requireCluster, within } from "./kube";

jest.setTimeout(300_000);

const ns = `chart-egress-${process.pid}`;
const POLICY_MS = 15_000;
const rabbitmqLabels = { "app.kubernetes.io/name": "rabbitmq", "app.kubernetes.io/instance": "rabbitmq" };

const toolbox = () => {
  const ref = ctrImages().find((i) => i.startsWith("localhost/toolbox:"));
  if (!ref) throw new Error("the toolbox image is not in containerd: run `npm run cluster:up`");
  return ref;
};

const pod = (name: string, labels: Record<string, string>, command: string[]) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: ns, labels: { ...labels, app: name } },
  spec: {
    terminationGracePeriodSeconds: 0,
    containers: [{ name, image: toolbox(), imagePullPolicy: "Never", command }],
  },
});

/** One HTTP GET from the stand-in node (busybox nc); true when the server answered. */
const reaches = (host: string, port: number) =>
  kubectl(
    ["-n", ns, "exec", "node", "--", "sh", "-c", `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${host} ${port}`],
    undefined,
    20_000,
  ).out.includes("200 OK");
const resolves = () =>
  kubectl(
    ["-n", ns, "exec", "node", "--", "nslookup", "kubernetes.default.svc.cluster.local"],
    undefined,
    20_000,
  ).out.includes("Address");

/** The chart's NetworkPolicy as `helm template` renders it for a release `rabbitmq` in this namespace. */
function chartPolicy(): unknown {
  const r = run(requireTool("helm", toolPaths.helm), [
    "template",
    "rabbitmq",
    `${repoRoot}/charts/rabbitmq`,
    "--namespace",
    ns,
    "--show-only",
    "templates/networkpolicy.yaml",
    "--set",
    "networkPolicy.enabled=true",
  ]);
  if (r.code !== 0) throw new Error(`helm template: ${r.stderr}`);
  const docs = parseAllDocuments(r.stdout).map((d) => d.toJS());
  const policy = docs.find((d) => d?.kind === "NetworkPolicy");
  if (!policy) throw new Error(`helm rendered no NetworkPolicy:\n${r.stdout}`);
  return policy;
}

let peerIp = "";
let outsiderIp = "";

beforeAll(() => {
  requireCluster();
  mustKubectl(["create", "namespace", ns]);
  const serve = (port: number) => ["httpd", "-f", "-p", String(port), "-h", "/www"];
  for (const p of [
    pod("node", rabbitmqLabels, ["sleep", "3600"]),
    // A peer listening on the distribution port (25672), as a RabbitMQ node does.
    pod("peer", rabbitmqLabels, serve(25672)),
    // Not a RabbitMQ pod, no policy of its own: only the node's egress rule can stop a connection to it.
    pod("outsider", {}, serve(8080)),
  ])
    mustKubectl(["apply", "-f", "-"], JSON.stringify(p));
  mustKubectl(
    ["-n", ns, "wait", "--for=condition=Ready", "pod/node", "pod/peer", "pod/outsider", "--timeout=90s"],
    undefined,
    100_000,
  );
  const ip = (name: string) => mustKubectl(["-n", ns, "get", "pod", name, "-o", "jsonpath={.status.podIP}"]).trim();
  peerIp = ip("peer");
  outsiderIp = ip("outsider");
});

afterAll(() => {
  kubectl(["delete", "namespace", ns, "--wait=false"]);
});

test("the chart's egress rule: the peer's distribution port and DNS stay open, an unlisted port is dropped", async () => {
  // Before: nothing restricts the node.
  expect(reaches(outsiderIp, 8080)).toBe(true);
  expect(reaches(peerIp, 25672)).toBe(true);
  mustKubectl(["apply", "-f", "-"], JSON.stringify(chartPolicy()));
  const cut = await within(
    POLICY_MS,
    "the node's connection to an unlisted port dropped",
    () => !reaches(outsiderIp, 8080),
  );
  // Still dropped a moment later, while what the policy lists stays open.
  expect(reaches(outsiderIp, 8080)).toBe(false);
  expect(reaches(peerIp, 25672)).toBe(true);
  expect(resolves()).toBe(true);
  process.stdout.write(
    `chart egress: an unlisted port dropped ${cut} ms after the policy; the listed peer and DNS open\n`,
  );
});
