// The cluster tier, across nodes: every node is Ready in its own zone under its own name; a pod on every node
// resolves names through CoreDNS; pods reach each other across nodes; a Service whose pod runs on the last node is
// reached from the first; a NetworkPolicy denies that across nodes and deleting it restores it. And `cluster up`'s
// --nodes is checked before anything runs: out of range is refused, another size than the running one says how to
// resize and changes nothing.
import { readFileSync } from "node:fs";
import { clusterPaths } from "../paths";
import {
  clusterCli,
  clusterNodes,
  ctrImages,
  httpFrom,
  kubectl,
  mustKubectl,
  requireCluster,
  toolboxPod,
  within,
} from "./kube";

jest.setTimeout(300_000);

const ns = `cluster-nodes-${process.pid}`;
/** How long a policy may take to cut or restore a connection ("within a few seconds"). */
const POLICY_MS = 15_000;

let size = 0;
let nodes: string[] = [];
const first = () => nodes[0];
const last = () => nodes[nodes.length - 1];
const podIps: Record<string, string> = {};
let serviceIp = "";

const apply = (obj: unknown) => mustKubectl(["apply", "-f", "-"], JSON.stringify(obj));

beforeAll(() => {
  requireCluster();
  size = Number(readFileSync(clusterPaths.size, "utf8").trim());
  nodes = clusterNodes().map((n) => n.name);
  if (nodes.length < 2) throw new Error(`these tests need 2 nodes or more; the cluster has ${nodes.length}`);
  const image = ctrImages().find((i) => i.startsWith("localhost/toolbox:"));
  if (!image) throw new Error("the toolbox image is not in containerd: run `npm run cluster:up`");
  mustKubectl(["create", "namespace", ns]);
  // One web server on every node (each also the client of the others).
  nodes.forEach((node, i) => {
    apply(toolboxPod(ns, `web-${i + 1}`, node, image, ["httpd", "-f", "-p", "8080", "-h", "/"]));
  });
  apply({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "last", namespace: ns },
    spec: { selector: { app: `web-${nodes.length}` }, ports: [{ port: 8080, targetPort: 8080 }] },
  });
  const pods = nodes.map((_, i) => `pod/web-${i + 1}`);
  mustKubectl(["-n", ns, "wait", "--for=condition=Ready", ...pods, "--timeout=120s"], undefined, 130_000);
  nodes.forEach((_, i) => {
    podIps[`web-${i + 1}`] = mustKubectl([
      "-n",
      ns,
      "get",
      "pod",
      `web-${i + 1}`,
      "-o",
      "jsonpath={.status.podIP}",
    ]).trim();
  });
  serviceIp = mustKubectl(["-n", ns, "get", "service", "last", "-o", "jsonpath={.spec.clusterIP}"]).trim();
});

afterAll(() => {
  kubectl(["delete", "namespace", ns, "--wait=false"]);
});

test("every node is Ready, named as its host, with its own address, in zones spread over three", () => {
  const live = clusterNodes();
  expect(live).toHaveLength(size);
  for (const n of live) {
    expect(n.ready).toBe(true);
    expect(n.hostnameLabel).toBe(n.name);
  }
  expect(new Set(live.map((n) => n.internalIp)).size).toBe(size);
  expect(new Set(live.map((n) => n.zone)).size).toBe(Math.min(size, 3));
  expect(live.every((n) => /^zone-[abc]$/.test(n.zone))).toBe(true);
});

test("every pod runs on the node it was placed on, with an address of that node's pod range", () => {
  nodes.forEach((node, i) => {
    const spec = mustKubectl(["-n", ns, "get", "pod", `web-${i + 1}`, "-o", "jsonpath={.spec.nodeName}"]).trim();
    expect(spec).toBe(node);
    const cidr = mustKubectl(["get", "node", node, "-o", "jsonpath={.spec.podCIDR}"]).trim();
    expect(cidr).toMatch(/^10\.244\.\d+\.0\/24$/);
    expect(podIps[`web-${i + 1}`].startsWith(cidr.replace(/0\/24$/, ""))).toBe(true);
  });
});

test("a pod on every node resolves a Service name and the API's name through CoreDNS", () => {
  nodes.forEach((_, i) => {
    const r = kubectl(["-n", ns, "exec", `web-${i + 1}`, "--", "nslookup", `last.${ns}.svc.cluster.local`]);
    expect(`web-${i + 1}: ${r.out}`).toContain(serviceIp);
    const api = kubectl(["-n", ns, "exec", `web-${i + 1}`, "--", "nslookup", "kubernetes.default.svc.cluster.local"]);
    expect(`web-${i + 1}: ${api.out}`).toContain("10.96.0.1");
  });
});

test("pods reach each other across nodes, every pair, by pod IP", () => {
  const failed: string[] = [];
  nodes.forEach((_, i) => {
    nodes.forEach((__, j) => {
      if (i !== j && !httpFrom(ns, `web-${i + 1}`, podIps[`web-${j + 1}`])) failed.push(`web-${i + 1} → web-${j + 1}`);
    });
  });
  expect(failed).toEqual([]);
});

test("a Service whose pod runs on the last node is reached from the first node, by name and ClusterIP", () => {
  expect(httpFrom(ns, "web-1", "last")).toBe(true);
  expect(httpFrom(ns, "web-1", serviceIp)).toBe(true);
  expect(first()).not.toBe(last());
});

test("a NetworkPolicy denying ingress to the last node's pod cuts the first node's client off; deleting it restores", async () => {
  const target = podIps[`web-${nodes.length}`];
  expect(httpFrom(ns, "web-1", target)).toBe(true);
  apply({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "deny-ingress", namespace: ns },
    spec: { podSelector: { matchLabels: { app: `web-${nodes.length}` } }, policyTypes: ["Ingress"] },
  });
  const cut = await within(
    POLICY_MS,
    "deny-ingress across nodes: connection refused",
    () => !httpFrom(ns, "web-1", target),
  );
  expect(httpFrom(ns, "web-1", "last")).toBe(false);
  mustKubectl(["-n", ns, "delete", "networkpolicy", "deny-ingress"]);
  const restored = await within(POLICY_MS, "deny-ingress deleted: connection works again", () =>
    httpFrom(ns, "web-1", target),
  );
  process.stdout.write(`deny-ingress across nodes: cut after ${cut} ms, restored ${restored} ms after deletion\n`);
});

test("cluster up refuses --nodes 0, 9 and abc with the allowed range, and another size than the running one", () => {
  for (const bad of ["0", "9", "abc"]) {
    const r = clusterCli(["up", "--nodes", bad], 30_000);
    expect(r.code).toBe(2);
    expect(r.out).toContain(`--nodes must be a whole number from 1 to 5 (got: ${bad})`);
  }
  const other = size === 1 ? 2 : size - 1;
  const r = clusterCli(["up", "--nodes", String(other)], 30_000);
  expect(r.code).toBe(2);
  expect(r.out).toContain(
    `a ${size}-node cluster is running; to resize it to ${other} nodes: npm run cluster:down, then npm run cluster:up -- --nodes ${other}`,
  );
  expect(clusterNodes()).toHaveLength(size);
});
