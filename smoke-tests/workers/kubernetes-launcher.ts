// The workers as the pods of an Indexed Job in the gate's own namespace, created by the gate through the Kubernetes API
// with its ServiceAccount (charts/smoke-gate rbac.yaml grants exactly these calls when workers > 1): the run's token in
// a Secret, the Job, one read of every worker pod a second (how each ended and why), a worker killed by deleting its
// pod with grace period 0, the Job and Secret deleted at the end. @kubernetes/client-node is loaded on first use
// (contract/kube-config.ts), so this file loads under jest's CommonJS runtime.
import { randomBytes } from "node:crypto";
import type * as k8s from "@kubernetes/client-node";
import { loadKubeConfig } from "../../contract/kube-config";
import type { CollectorPlace, LaunchedWorker, WorkerLaunch, WorkerLauncher } from "./launch";
import { jobNameLabel, type WorkerPodState, workerJob, workerPodState, workerSecret } from "./worker-job";

/** Where the gate runs and where its workers reach it: from its environment (choose-launcher.ts). */
export interface KubernetesWorkersPlace {
  /** The gate's own pod. */
  pod: { name: string; namespace: string };
  /** The collector's Service name (what the workers dial) and its port (what the gate listens on). */
  collector: { host: string; port: number };
}

/** The API calls the launcher makes, and nothing else (the Role in charts/smoke-gate rbac.yaml grants exactly these). */
export const workersApiCalls = {
  core: [
    "readNamespacedPod",
    "listNamespacedPod",
    "deleteNamespacedPod",
    "createNamespacedSecret",
    "deleteNamespacedSecret",
  ],
  batch: ["createNamespacedJob", "readNamespacedJob", "deleteNamespacedJob"],
} as const;

export interface WorkersApi {
  core: Pick<k8s.CoreV1Api, (typeof workersApiCalls.core)[number]>;
  batch: Pick<k8s.BatchV1Api, (typeof workersApiCalls.batch)[number]>;
}

/** In a pod: its ServiceAccount's token (the default kube config there is the in-cluster one). */
async function inClusterApi(): Promise<WorkersApi> {
  const { lib, kc } = await loadKubeConfig({});
  return { core: kc.makeApiClient(lib.CoreV1Api), batch: kc.makeApiClient(lib.BatchV1Api) };
}

export interface KubernetesLauncherOptions {
  /** The API server; a test passes a fake cluster. */
  api?: () => Promise<WorkersApi>;
  /** How often the Job's pods are read. */
  pollMs?: number;
}

export function kubernetesLauncher(
  place: KubernetesWorkersPlace,
  options: KubernetesLauncherOptions = {},
): WorkerLauncher {
  return new KubernetesLauncher(place, options.api ?? inClusterApi, options.pollMs ?? 1_000);
}

class KubernetesLauncher implements WorkerLauncher {
  readonly collector: CollectorPlace;
  readonly killHow = "killed (its pod deleted with grace period 0)";
  private api: WorkersApi | undefined;
  private created: { job?: string; secret?: string } = {};
  private workers: PodWorker[] = [];
  private poll: NodeJS.Timeout | undefined;

  constructor(
    private readonly place: KubernetesWorkersPlace,
    private readonly connect: () => Promise<WorkersApi>,
    private readonly pollMs: number,
  ) {
    // Every address of the pod: the workers reach it through the Service, which routes to the pod's own address.
    this.collector = { host: undefined, port: place.collector.port, advertised: place.collector.host };
  }

  private get namespace(): string {
    return this.place.pod.namespace;
  }

  async start({ count, collector, runToken }: WorkerLaunch): Promise<LaunchedWorker[]> {
    this.api = await this.connect();
    const { core, batch } = this.api;
    const { name: podName, namespace } = this.place.pod;
    const gatePod = await core.readNamespacedPod({ name: podName, namespace }).catch((err: Error) => {
      throw new Error(`reading the gate's own pod ${namespace}/${podName} (its workers run its image): ${err.message}`);
    });
    const name = `smoke-workers-${randomBytes(4).toString("hex")}`;
    const request = { name, count, collector, gatePod };
    const step = <T>(what: string, call: Promise<T>): Promise<T> =>
      call.catch((err: Error) => {
        throw new Error(`${what} ${namespace}/${name} for ${count} workers: ${err.message}`);
      });
    await step("creating Secret", core.createNamespacedSecret({ namespace, body: workerSecret(request, runToken) }));
    this.created.secret = name;
    await step("creating Job", batch.createNamespacedJob({ namespace, body: workerJob(request) }));
    this.created.job = name;
    // An API server that drops the field would retry a killed worker (backoffLimit's default 6): refuse to run then.
    const job = await step("reading back Job", batch.readNamespacedJob({ name, namespace }));
    if (job.spec?.backoffLimitPerIndex !== 0 || job.spec?.completionMode !== "Indexed") {
      throw new Error(
        `Job ${namespace}/${name} came back with completionMode ${job.spec?.completionMode} and backoffLimitPerIndex ${job.spec?.backoffLimitPerIndex}: this API server does not keep a killed worker from coming back (it needs Kubernetes 1.29 or newer with the JobBackoffLimitPerIndex feature on, the default)`,
      );
    }
    this.workers = Array.from({ length: count }, (_, index) => new PodWorker(index, name, (w) => this.deletePod(w)));
    this.poll = setInterval(() => void this.read(name), this.pollMs);
    this.poll.unref();
    return this.workers;
  }

