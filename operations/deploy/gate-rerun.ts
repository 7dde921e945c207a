// The in-cluster gate run again when `pulumi up` changed nothing: the gate Job's name is a hash of what it checks
// (infra/values/smoke-gate.ts gateRunId), so an unchanged stack keeps the earlier Job, whose result is not this
// deploy's. Pure: the decision and the copy, from Job objects as the API returns them.

/** A Job as the API returns it (the fields read here; the rest of its spec is copied as is). */
export interface JobView {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: Date | string;
    [field: string]: unknown;
  };
  spec?: {
    activeDeadlineSeconds?: number;
    selector?: unknown;
    manualSelector?: boolean;
    template?: { metadata?: { labels?: Record<string, string>; [field: string]: unknown }; spec?: unknown };
    [field: string]: unknown;
  };
  status?: unknown;
}

/** Labels the API server adds to a Job's pod template (and its selector) for the Job controller: each Job its own. */
export const jobControllerLabels = [
  "controller-uid",
  "job-name",
  "batch.kubernetes.io/controller-uid",
  "batch.kubernetes.io/job-name",
];

/** Annotations a client or the API server wrote about this object, not about the run. */
const objectAnnotations = ["kubectl.kubernetes.io/last-applied-configuration", "batch.kubernetes.io/job-tracking"];

/** True when the Job existed before this `up` began: `up` left it as it was, so its result is an earlier run's. */
export function leftFromEarlierUp(job: JobView, upStartedMs: number): boolean {
  const created = job.metadata?.creationTimestamp;
  return created !== undefined && new Date(created).getTime() < upStartedMs;
}

function without(record: Record<string, string> | undefined, keys: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(record ?? {}).filter(([k]) => !keys.includes(k)));
}

/**
 * A new Job with the same spec under a new name (`<job>-r<unix seconds>`): no status, none of the fields the API
 * server set on the original (uid, resourceVersion, creationTimestamp, managedFields), no selector or controller
 * labels (the API server generates fresh ones for the copy); the chart's labels stay, so the gate's NetworkPolicy
 * and the brokers' admit the copy's pod as they admit the original's.
 */
export function gateJobCopy(job: JobView, nowSeconds: number): JobView & { metadata: { name: string } } {
  const name = `${job.metadata?.name ?? "smoke-gate"}-r${Math.floor(nowSeconds)}`;
  const { selector: _selector, manualSelector: _manual, template, ...spec } = job.spec ?? {};
  const annotations = without(job.metadata?.annotations, objectAnnotations);
  return {
    apiVersion: job.apiVersion ?? "batch/v1",
    kind: job.kind ?? "Job",
    metadata: {
      name,
      ...(job.metadata?.namespace ? { namespace: job.metadata.namespace } : {}),
      labels: without(job.metadata?.labels, jobControllerLabels),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: {
      ...spec,
      template: {
        ...template,
        metadata: {
          ...template?.metadata,
          labels: without(template?.metadata?.labels, jobControllerLabels),
        },
      },
    },
  };
}

/** How long to wait for the copy: Kubernetes' deadline for the Job decides, as for Pulumi's own wait (chart: +120 s). */
export function rerunWaitMs(job: JobView): number {
  return ((job.spec?.activeDeadlineSeconds ?? 900) + 120) * 1000;
}

/** Finished, and how: from the Job's status conditions (Complete, Failed) or its counts. */
export function jobOutcome(job: {
  status?: { succeeded?: number; failed?: number; conditions?: Array<{ type?: string; status?: string }> };
}): "succeeded" | "failed" | undefined {
  const st = job.status ?? {};
  const is = (type: string) => st.conditions?.some((c) => c.type === type && c.status === "True") === true;
  if (is("Complete") || (st.succeeded ?? 0) > 0) return "succeeded";
  if (is("Failed") || (st.failed ?? 0) > 0) return "failed";
  return undefined;
}
