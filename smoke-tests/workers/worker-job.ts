// Pure: the workers as a Kubernetes Indexed Job, built from the gate's own pod (the same image, user, security and
// scheduling as the gate: what charts/smoke-gate gave it), and what a worker pod's status says about how it ended.
// kubernetes-launcher.ts sends these to the API server; here they are plain objects, tested without a cluster.
import type * as k8s from "@kubernetes/client-node";
import { unschedulable } from "../kube/rollout";

/** The label that tells the gate's pod from its workers' (charts/smoke-gate's NetworkPolicies and Service select by it). */
export const roleLabel = "messaging-platform.io/role";
export const workerRole = "smoke-worker";
/** The Job controller's annotation of a pod's index in an Indexed Job (also its JOB_COMPLETION_INDEX). */
export const indexAnnotation = "batch.kubernetes.io/job-completion-index";
/** The Job controller's label on every pod of a Job. */
export const jobNameLabel = "batch.kubernetes.io/job-name";
/** The key of the run's token in the workers' Secret, and the file it is mounted as. */
export const runTokenKey = "run-token";
export const runTokenDir = "/etc/mp-worker";
/** A worker pod runs the worker entry point where the gate runs the gate's (both in the runner image, /app). */
export const workerCommand = ["node", "--import", "tsx", "smoke-tests/cli/worker.ts"];

/** The gate pod's labels a worker pod carries as they are: which release and run it belongs to. */
const inheritedLabels = [
  "app.kubernetes.io/name",
  "app.kubernetes.io/instance",
  "app.kubernetes.io/part-of",
  "app.kubernetes.io/version",
  "messaging-platform.io/run-id",
];

export interface WorkerJobRequest {
  /** The Job's and its Secret's name. */
  name: string;
  count: number;
  /** <host>:<port>: the gate's collector as the workers reach it. */
  collector: string;
  /** The gate's own pod as the API returns it. */
  gatePod: k8s.V1Pod;
}

/** The labels of the Job, its pods and its Secret: the gate's release and run, the worker role. */
export function workerLabels(gatePod: k8s.V1Pod): Record<string, string> {
  const own = gatePod.metadata?.labels ?? {};
  return {
    ...Object.fromEntries(inheritedLabels.flatMap((k) => (own[k] === undefined ? [] : [[k, own[k]]]))),
    "app.kubernetes.io/component": workerRole,
    "app.kubernetes.io/managed-by": "smoke-gate",
    [roleLabel]: workerRole,
  };
}

/** Owned by the gate's pod: when it goes (its Job's deadline, a deploy that replaces it), the workers go with it. */
function ownedByGate(gatePod: k8s.V1Pod): k8s.V1OwnerReference[] {
  const { name, uid } = gatePod.metadata ?? {};
  if (!name || !uid)
    throw new Error("the gate's own pod as read has no name or uid: the worker Job cannot be owned by it");
  return [{ apiVersion: "v1", kind: "Pod", name, uid, controller: false, blockOwnerDeletion: false }];
}

function metadataFor(r: { name: string; gatePod: k8s.V1Pod }): k8s.V1ObjectMeta {
  const namespace = r.gatePod.metadata?.namespace;
  if (!namespace) throw new Error("the gate's own pod as read has no namespace");
  return { name: r.name, namespace, labels: workerLabels(r.gatePod), ownerReferences: ownedByGate(r.gatePod) };
}

/** The Secret that carries the run's token to every worker: the Job mounts it, never holds it. */
export function workerSecret(r: Pick<WorkerJobRequest, "name" | "gatePod">, runToken: string): k8s.V1Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: metadataFor(r),
    type: "Opaque",
    immutable: true,
    stringData: { [runTokenKey]: runToken },
  };
}

