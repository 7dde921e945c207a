// kubectl and ctr against the cluster of `npm run cluster:up`, for the cluster tier's tests.
import { existsSync } from "node:fs";
import { run } from "../../toolchain/src/exec";
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
