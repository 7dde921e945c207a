// kubectl and ctr against the cluster of `npm run cluster:up`, for the cluster tier's tests.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../toolchain/src/exec";
import { repoRoot } from "../../toolchain/src/paths";
import { clusterPaths } from "../paths";

export function kubectl(args: string[], input?: string, timeoutMs = 60_000): { code: number; out: string } {
  const r = run(clusterPaths.kubectl, ["--kubeconfig", clusterPaths.kubeconfig, ...args], { input, timeoutMs });
  return { code: r.code ?? 1, out: `${r.stdout}${r.stderr}` };
}

export function mustKubectl(args: string[], input?: string, timeoutMs = 60_000): string {
  const r = kubectl(args, input, timeoutMs);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.out}`);
  return r.out;
}

/** The images in node `node`'s containerd (every node imports its own). */
export function ctrImages(node = "cluster-node-1"): string[] {
  const r = run("ctr", ["--address", clusterPaths.containerdSocket(node), "-n", "k8s.io", "images", "ls", "-q"]);
  if (r.code !== 0) throw new Error(`ctr images ls: ${r.stderr}`);
  return r.stdout.split("\n").filter((l) => l !== "" && !l.startsWith("sha256:"));
}

/** Fails (never skips) when the cluster is not up, saying how to bring it up. */
export function requireCluster(): void {
  if (!existsSync(clusterPaths.kubeconfig) || kubectl(["get", "--raw", "/readyz"], undefined, 10_000).code !== 0) {
    throw new Error(`no cluster answers at ${clusterPaths.kubeconfig}: run \`npm run cluster:up\` first`);
  }
}

/** Polls fn every 500 ms until it returns true; returns the milliseconds it took, or throws after timeoutMs. */
export async function within(timeoutMs: number, what: string, fn: () => boolean): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (fn()) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export interface ClusterNode {
  name: string;
  internalIp: string;
  zone: string;
  hostnameLabel: string;
  ready: boolean;
}

/** The cluster's nodes as the API sees them, by name. */
export function clusterNodes(): ClusterNode[] {
  const list = JSON.parse(mustKubectl(["get", "nodes", "-o", "json"])) as {
    items: {
      metadata: { name: string; labels: Record<string, string> };
      status: { addresses: { type: string; address: string }[]; conditions: { type: string; status: string }[] };
    }[];
  };
  return list.items
    .map((n) => ({
      name: n.metadata.name,
      internalIp: n.status.addresses.find((a) => a.type === "InternalIP")?.address ?? "",
      zone: n.metadata.labels["topology.kubernetes.io/zone"] ?? "",
      hostnameLabel: n.metadata.labels["kubernetes.io/hostname"] ?? "",
      ready: n.status.conditions.some((c) => c.type === "Ready" && c.status === "True"),
    }))
    .sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
}

/** `cluster/cluster.sh <args>` (up's flags, node actions), as `npm run cluster:*` runs it. */
export function clusterCli(args: string[], timeoutMs = 300_000): { code: number; out: string } {
  const r = run("bash", [join(repoRoot, "cluster", "cluster.sh"), ...args], { timeoutMs });
  return { code: r.code ?? 1, out: `${r.stdout}${r.stderr}` };
}

/** A toolbox pod pinned to `node` (spec.nodeName: no scheduler involved), labelled app=<name>. */
export function toolboxPod(ns: string, name: string, node: string, image: string, command: string[]) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: {
      nodeName: node,
      terminationGracePeriodSeconds: 0,
      containers: [{ name, image, imagePullPolicy: "Never", command }],
    },
  };
}

/**
 * One HTTP GET from pod `from` (busybox nc: its static wget crashes on exit); true when the server answered. Bounded
 * by `timeout`: busybox nc's -w bounds the connect only, and a frozen server accepts (its kernel does) but never answers.
 */
export function httpFrom(ns: string, from: string, host: string, port = 8080): boolean {
  return kubectl(
    [
      "-n",
      ns,
      "exec",
      from,
      "--",
      "sh",
      "-c",
      `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | timeout 3 nc -w 2 ${host} ${port}`,
    ],
    undefined,
    20_000,
  ).out.includes("200 OK");
}