export function workerJob(r: WorkerJobRequest): k8s.V1Job {
  const gate = r.gatePod.spec?.containers[0];
  if (!gate?.image) throw new Error("the gate's own pod as read has no container image: the workers run the gate's");
  const spec = r.gatePod.spec as k8s.V1PodSpec;
  const tmp = spec.volumes?.find((v) => v.name === "tmp")?.emptyDir;
  const metadata = metadataFor(r);
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata,
    spec: {
      completionMode: "Indexed",
      completions: r.count,
      parallelism: r.count,
      // A killed worker must not come back: its index would start its sequence numbers again. Per index, so that one
      // worker's end does not fail the Job and take the others with it (backoffLimit 0 would).
      backoffLimitPerIndex: 0,
      template: {
        metadata: { labels: metadata.labels as Record<string, string> },
        spec: {
          restartPolicy: "Never",
          // A worker talks to the brokers and the collector only: no Kubernetes API token.
          automountServiceAccountToken: false,
          ...(spec.securityContext ? { securityContext: spec.securityContext } : {}),
          ...(spec.imagePullSecrets ? { imagePullSecrets: spec.imagePullSecrets } : {}),
          ...(spec.nodeSelector ? { nodeSelector: spec.nodeSelector } : {}),
          ...(spec.tolerations ? { tolerations: spec.tolerations } : {}),
          containers: [
            {
              name: "worker",
              image: gate.image,
              ...(gate.imagePullPolicy ? { imagePullPolicy: gate.imagePullPolicy } : {}),
              ...(gate.workingDir ? { workingDir: gate.workingDir } : {}),
              command: workerCommand,
              // The index is the Job controller's JOB_COMPLETION_INDEX (connection.ts reads it); the token is in the
              // Secret, mounted as a file as every Secret of this project (the secrets-as-files policy).
              env: [
                { name: "MP_WORKER_COLLECTOR", value: r.collector },
                { name: "MP_WORKER_TOKEN_FILE", value: `${runTokenDir}/${runTokenKey}` },
              ],
              ...(gate.resources ? { resources: gate.resources } : {}),
              ...(gate.securityContext ? { securityContext: gate.securityContext } : {}),
              // Why a worker failed, readable from its pod's status (the gate may read pods, not their logs).
              terminationMessagePolicy: "FallbackToLogsOnError",
              volumeMounts: [
                { name: "run-token", mountPath: runTokenDir, readOnly: true },
                // The root filesystem is read-only: tsx compiles into /tmp.
                { name: "tmp", mountPath: "/tmp" },
              ],
            },
          ],
          volumes: [
            // 0400: its owner's; the kubelet adds read for the pod's group (fsGroup), as for the gate's target.
            {
              name: "run-token",
              secret: { secretName: r.name, items: [{ key: runTokenKey, path: runTokenKey }], defaultMode: 0o400 },
            },
            { name: "tmp", emptyDir: tmp ?? { sizeLimit: "256Mi" } },
          ],
        },
      },
    },
  };
}

/** A worker pod as its status tells it: its index, whether (and how) it ended, and what it said. */
export interface WorkerPodState {
  name: string;
  index: number | undefined;
  /** "exit code 0", "exit code 137 (deleted)", "Evicted: …"; undefined while it runs or waits to. */
  ended: string | undefined;
  /** Why it is not running yet, or its termination message's last lines. */
  said: string[];
}

const messageLines = 5;

/** Pure: a worker pod's state at `now` (the scheduler's refusal counts only after its grace, as the rollout's). */
export function workerPodState(pod: k8s.V1Pod, now: number): WorkerPodState {
  const name = pod.metadata?.name ?? "(unnamed)";
  const indexText = pod.metadata?.annotations?.[indexAnnotation];
  const index = indexText !== undefined && /^\d+$/.test(indexText) ? Number(indexText) : undefined;
  const container = pod.status?.containerStatuses?.find((c) => c.name === "worker");
  const terminated = container?.state?.terminated;
  const waiting = container?.state?.waiting;
  const said = [
    ...(terminated?.message ?? "").split("\n").filter(Boolean).slice(-messageLines),
    ...(waiting?.reason && waiting.reason !== "ContainerCreating"
      ? [`waiting: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ""}`]
      : []),
    ...[unschedulable(pod, now)].filter((x): x is string => x !== undefined),
  ];
  const exit = terminated
    ? `exit code ${terminated.exitCode}${terminated.reason && !["Error", "Completed"].includes(terminated.reason) ? ` (${terminated.reason})` : ""}`
    : undefined;
  const phase = pod.status?.phase;
  // Why the kubelet ended it, beside the exit code: Evicted, DeadlineExceeded.
  const why = [pod.status?.reason, pod.status?.message].filter(Boolean).join(": ");
  const ended =
    pod.metadata?.deletionTimestamp !== undefined
      ? ["pod deleted", exit].filter(Boolean).join(", ")
      : phase === "Succeeded" || phase === "Failed"
        ? [exit ?? phase, why].filter(Boolean).join(", ")
        : undefined;
  return { name, index, ended, said };
}
