// The cluster tier, on the live cluster of `npm run cluster:up`: cluster DNS (CoreDNS) resolves a Service name, a
// client pod reaches a server pod, and NetworkPolicies are enforced (kube-router): a deny-all (ingress and egress) on
// the server cuts the connection within seconds and deleting it restores it; the same for an egress-only deny on
// the client. Everything runs in a namespace of its own, deleted at the end.
import { run } from "../../toolchain/src/exec";
import { ctrImages, kubectl, mustKubectl, requireCluster, within } from "./kube";

jest.setTimeout(300_000);

const ns = `cluster-test-${process.pid}`;
/** How long a policy may take to cut or restore a connection ("within a few seconds"). */
const POLICY_MS = 15_000;

const toolbox = () => {
  const ref = ctrImages().find((i) => i.startsWith("localhost/toolbox:"));
  if (!ref) throw new Error("the toolbox image is not in containerd: run `npm run cluster:up`");
  return ref;
};

const pod = (name: string, image: string, args: string[]) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: ns, labels: { app: name } },
  spec: {
    terminationGracePeriodSeconds: 0,
    containers: [{ name, image, imagePullPolicy: "Never", command: args }],
  },
});

const apply = (obj: unknown) => mustKubectl(["apply", "-f", "-"], JSON.stringify(obj));

/** One HTTP GET from the client pod (busybox nc: its static wget crashes on exit); true when the server answered. */
const fetchFromClient = (host: string) =>
  kubectl(
    ["-n", ns, "exec", "client", "--", "sh", "-c", `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${host} 8080`],
    undefined,
    20_000,
  ).out.includes("200 OK");

let serverIp = "";
let serviceIp = "";

beforeAll(async () => {
  requireCluster();
  const image = toolbox();
  mustKubectl(["create", "namespace", ns]);
  apply(pod("server", image, ["httpd", "-f", "-p", "8080", "-h", "/www"]));
  apply(pod("client", image, ["sleep", "3600"]));
  apply({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "server", namespace: ns },
    spec: { selector: { app: "server" }, ports: [{ port: 8080, targetPort: 8080 }] },
  });
  mustKubectl(
    ["-n", ns, "wait", "--for=condition=Ready", "pod/server", "pod/client", "--timeout=90s"],
    undefined,
    100_000,
  );
  serverIp = mustKubectl(["-n", ns, "get", "pod", "server", "-o", "jsonpath={.status.podIP}"]).trim();
  serviceIp = mustKubectl(["-n", ns, "get", "service", "server", "-o", "jsonpath={.spec.clusterIP}"]).trim();
});

afterAll(() => {
  kubectl(["delete", "namespace", ns, "--wait=false"]);
});

test("a pod resolves a Service name through CoreDNS, and nothing outside the cluster", () => {
  const r = kubectl(["-n", ns, "exec", "client", "--", "nslookup", `server.${ns}.svc.cluster.local`]);
  expect(r.out).toContain(serviceIp);
  // The pod's resolver is the kube-dns Service only, and it has no upstream.
  const conf = mustKubectl(["-n", ns, "exec", "client", "--", "cat", "/etc/resolv.conf"]);
  expect(conf).toMatch(/nameserver 10\.96\.0\.10/);
  expect(conf).not.toMatch(/10\.255\.255\.53/);
  expect(kubectl(["-n", ns, "exec", "client", "--", "nslookup", "example.com"]).code).not.toBe(0);
});

test("a client pod connects to a server pod, by Service name, ClusterIP and pod IP", () => {
  expect(fetchFromClient("server")).toBe(true);
  expect(fetchFromClient(`server.${ns}.svc.cluster.local`)).toBe(true);
  expect(fetchFromClient(serviceIp)).toBe(true);
  expect(fetchFromClient(serverIp)).toBe(true);
});

test("a pod has no route off the machine: only the nodes, the pods and the Service range", () => {
  const routes = mustKubectl(["-n", ns, "exec", "client", "--", "ip", "route"]);
  expect(routes).not.toMatch(/default/);
  expect(kubectl(["-n", ns, "exec", "client", "--", "ip", "route", "get", "192.0.2.1"]).code).not.toBe(0);
  expect(kubectl(["-n", ns, "exec", "client", "--", "ip", "route", "get", "10.255.255.53"]).code).not.toBe(0);
});

async function cutAndRestore(policy: { name: string; podSelector: string; types: string[] }): Promise<void> {
  const url = serverIp;
  expect(fetchFromClient(url)).toBe(true);
  apply({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: policy.name, namespace: ns },
    spec: { podSelector: { matchLabels: { app: policy.podSelector } }, policyTypes: policy.types },
  });
  const cut = await within(POLICY_MS, `${policy.name}: connection refused`, () => !fetchFromClient(url));
  // Still cut a moment later (not a blip).
  expect(fetchFromClient(url)).toBe(false);
  mustKubectl(["-n", ns, "delete", "networkpolicy", policy.name]);
  const restored = await within(POLICY_MS, `${policy.name} deleted: connection works again`, () =>
    fetchFromClient(url),
  );
  process.stdout.write(`${policy.name}: cut after ${cut} ms, restored ${restored} ms after deletion\n`);
}

test("a deny-all policy (ingress and egress) on the server cuts the connection; deleting it restores it", async () => {
  await cutAndRestore({ name: "deny-all", podSelector: "server", types: ["Ingress", "Egress"] });
});

test("an egress-only deny on the client cuts the connection; deleting it restores it", async () => {
  await cutAndRestore({ name: "deny-egress", podSelector: "client", types: ["Egress"] });
});

test("from the machine itself the Service range is unreachable, never routed off the machine", () => {
  // Only the nodes translate Service IPs; without this route a lookup at kube-dns's ClusterIP left by the default route.
  const r = run("ip", ["route", "get", "10.96.0.10"]);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(/unreachable|No route to host/i);
});
