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
export function gateJobCopy(
  job: JobView,
  nowSeconds: number,
  extraArgs: readonly string[] = [],
): JobView & { metadata: { name: string } } {
  const name = `${job.metadata?.name ?? "smoke-gate"}-r${Math.floor(nowSeconds)}`;
  const { selector: _selector, manualSelector: _manual, template, ...spec } = job.spec ?? {};
  const podSpec = extraArgs.length > 0 ? withGateArgs(template?.spec, extraArgs) : template?.spec;
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
        ...(podSpec === undefined ? {} : { spec: podSpec }),
      },
    },
  };
}

interface GateContainer {
  name?: string;
  args?: string[];
  env?: Array<{ name?: string }>;
  [field: string]: unknown;
}

function gateContainer(podSpec: unknown): GateContainer | undefined {
  const containers = (podSpec as { containers?: GateContainer[] } | undefined)?.containers ?? [];
  return containers.find((c) => c.name === "gate");
}

/** The pod spec with `extra` after the gate container's own args (the chart's `args`, none by default). */
function withGateArgs(podSpec: unknown, extra: readonly string[]): unknown {
  const spec = (podSpec ?? {}) as { containers?: GateContainer[] };
  const gate = gateContainer(spec);
  if (!gate) throw new Error('the gate Job has no container named "gate" to give the flags to');
  // A flag given twice would be read once (the first): refused instead of silently ignored.
  const twice = extra.filter((a) => a.startsWith("--") && (gate.args ?? []).some((b) => b.split("=")[0] === a));
  if (twice.length > 0) throw new Error(`the gate Job's args already give ${twice.join(", ")} (chart value args)`);
  return {
    ...spec,
    containers: (spec.containers ?? []).map((c) =>
      c.name === "gate" ? { ...c, args: [...(c.args ?? []), ...extra] } : c,
    ),
  };
}

/**
 * Why the Job cannot run `workers` workers, or undefined: more than one needs what the chart adds only for a stack
 * with `gate.workers` above 1 (the collector Service, its NetworkPolicies, the Role that creates the workers' Job),
 * which the gate container's MP_WORKER_COLLECTOR shows.
 */
export function workersRefusal(job: JobView, stack: string, workers: number): string | undefined {
  if (workers <= 1) return undefined;
  const gate = gateContainer(job.spec?.template?.spec);
  if (gate?.env?.some((e) => e.name === "MP_WORKER_COLLECTOR")) return undefined;
  return (
    `--workers = ${workers}: stack ${stack}'s gate was deployed with gate.workers 1, so the cluster has no collector ` +
    `Service or Role for workers; set gate.workers to 2 or more in Pulumi.${stack}.yaml and deploy first`
  );
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