  /** One list of the Job's pods: each worker's state from its pod, or gone when its pod is no longer there. */
  private reading = false;
  private async read(job: string): Promise<void> {
    if (this.reading || !this.api) return;
    this.reading = true;
    try {
      const pods = await this.api.core.listNamespacedPod({
        namespace: this.namespace,
        labelSelector: `${jobNameLabel}=${job}`,
      });
      const now = Date.now();
      const states = pods.items.map((p) => workerPodState(p, now));
      for (const w of this.workers) {
        w.saw(states.filter((s) => s.index === w.index));
        if (w.killAsked && !w.deleteSent && w.podName && !w.ended) this.deletePod(w);
      }
    } catch (err) {
      for (const w of this.workers) w.couldNotRead(err instanceof Error ? err.message : String(err));
    } finally {
      this.reading = false;
    }
  }

  /** Gone as a crash goes, as near as a pod gets: deleted with grace period 0 (the kubelet still sends SIGTERM first). */
  private deletePod(w: PodWorker): void {
    const name = w.podName;
    if (!name || !this.api) return;
    // One delete in flight per worker: the next read sends another only if this one failed.
    w.deleteSent = true;
    this.api.core.deleteNamespacedPod({ name, namespace: this.namespace, gracePeriodSeconds: 0 }).then(
      () => w.deleted(),
      (err: Error) => {
        w.deleteSent = false;
        w.couldNotRead(`deleting pod ${name}: ${err.message}`);
      },
    );
  }

  async end(): Promise<void> {
    clearInterval(this.poll);
    if (!this.api) return;
    const { core, batch } = this.api;
    const notFound = (err: { code?: number }) => {
      if (err.code !== 404) throw err;
    };
    const problems: string[] = [];
    // Background: the Job goes at once and the garbage collector takes its pods after it.
    if (this.created.job) {
      await batch
        .deleteNamespacedJob({ name: this.created.job, namespace: this.namespace, propagationPolicy: "Background" })
        .catch(notFound)
        .catch((err: Error) => problems.push(`Job ${this.created.job}: ${err.message}`));
    }
    if (this.created.secret) {
      await core
        .deleteNamespacedSecret({ name: this.created.secret, namespace: this.namespace })
        .catch(notFound)
        .catch((err: Error) => problems.push(`Secret ${this.created.secret}: ${err.message}`));
    }
    this.created = {};
    if (problems.length > 0) throw new Error(`in ${this.namespace}: ${problems.join("; ")}`);
  }
}

/** One worker: the first pod of its index, as the launcher last read it. */
class PodWorker implements LaunchedWorker {
  podName: string | undefined;
  ended: string | undefined;
  killAsked = false;
  deleteSent = false;
  private said: string[] = [];
  private readonly listeners: Array<() => void> = [];

  constructor(
    readonly index: number,
    private readonly job: string,
    private readonly deletePod: (w: PodWorker) => void,
  ) {}

  get name(): string {
    return this.podName ? `pod ${this.podName}` : `Job ${this.job} index ${this.index} (no pod yet)`;
  }

  onEnd(listener: () => void): void {
    if (this.ended !== undefined) listener();
    else this.listeners.push(listener);
  }

  stderrTail(): string[] {
    return this.podName || this.said.length > 0
      ? [...this.said]
      : [`no pod for index ${this.index} yet: kubectl describe job ${this.job} shows why (its events)`];
  }

  /** Its pod deleted now, or as soon as it is seen (asked before the Job controller created it). */
  kill(): void {
    if (this.ended !== undefined) return;
    this.killAsked = true;
    this.deletePod(this);
  }

  /** The pods of this index as read now: the first one seen is this worker's (a second would be a retry). */
  saw(pods: WorkerPodState[]): void {
    if (this.ended !== undefined) return;
    this.podName ??= pods[0]?.name;
    const own = pods.find((p) => p.name === this.podName);
    if (own) {
      this.said = own.said;
      if (own.ended) this.end(own.ended);
    } else if (this.podName) this.end("pod gone");
  }

  deleted(): void {
    this.end("pod deleted");
  }

  couldNotRead(what: string): void {
    this.said = [...this.said.slice(-4), what];
  }

  private end(how: string): void {
    if (this.ended !== undefined) return;
    this.ended = how;
    for (const l of this.listeners) l();
  }
}
