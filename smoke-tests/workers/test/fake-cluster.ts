// The few API calls the Kubernetes launcher makes, answered by a fake cluster whose pods are processes of this machine
// (a scripted worker in place of the image's entry point): a created Job starts one process per index with the
// environment its pod template names and JOB_COMPLETION_INDEX, its Secret volumes written as files (where the kubelet
// would mount them, here a temporary directory the paths in its environment are moved to), a pod's status follows its
// process, a pod deleted with grace period 0 is SIGKILLed and gone, a Job deleted takes its pods. Every call is
// logged, as the API server would see it.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as k8s from "@kubernetes/client-node";
import { repoRoot } from "../../../toolchain/src/paths";
import type { WorkersApi } from "../kubernetes-launcher";
import type { WorkerCommandLine } from "../launch";
import { indexAnnotation, jobNameLabel } from "../worker-job";

interface FakePod {
  job: string;
  pod: k8s.V1Pod;
  child: ChildProcess | undefined;
  exit?: { code: number; stderr: string };
}

type Call = Record<string, unknown>;

export class FakeCluster {
  readonly calls: string[] = [];
  readonly secrets = new Map<string, Record<string, string>>();
  readonly jobs = new Map<string, k8s.V1Job>();
  private readonly pods = new Map<string, FakePod>();
  private readonly dirs: string[] = [];

  constructor(
    private readonly gatePod: k8s.V1Pod,
    private readonly worker: WorkerCommandLine,
    private readonly behaves: {
      /** As an API server that does not know backoffLimitPerIndex: it drops the field. */
      dropsPerIndexLimit?: boolean;
      /** As a ServiceAccount without the Role: Job creation forbidden. */
      forbidsJobs?: boolean;
    } = {},
  ) {}

  private notFound(what: string): never {
    throw Object.assign(new Error(`${what} not found`), { code: 404 });
  }

  api(): WorkersApi {
    const core = {
      readNamespacedPod: async ({ name }: Call) => {
        this.calls.push(`get pod ${name}`);
        return name === this.gatePod.metadata?.name ? this.gatePod : this.notFound(`pod ${name}`);
      },
      createNamespacedSecret: async ({ body }: { body: k8s.V1Secret }) => {
        this.calls.push(`create secret ${body.metadata?.name}`);
        this.secrets.set(body.metadata?.name as string, body.stringData ?? {});
        return body;
      },
      deleteNamespacedSecret: async ({ name }: Call) => {
        this.calls.push(`delete secret ${name}`);
        if (!this.secrets.delete(name as string)) this.notFound(`secret ${name}`);
        return {};
      },
      listNamespacedPod: async ({ labelSelector }: Call) => {
        const job = String(labelSelector).replace(`${jobNameLabel}=`, "");
        return { items: [...this.pods.values()].filter((p) => p.job === job).map((p) => this.status(p)) };
      },
      deleteNamespacedPod: async ({ name, gracePeriodSeconds }: Call) => {
        this.calls.push(`delete pod ${name} grace ${gracePeriodSeconds}`);
        const p = this.pods.get(name as string) ?? this.notFound(`pod ${name}`);
        p.child?.kill("SIGKILL");
        this.pods.delete(name as string);
        return p.pod;
      },
    };
    const batch = {
      createNamespacedJob: async ({ body }: { body: k8s.V1Job }) => {
        const name = body.metadata?.name as string;
        this.calls.push(`create job ${name}`);
        if (this.behaves.forbidsJobs) {
          throw Object.assign(new Error(`jobs.batch is forbidden: cannot create resource "jobs"`), { code: 403 });
        }
        const kept: k8s.V1Job = structuredClone(body);
        if (this.behaves.dropsPerIndexLimit && kept.spec) delete kept.spec.backoffLimitPerIndex;
        this.jobs.set(name, kept);
        for (let index = 0; index < (kept.spec?.completions ?? 0); index++) this.startPod(name, kept, index);
        return kept;
      },
      readNamespacedJob: async ({ name }: Call) => {
        this.calls.push(`get job ${name}`);
        return this.jobs.get(name as string) ?? this.notFound(`job ${name}`);
      },
      deleteNamespacedJob: async ({ name, propagationPolicy }: Call) => {
        this.calls.push(`delete job ${name} ${propagationPolicy}`);
        if (!this.jobs.delete(name as string)) this.notFound(`job ${name}`);
        for (const [podName, p] of this.pods) {
          if (p.job !== name) continue;
          p.child?.kill("SIGKILL");
          this.pods.delete(podName);
        }
        return {};
      },
    };
    return { core, batch } as unknown as WorkersApi;
  }

  /** Removes the Secret files it wrote. */
  dispose(): void {
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }

  /** The names of the pods that run now. */
  get running(): string[] {
    return [...this.pods.entries()].filter(([, p]) => p.child && !p.exit).map(([n]) => n);
  }

  private startPod(job: string, spec: k8s.V1Job, index: number): void {
    const name = `${job}-${index}-${Math.random().toString(36).slice(2, 7)}`;
    const template = spec.spec?.template.spec as k8s.V1PodSpec;
    const container = template.containers[0] as k8s.V1Container;
    // Each Secret volume as the kubelet mounts it: one file per item, in a directory of this pod's.
    const mounts = new Map<string, string>();
    for (const m of container.volumeMounts ?? []) {
      const secret = template.volumes?.find((v) => v.name === m.name)?.secret;
      if (!secret) continue;
      const dir = mkdtempSync(join(tmpdir(), "mp-fake-pod-"));
      this.dirs.push(dir);
      const data = this.secrets.get(secret.secretName ?? "") ?? {};
      for (const item of secret.items ?? []) writeFileSync(join(dir, item.path), data[item.key] ?? "");
      mounts.set(m.mountPath, dir);
    }
    const env: Record<string, string> = { JOB_COMPLETION_INDEX: String(index) };
    for (const e of container.env ?? []) {
      if (e.value === undefined) continue;
      const mount = [...mounts.keys()].find((path) => e.value?.startsWith(`${path}/`));
      env[e.name] = mount ? `${mounts.get(mount)}${e.value.slice(mount.length)}` : e.value;
    }
    const pod: k8s.V1Pod = {
      metadata: {
        name,
        labels: { ...spec.spec?.template.metadata?.labels, [jobNameLabel]: job },
        annotations: { [indexAnnotation]: String(index) },
      },
    };
    const child = spawn(this.worker.file, this.worker.args, {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const fake: FakePod = { job, pod, child };
    let stderr = "";
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (c: string) => {
      stderr += c;
    });
    child.on("exit", (code, signal) => {
      fake.exit = { code: code ?? (signal === "SIGKILL" ? 137 : 143), stderr };
    });
    this.pods.set(name, fake);
  }

  private status(p: FakePod): k8s.V1Pod {
    if (!p.exit) return { ...p.pod, status: { phase: "Running" } };
    const { code, stderr } = p.exit;
    return {
      ...p.pod,
      status: {
        phase: code === 0 ? "Succeeded" : "Failed",
        containerStatuses: [
          {
            name: "worker",
            image: "",
            imageID: "",
            ready: false,
            restartCount: 0,
            // FallbackToLogsOnError: a failed container's last log lines become its termination message.
            state: {
              terminated: {
                exitCode: code,
                reason: code === 0 ? "Completed" : "Error",
                message: code === 0 ? "" : stderr,
              },
            },
          },
        ],
      },
    };
  }
}
