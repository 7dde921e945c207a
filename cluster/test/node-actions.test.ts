// The cluster tier: a node acted on as a whole (`npm run cluster:node -- <action> <node>`, what issue 22's faults
// use), seen from a pod on the first node talking to a web server on the last: freezing the node's cgroup stops its
// server from answering until it is thawed; cutting its interface cuts it off until restored; stopping it kills
// every process of it and starting it boots its pods again; removing it takes its Node object, and a node joined in
// its place is a new, empty one that becomes Ready.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
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

jest.setTimeout(600_000);

const ns = `cluster-node-actions-${process.pid}`;
let image = "";
let target = "";
let targetNumber = "";
let client = "";

const apply = (obj: unknown) => mustKubectl(["apply", "-f", "-"], JSON.stringify(obj));
const webIp = () => mustKubectl(["-n", ns, "get", "pod", "web", "-o", "jsonpath={.status.podIP}"]).trim();
const reachable = () => {
  const ip = kubectl(["-n", ns, "get", "pod", "web", "-o", "jsonpath={.status.podIP}"]).out.trim();
  return /^10\.244\./.test(ip) && httpFrom(ns, "client", ip);
};
const node = (action: string) => {
  const r = clusterCli(["node", action, targetNumber]);
  if (r.code !== 0) throw new Error(`cluster node ${action} ${targetNumber} exited ${r.code}: ${r.out}`);
  return r.out;
};
/** The processes in the node's cgroup (pids hierarchy, every level): its daemons, shims and pods. */
const nodeProcesses = (dir = `/sys/fs/cgroup/pids/mp-cluster/${target}`): number => {
  const own = readFileSync(join(dir, "cgroup.procs"), "utf8")
    .split("\n")
    .filter((l) => l !== "").length;
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .reduce((sum, e) => sum + nodeProcesses(join(dir, e.name)), own);
};
const freezerState = () => readFileSync(`/sys/fs/cgroup/freezer/mp-cluster/${target}/freezer.state`, "utf8").trim();

beforeAll(async () => {
  requireCluster();
  const nodes = clusterNodes().map((n) => n.name);
  if (nodes.length < 2) throw new Error(`these tests need 2 nodes or more; the cluster has ${nodes.length}`);
  client = nodes[0] ?? "";
  target = nodes[nodes.length - 1] ?? "";
  targetNumber = target.replace(/^cluster-node-/, "");
  const found = ctrImages().find((i) => i.startsWith("localhost/toolbox:"));
  if (!found) throw new Error("the toolbox image is not in containerd: run `npm run cluster:up`");
  image = found;
  mustKubectl(["create", "namespace", ns]);
  apply(toolboxPod(ns, "client", client, image, ["sleep", "3600"]));
  apply(toolboxPod(ns, "web", target, image, ["httpd", "-f", "-p", "8080", "-h", "/www"]));
  mustKubectl(
    ["-n", ns, "wait", "--for=condition=Ready", "pod/client", "pod/web", "--timeout=120s"],
    undefined,
    130_000,
  );
  await within(15_000, "web reachable from client", reachable);
});

afterAll(() => {
  // Whatever a failed test left: the node thawed, connected and running again.
  clusterCli(["node", "thaw", targetNumber]);
  clusterCli(["node", "restore", targetNumber]);
  kubectl(["delete", "namespace", ns, "--wait=false"]);
});

test("freezing a node stops its pods from answering; thawing it brings them back", async () => {
  node("freeze");
  expect(freezerState()).toBe("FROZEN");
  const stopped = await within(10_000, "frozen node's server silent", () => !reachable());
  // Still silent a moment later: the whole node, not a blip.
  expect(reachable()).toBe(false);
  node("thaw");
  expect(freezerState()).toBe("THAWED");
  const back = await within(30_000, "thawed node's server answers", reachable);
  process.stdout.write(`freeze: silent after ${stopped} ms; thaw: answering after ${back} ms\n`);
});

test("cutting a node's interface cuts its pods off; restoring it reconnects them", async () => {
  node("cut");
  const cut = await within(10_000, "cut node's server unreachable", () => !reachable());
  expect(reachable()).toBe(false);
  node("restore");
  const back = await within(30_000, "restored node's server answers", reachable);
  process.stdout.write(`cut: unreachable after ${cut} ms; restore: answering after ${back} ms\n`);
});

test("stopping a node kills every process of it; starting it boots its pods again", async () => {
  expect(nodeProcesses()).toBeGreaterThan(0);
  const restartsBefore = mustKubectl([
    "-n",
    ns,
    "get",
    "pod",
    "web",
    "-o",
    "jsonpath={.status.containerStatuses[0].restartCount}",
  ]);
  node("stop");
  expect(nodeProcesses()).toBe(0);
  expect(reachable()).toBe(false);
  node("start");
  const back = await within(120_000, "started node's server answers", reachable);
  const restartsAfter = mustKubectl([
    "-n",
    ns,
    "get",
    "pod",
    "web",
    "-o",
    "jsonpath={.status.containerStatuses[0].restartCount}",
  ]);
  expect(Number(restartsAfter)).toBeGreaterThan(Number(restartsBefore));
  process.stdout.write(`start: node's server answering ${back} ms after start returned (${webIp()})\n`);
});

test("removing a node deletes its Node object; a node joined in its place is new, empty and Ready", async () => {
  const uidBefore = mustKubectl(["get", "node", target, "-o", "jsonpath={.metadata.uid}"]).trim();
  node("remove");
  expect(kubectl(["get", "node", target]).code).not.toBe(0);
  expect(clusterNodes().map((n) => n.name)).not.toContain(target);
  node("join");
  const joined = clusterNodes().find((n) => n.name === target);
  expect(joined?.ready).toBe(true);
  expect(mustKubectl(["get", "node", target, "-o", "jsonpath={.metadata.uid}"]).trim()).not.toBe(uidBefore);
  // Empty: the old node's web pod is gone with it (never rescheduled: a bare pod), only DaemonSet pods land.
  await within(120_000, "the removed node's pod deleted", () => kubectl(["-n", ns, "get", "pod", "web"]).code !== 0);
  const onNode = mustKubectl([
    "get",
    "pods",
    "-A",
    "--field-selector",
    `spec.nodeName=${target}`,
    "-o",
    'jsonpath={range .items[*]}{.metadata.name} {.metadata.ownerReferences[0].kind}{"\\n"}{end}',
  ]);
  // DaemonSet pods by their owner, not their names: kube-router and (since it became a DaemonSet) CoreDNS.
  expect(
    onNode
      .split("\n")
      .filter((l) => l !== "" && !l.endsWith(" DaemonSet"))
      .map((l) => l.split(" ")[0]),
  ).toEqual([]);
  // Its disks are new too: the node's own volumes, Available.
  const pvs = mustKubectl([
    "get",
    "pv",
    "-l",
    `messaging-platform.io/cluster-node=${target}`,
    "-o",
    'jsonpath={range .items[*]}{.status.phase}{"\\n"}{end}',
  ]);
  expect(
    pvs
      .split("\n")
      .filter((l) => l !== "")
      .every((p) => p === "Available"),
  ).toBe(true);
});
