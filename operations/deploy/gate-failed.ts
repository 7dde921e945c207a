// A deploy after a failed in-cluster gate, with unchanged inputs: the gate Job's name is a hash of what it checks
// (infra/values/smoke-gate.ts gateRunId), so the stack still holds the failed Job, and `pulumi up` "updates" it (the
// engine retries an object that failed to initialize) and fails at once with the old run's result. Pure: the gate
// Jobs in the stack's state, what to do about each before the preview, and the options that do it.
import { jobOutcome } from "./gate-rerun";

/** The component that owns the gate Job (infra/components/smoke-gate.ts): its type is in each child's URN. */
export const gateComponentType = "messaging-platform:gate:SmokeGateJob";
const jobType = "kubernetes:batch/v1:Job";

/** A resource as `pulumi stack export` lists it (the fields read here). */
export interface StateResource {
  urn: string;
  type: string;
  /** A resource the engine holds only to delete it: no longer the stack's Job. */
  delete?: boolean;
  inputs?: { metadata?: { name?: unknown; namespace?: unknown } };
  outputs?: { metadata?: { name?: unknown; namespace?: unknown } };
}

/** A gate Job the stack's state holds: its URN (what `--replace` takes) and where it lives in the cluster. */
export interface GateJobInState {
  urn: string;
  namespace: string;
  name: string;
}

/** The Job's status as the API returns it (what ./gate-rerun.ts jobOutcome reads); undefined: not in the cluster. */
export type LiveJob = Parameters<typeof jobOutcome>[0] | undefined;

export type PreviousGateRun =
  | { action: "keep"; job: string }
  | { action: "replace"; urn: string; line: string }
  | { action: "refresh"; line: string };

/** The URN's types, outermost parent first: urn:pulumi:<stack>::<project>::<parent$…$type>::<name>. */
function typeChain(urn: string): string[] {
  return (urn.split("::")[2] ?? "").split("$");
}

/**
 * The gate Jobs in the stack's state: Jobs below the SmokeGateJob component (the chart's children), not pending
 * deletion. A state with none (no in-cluster gate, or a first deploy) gives none.
 */
export function gateJobsInState(resources: readonly StateResource[]): GateJobInState[] {
  return resources
    .filter((r) => r.type === jobType && !r.delete && typeChain(r.urn).includes(gateComponentType))
    .map((r) => {
      // An object that failed to initialize may be stored with its inputs only.
      const meta = { ...r.inputs?.metadata, ...r.outputs?.metadata };
      for (const field of ["name", "namespace"] as const) {
        const value = meta[field];
        if (typeof value !== "string" || value === "")
          throw new Error(
            `stack state, ${r.urn}: metadata.${field} = ${JSON.stringify(value) ?? "undefined"}: a gate Job in the state must carry its ${field}`,
          );
      }
      return { urn: r.urn, namespace: meta.namespace as string, name: meta.name as string };
    });
}

/**
 * Before the preview, the gate Job the state holds against the live one: a failed Job is replaced so that this
 * deploy's gate runs again; one gone from the cluster (deleted by hand) needs a refresh first, or the preview cannot
 * diff what the state still holds; any other (succeeded, still running) is left to `up` and ./gate-rerun.ts.
 */
export function previousGateRun(job: GateJobInState, live: LiveJob): PreviousGateRun {
  const where = `${job.namespace}/${job.name}`;
  if (live === undefined)
    return {
      action: "refresh",
      line: `the previous gate run ${where} is gone from the cluster: refreshing before the preview so that this deploy creates it again`,
    };
  if (jobOutcome(live) === "failed")
    return {
      action: "replace",
      urn: job.urn,
      line: `the previous gate run ${where} failed: replacing it so this deploy's gate runs again`,
    };
  return { action: "keep", job: where };
}

/** What the preview and `up` are given for these decisions (the Automation API passes each URN as `--replace <urn>`). */
export function previousGateOptions(runs: readonly PreviousGateRun[]): {
  preview: { replace?: string[]; refresh?: true };
  up: { replace?: string[] };
} {
  const replace = runs.flatMap((r) => (r.action === "replace" ? [r.urn] : []));
  const refresh = runs.some((r) => r.action === "refresh");
  const replacing = replace.length > 0 ? { replace } : {};
  // `up` refreshes anyway (deploy.ts); the preview only when the state holds a Job the cluster has lost.
  return { preview: { ...replacing, ...(refresh ? { refresh: true as const } : {}) }, up: replacing };
}
