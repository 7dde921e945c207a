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
/** One web server pod per node, in node order; each is also the client of the others. */
let webs: { pod: string; node: string; ip: string }[] = [];
let serviceIp = "";
const firstWeb = () => at(0);
const lastWeb = () => at(webs.length - 1);
function at(i: number) {
  const w = webs[i];
  if (!w) throw new Error(`no web pod ${i}`);
  return w;
}

const apply = (obj: unknown) => mustKubectl(["apply", "-f", "-"], JSON.stringify(obj));

beforeAll(() => {
  requireCluster();
  size = Number(readFileSync(clusterPaths.size, "utf8").trim());
  const nodes = clusterNodes().map((n) => n.name);
  if (nodes.length < 2) throw new Error(`these tests need 2 nodes or more; the cluster has ${nodes.length}`);
  const image = ctrImages().find((i) => i.startsWith("localhost/toolbox:"));
  if (!image) throw new Error("the toolbox image is not in containerd: run `npm run cluster:up`");
  mustKubectl(["create", "namespace", ns]);
  webs = nodes.map((node, i) => ({ pod: `web-${i + 1}`, node, ip: "" }));
  for (const w of webs) apply(toolboxPod(ns, w.pod, w.node, image, ["httpd", "-f", "-p", "8080", "-h", "/www"]));
  apply({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "last", namespace: ns },
    spec: { selector: { app: lastWeb().pod }, ports: [{ port: 8080, targetPort: 8080 }] },
  });
  const pods = webs.map((w) => `pod/${w.pod}`);
  mustKubectl(["-n", ns, "wait", "--for=condition=Ready", ...pods, "--timeout=120s"], undefined, 130_000);
  for (const w of webs) {
    w.ip = mustKubectl(["-n", ns, "get", "pod", w.pod, "-o", "jsonpath={.status.podIP}"]).trim();
  }
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
  for (const w of webs) {
    const spec = mustKubectl(["-n", ns, "get", "pod", w.pod, "-o", "jsonpath={.spec.nodeName}"]).trim();
    expect(spec).toBe(w.node);
    const cidr = mustKubectl(["get", "node", w.node, "-o", "jsonpath={.spec.podCIDR}"]).trim();
    expect(cidr).toMatch(/^10\.244\.\d+\.0\/24$/);
    expect(`${w.pod} ${w.ip}`).toBe(`${w.pod} ${cidr.replace(/0\/24$/, "")}${w.ip.split(".")[3]}`);
  }
});

test("a pod on every node resolves a Service name and the API's name through CoreDNS", () => {
  for (const w of webs) {
    const r = kubectl(["-n", ns, "exec", w.pod, "--", "nslookup", `last.${ns}.svc.cluster.local`]);
    expect(`${w.pod}: ${r.out}`).toContain(serviceIp);
    const api = kubectl(["-n", ns, "exec", w.pod, "--", "nslookup", "kubernetes.default.svc.cluster.local"]);
    expect(`${w.pod}: ${api.out}`).toContain("10.96.0.1");
  }
});

test("pods reach each other across nodes, every pair, by pod IP", () => {
  const failed: string[] = [];
  for (const from of webs) {
    for (const to of webs) {
      if (from !== to && !httpFrom(ns, from.pod, to.ip)) failed.push(`${from.pod} → ${to.pod}`);
    }
  }
  expect(failed).toEqual([]);
});

test("a Service whose pod runs on the last node is reached from the first node, by name and ClusterIP", () => {
  expect(firstWeb().node).not.toBe(lastWeb().node);
  expect(httpFrom(ns, firstWeb().pod, "last")).toBe(true);
  expect(httpFrom(ns, firstWeb().pod, serviceIp)).toBe(true);
});

test("a NetworkPolicy denying ingress to the last node's pod cuts the first node's client off; deleting it restores", async () => {
  const from = firstWeb().pod;
  const target = lastWeb().ip;
  expect(httpFrom(ns, from, target)).toBe(true);
  apply({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "deny-ingress", namespace: ns },
    spec: { podSelector: { matchLabels: { app: lastWeb().pod } }, policyTypes: ["Ingress"] },
  });
  const cut = await within(
    POLICY_MS,
    "deny-ingress across nodes: connection refused",
    () => !httpFrom(ns, from, target),
  );
  expect(httpFrom(ns, from, "last")).toBe(false);
  mustKubectl(["-n", ns, "delete", "networkpolicy", "deny-ingress"]);
  const restored = await within(POLICY_MS, "deny-ingress deleted: connection works again", () =>
    httpFrom(ns, from, target),
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
