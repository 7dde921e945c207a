// After `pulumi up` of a stack whose gate runs as a Job in the cluster (gate.inCluster): the brokers' addresses are
// cluster DNS names the deploying machine cannot resolve, so both steps after `up` read the cluster's API instead of
// connecting to the brokers. "rolled out" is this project's own StatefulSet await (../kube/rollout.ts); "gate" reads the
// Job that `pulumi up` already waited for, and its report from the pod's log, or, when `up` left an earlier deploy's
// Job as it was, runs a copy of it (./gate-rerun.ts). Before the preview, a failed Job the state still holds is
// replaced, so that its run is not mistaken for this deploy's (./gate-failed.ts).
import type * as k8s from "@kubernetes/client-node";
import type { Stack } from "@pulumi/pulumi/automation";
import { loadKubeConfig } from "../../contract/kube-config";
import { validateTarget } from "../../contract/validate-target";
import { gateReportHeading } from "../../smoke-tests/gate/report";
import type { KubePlacement } from "../../smoke-tests/kube/rollout";
import { withoutCarried } from "../../smoke-tests/reports/carry";
import {
  type GateJobInState,
  gateJobsInState,
  type PreviousGateRun,
  previousGateRun,
  type StateResource,
} from "./gate-failed";
import { landGateReports } from "./gate-reports";
import { gateJobCopy, type JobView, jobOutcome, leftFromEarlierUp, rerunWaitMs } from "./gate-rerun";
import type { KubeAccess } from "./placement-check";

/** The gate report the Job printed: from its first line ("smoke gate on …") to the end, without its carried files. */
export function gateReportFromLog(log: string): string {
  const lines = withoutCarried(log).split("\n");
  const start = lines.findIndex((l) => l.startsWith(gateReportHeading));
  return (start === -1 ? lines.slice(-20) : lines.slice(start)).join("\n").trim();
}

export async function inClusterGate(
  placement: KubePlacement,
  gate: { namespace: string; job: string },
): Promise<{ passed: boolean; report: string }> {
  const { lib, kc } = await loadKubeConfig(placement);
  const batch = kc.makeApiClient(lib.BatchV1Api);
  const core = kc.makeApiClient(lib.CoreV1Api);
  const job = await batch.readNamespacedJob({ name: gate.job, namespace: gate.namespace });
  const pods = await core.listNamespacedPod({ namespace: gate.namespace, labelSelector: `job-name=${gate.job}` });
  const pod = pods.items.at(-1)?.metadata?.name;
  const log = String(pod ? await core.readNamespacedPodLog({ name: pod, namespace: gate.namespace }) : "(no pod)");
  return { passed: (job.status?.succeeded ?? 0) > 0, report: landGateReports(log, gateReportFromLog(log)) };
}

/**
 * After a failed `pulumi up`: the newest gate Job in the gate's namespace and its report, so the failure names the
 * check that failed (the provider's own error only says the Job failed). Undefined when there is no Job.
 */
export async function newestGateReport(
  placement: KubePlacement,
  namespace: string,
): Promise<{ job: string; passed: boolean; report: string } | undefined> {
  const { lib, kc } = await loadKubeConfig(placement);
  const jobs = (await kc.makeApiClient(lib.BatchV1Api).listNamespacedJob({ namespace })).items;
  const newest = jobs
    .filter((j) => j.metadata?.name)
    .sort((a, b) => (a.metadata?.creationTimestamp?.getTime() ?? 0) - (b.metadata?.creationTimestamp?.getTime() ?? 0))
    .at(-1)?.metadata?.name;
  if (!newest) return undefined;
  return { job: newest, ...(await inClusterGate(placement, { namespace, job: newest })) };
}

/**
 * When `up` failed on a stack whose gate runs in the cluster: the gate Job's report, whose failed checks say why (the
 * provider's error names only the Job). Undefined when the stack has no in-cluster gate or no Job ran.
 */
export async function failedGateReport(s: Stack): Promise<string | undefined> {
  const outputs = await s.outputs();
  const checked = validateTarget(outputs.target?.value);
  const gate = outputs.smokeGate?.value as { enabled?: boolean; namespace?: string } | undefined;
  if (!checked.ok || checked.target.placement.kind !== "kubernetes" || !gate?.enabled || !gate.namespace) return;
  const r = await newestGateReport(checked.target.placement, gate.namespace);
  if (!r || r.passed) return;
  return `    the in-cluster gate (Job ${gate.namespace}/${r.job}) failed:\n${r.report.replace(/^/gm, "      ")}`;
}

