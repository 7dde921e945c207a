// The pool with the Kubernetes launcher against a fake API server (fake-cluster.ts) whose pods are scripted worker
// processes: the calls the gate makes in what order, a worker killed by deleting its pod with grace period 0, the Job
// and its Secret gone at the end, and no start where the API server would let a killed worker come back.
import { join } from "node:path";
import type * as k8s from "@kubernetes/client-node";
import { checkTotalQueue } from "../../ledger/total-queue";
import { kubernetesLauncher } from "../kubernetes-launcher";
import type { StreamEnd } from "../merge";
import { WorkerPool } from "../pool";
import { FakeCluster } from "./fake-cluster";
import { scriptedPoolRequest } from "./pool-request";

const clusters: FakeCluster[] = [];
afterAll(() => {
  for (const c of clusters) c.dispose();
});

const gatePod: k8s.V1Pod = {
  metadata: {
    name: "mp-smoke-gate-run-1-x7k2p",
    namespace: "messaging-smoke",
    uid: "0b7c8a52-5d2e-4a63-9c1f-2f0b7f3e9a11",
    labels: { "app.kubernetes.io/name": "smoke-gate", "messaging-platform.io/role": "smoke-gate" },
  },
  spec: { containers: [{ name: "gate", image: "messaging-platform/smoke-gate:0.1.0", workingDir: "/app" }] },
};
const scripted = (mode: string) => ({
  file: process.execPath,
  args: ["--import", "tsx", join(__dirname, "scripted-worker.ts"), mode],
});

function poolOn(cluster: FakeCluster) {
  clusters.push(cluster);
  // The Service's name is loopback here: the fake's pods are processes of this machine.
  return scriptedPoolRequest(
    kubernetesLauncher(
      {
        pod: { name: "mp-smoke-gate-run-1-x7k2p", namespace: "messaging-smoke" },
        collector: { host: "127.0.0.1", port: 0 },
      },
      { api: async () => cluster.api(), pollMs: 50 },
    ),
  );
}

async function until(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("the workers as an Indexed Job, against a fake API server", () => {
  it("one Job for every worker, a worker killed by deleting its pod (grace 0): lost 0; the Job and Secret deleted at the end", async () => {
    const cluster = new FakeCluster(gatePod, scripted("none"));
    const request = poolOn(cluster);
    const pool = await WorkerPool.start(request);
    const ends: StreamEnd[] = [];
    pool.onStreamEnd((e) => ends.push(e));
    const [job] = [...cluster.jobs.keys()];
    expect(job).toMatch(/^smoke-workers-[0-9a-f]{8}$/);
    await pool.startConsuming();
    pool.startProducing();
    await until("not every acknowledgement arrived", () => pool.stats.acked.overall().messages === 6);
    await until("worker w1's pod was not seen", () => pool.names[1]?.startsWith(`w1 pod ${job}-1-`) ?? false);
    const victim = (pool.names[1] as string).replace("w1 pod ", "");
    pool.kill(1);
    await until("worker w1 was not gone", () => ends.some((e) => e.worker === 1));
    await pool.stopProducing();
    const drained = await pool.drain(2_000);
    await pool.close();

    expect(drained.drained).toBe(true);
    expect(ends.find((e) => e.worker === 1)).toEqual({ worker: 1, gone: true, inFlight: 0 });
    const v = checkTotalQueue(request.ledger, { duplicatesAllowed: true });
    expect(v.counts).toMatchObject({ acknowledged: 6, lost: 0, unexpected: 0 });
    expect(pool.killHow).toBe("killed (its pod deleted with grace period 0)");
    expect(cluster.calls).toEqual([
      "get pod mp-smoke-gate-run-1-x7k2p",
      // The token's Secret before the Job that names it.
      `create secret ${job}`,
      `create job ${job}`,
      `get job ${job}`,
      `delete pod ${victim} grace 0`,
      `delete job ${job} Background`,
      `delete secret ${job}`,
    ]);
    expect(cluster.jobs.size + cluster.secrets.size).toBe(0);
    expect(cluster.running).toEqual([]);
  });

  it("a worker that fails before it connects: named by its pod, with its exit code and its last words", async () => {
    const cluster = new FakeCluster(gatePod, scripted("crash"));
    await expect(WorkerPool.start(poolOn(cluster))).rejects.toThrow(
      /worker w0 \(pod smoke-workers-[0-9a-f]{8}-0-\w+\) exit code 3: boom: no broker/,
    );
    expect(cluster.jobs.size + cluster.secrets.size).toBe(0);
  });

  it("refuses to run where the API server drops backoffLimitPerIndex (a killed worker would come back), and removes what it made", async () => {
    const cluster = new FakeCluster(gatePod, scripted("none"), { dropsPerIndexLimit: true });
    await expect(WorkerPool.start(poolOn(cluster))).rejects.toThrow(
      /came back with completionMode Indexed and backoffLimitPerIndex undefined: this API server does not keep a killed worker from coming back/,
    );
    expect(cluster.calls.filter((c) => c.startsWith("delete"))).toEqual([
      expect.stringMatching(/^delete job smoke-workers-[0-9a-f]{8} Background$/),
      expect.stringMatching(/^delete secret smoke-workers-[0-9a-f]{8}$/),
    ]);
    expect(cluster.running).toEqual([]);
  });

  it("a Job the API server refuses (no Role): the step, the Job and the answer named, the Secret made before it deleted", async () => {
    const cluster = new FakeCluster(gatePod, scripted("none"), { forbidsJobs: true });
    await expect(WorkerPool.start(poolOn(cluster))).rejects.toThrow(
      /^creating Job messaging-smoke\/smoke-workers-[0-9a-f]{8} for 2 workers: jobs.batch is forbidden/,
    );
    expect(cluster.calls.slice(-2)).toEqual([
      expect.stringMatching(/^create job smoke-workers-[0-9a-f]{8}$/),
      expect.stringMatching(/^delete secret smoke-workers-[0-9a-f]{8}$/),
    ]);
    expect(cluster.secrets.size).toBe(0);
  });

  it("refuses to start without its own pod, saying which and why", async () => {
    const cluster = new FakeCluster(
      { ...gatePod, metadata: { ...gatePod.metadata, name: "someone-else" } },
      scripted("none"),
    );
    await expect(WorkerPool.start(poolOn(cluster))).rejects.toThrow(
      "reading the gate's own pod messaging-smoke/mp-smoke-gate-run-1-x7k2p (its workers run its image): pod mp-smoke-gate-run-1-x7k2p not found",
    );
    expect(cluster.calls).toEqual(["get pod mp-smoke-gate-run-1-x7k2p"]);
  });
});