/**
 * The gate Job `up` left, run again as a copy (./gate-rerun.ts): created, waited for with a progress line on each
 * change of its pod's phase, its report read from the pod's log, and the copy deleted after (its pod with it).
 */
export async function rerunGate(
  placement: KubePlacement,
  gate: { namespace: string; job: string },
  progress: (line: string) => void,
  again: { args: readonly string[]; refuse?: (job: JobView) => string | undefined } = { args: [] },
): Promise<{ job: string; passed: boolean; report: string }> {
  const { lib, kc } = await loadKubeConfig(placement);
  const batch = kc.makeApiClient(lib.BatchV1Api);
  const core = kc.makeApiClient(lib.CoreV1Api);
  const original = await batch.readNamespacedJob({ name: gate.job, namespace: gate.namespace });
  // Refused on the Job as deployed, before the copy is created.
  const refusal = again.refuse?.(original as JobView);
  if (refusal) throw new Error(refusal);
  const copy = gateJobCopy(original as JobView, Date.now() / 1000, again.args);
  await batch.createNamespacedJob({ namespace: gate.namespace, body: copy as k8s.V1Job });
  const name = copy.metadata.name;
  try {
    const deadline = Date.now() + rerunWaitMs(original as JobView);
    let last = "";
    for (;;) {
      const job = await batch.readNamespacedJob({ name, namespace: gate.namespace });
      if (jobOutcome(job)) break;
      const pods = await core.listNamespacedPod({ namespace: gate.namespace, labelSelector: `job-name=${name}` });
      const phase =
        pods.items.map((p) => `${p.metadata?.name} ${p.status?.phase ?? "Pending"}`).join(", ") || "no pod yet";
      const how = again.args.length > 0 ? ` with ${again.args.join(" ")}` : "";
      if (phase !== last) progress(`gate Job ${gate.namespace}/${name} (a re-run of ${gate.job}${how}): ${phase}`);
      last = phase;
      if (Date.now() > deadline) throw new Error(`gate Job ${gate.namespace}/${name} did not finish: ${phase}`);
      await new Promise((r) => setTimeout(r, 3_000));
    }
    return { job: name, ...(await inClusterGate(placement, { namespace: gate.namespace, job: name })) };
  } finally {
    await batch
      .deleteNamespacedJob({ name, namespace: gate.namespace, propagationPolicy: "Background" })
      .catch((e: Error) => progress(`could not delete the re-run Job ${gate.namespace}/${name}: ${e.message}`));
  }
}

/** The gate Job `up` left, and when it was created: whether this deploy must run it again (./gate-rerun.ts). */
export async function gateJobLeftFromEarlierUp(
  placement: KubePlacement,
  gate: { namespace: string; job: string },
  upStartedMs: number,
): Promise<boolean> {
  const { lib, kc } = await loadKubeConfig(placement);
  const job = await kc.makeApiClient(lib.BatchV1Api).readNamespacedJob({ name: gate.job, namespace: gate.namespace });
  return leftFromEarlierUp(job as JobView, upStartedMs);
}

/**
 * Before the preview: each gate Job the stack's state holds (`pulumi stack export`), against the cluster's copy of it
 * (./gate-failed.ts decides). Nothing is read from the cluster when the state holds none.
 */
export async function previousGateRuns(s: Stack, cluster: KubeAccess): Promise<PreviousGateRun[]> {
  const exported = (await s.exportStack()) as { deployment?: { resources?: StateResource[] } };
  const jobs = gateJobsInState(exported.deployment?.resources ?? []);
  if (jobs.length === 0) return [];
  const { lib, kc } = await loadKubeConfig(cluster);
  const batch = kc.makeApiClient(lib.BatchV1Api);
  const read = (job: GateJobInState) =>
    batch
      .readNamespacedJob({ name: job.name, namespace: job.namespace })
      .catch((e: { code?: number; message?: string }) => {
        if (e.code === 404) return undefined;
        throw new Error(
          `cannot read the previous gate run ${job.namespace}/${job.name} (${e.message}); nothing was changed`,
        );
      });
  return Promise.all(jobs.map(async (job) => previousGateRun(job, await read(job))));
}
