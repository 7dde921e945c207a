// The StatefulSets of a Kubernetes placement and this project's own rollout await: on @pulumi/kubernetes 4.25.0 the
// provider's StatefulSet await does not compare observedGeneration, so a rollout it reports done may not have started.
// Shared by the deploy command, the in-cluster gate, the faults and e2e; it imports only the contract.
import type * as k8s from "@kubernetes/client-node";
import { loadKubeConfig } from "../../contract/kube-config";
import type { Placement } from "../../contract/target";

export type KubePlacement = Extract<Placement, { kind: "kubernetes" }>;

export interface RolloutView {
  name: string;
  generation?: number;
  replicas?: number;
  status?: {
    observedGeneration?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
  };
}

/** A pod as the API returns it (the fields the rollout reads). */
export interface PodView {
  metadata?: { name?: string; namespace?: string };
  spec?: { nodeName?: string };
  status?: {
    conditions?: Array<{
      type?: string;
      status?: string;
      reason?: string;
      message?: string;
      lastTransitionTime?: Date | string;
    }>;
  };
}

/**
 * How long a pod may stay refused before the wait gives up on it: a `local` volume released by a destroyed claim is
 * made Available again by its node's reclaimer within seconds (cluster/volume-reclaimer.sh), and the scheduler then
 * places the pod; a refusal by anti-affinity or missing nodes lasts.
 */
export const unschedulableGraceMs = 15_000;

/**
 * The scheduler's own verdict on a pod it could not place (PodScheduled False, reason Unschedulable, for longer than
 * the grace): the pod's name and the scheduler's message; undefined while it may still place it. With `refusedSince`,
 * only a refusal that began then or later counts (during `pulumi up`: a pod stuck from before is one `up` may replace).
 */
export function unschedulable(
  pod: PodView,
  now: number,
  o: { graceMs?: number; refusedSince?: number } = {},
): string | undefined {
  const c = pod.status?.conditions?.find((x) => x.type === "PodScheduled");
  if (c?.status !== "False" || c.reason !== "Unschedulable") return undefined;
  const since = c.lastTransitionTime === undefined ? Number.NaN : new Date(c.lastTransitionTime).getTime();
  if (now - since < (o.graceMs ?? unschedulableGraceMs)) return undefined;
  if (o.refusedSince !== undefined && !(since >= o.refusedSince)) return undefined;
  const name = `${pod.metadata?.namespace ? `${pod.metadata.namespace}/` : ""}${pod.metadata?.name ?? "(unnamed)"}`;
  return `${name} cannot be scheduled: ${c.message ?? "(the scheduler gave no message)"}`;
}

/** Done only when the controller has seen the latest spec and every replica runs it and is Ready. */
export function rolloutState(s: RolloutView): { done: boolean; detail: string } {
  const want = s.replicas ?? 1;
  const st = s.status ?? {};
  if ((st.observedGeneration ?? 0) < (s.generation ?? 0)) {
    return {
      done: false,
      detail: `${s.name}: generation ${s.generation} not yet observed (${st.observedGeneration ?? 0})`,
    };
  }
  if (st.updateRevision && st.currentRevision !== st.updateRevision) {
    return { done: false, detail: `${s.name}: rolling, ${st.updatedReplicas ?? 0}/${want} updated` };
  }
  if ((st.updatedReplicas ?? 0) < want || (st.readyReplicas ?? 0) < want) {
    return {
      done: false,
      detail: `${s.name}: ${st.readyReplicas ?? 0}/${want} ready, ${st.updatedReplicas ?? 0}/${want} updated`,
    };
  }
  return { done: true, detail: `${s.name}: ${want}/${want} ready at generation ${s.generation}` };
}

/** The StatefulSets of the placement (of one system when named), each with its namespace. */
export function statefulSetsOf(
  p: KubePlacement,
  system?: "kafka" | "rabbitmq",
): Array<{ namespace: string; name: string }> {
  return [
    ...(system !== "rabbitmq" ? p.kafka.statefulSets.map((name) => ({ namespace: p.kafka.namespace, name })) : []),
    ...(system !== "kafka" ? [{ namespace: p.rabbitmq.namespace, name: p.rabbitmq.statefulSet }] : []),
  ];
}

export async function waitRolledOut(
  placement: KubePlacement,
  timeoutMs: number,
  progress: (line: string) => void,
  system?: "kafka" | "rabbitmq",
): Promise<string> {
  const { lib, kc } = await loadKubeConfig(placement);
  const apps = kc.makeApiClient(lib.AppsV1Api);
  const core = kc.makeApiClient(lib.CoreV1Api);
  const deadline = Date.now() + timeoutMs;
  const done: string[] = [];
  for (const { namespace, name } of statefulSetsOf(placement, system)) {
    let last = "";
    for (;;) {
      const sts: k8s.V1StatefulSet = await apps.readNamespacedStatefulSet({ name, namespace });
      const state = rolloutState({
        name: `${namespace}/${name}`,
        generation: sts.metadata?.generation,
        replicas: sts.spec?.replicas,
        status: sts.status,
      });
      if (state.done) {
        done.push(state.detail);
        break;
      }
      // A pod the scheduler has refused (anti-affinity, no node left) will not be placed by waiting: say why now.
      const labelSelector = Object.entries(sts.spec?.selector?.matchLabels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
      const pods = labelSelector ? (await core.listNamespacedPod({ namespace, labelSelector })).items : [];
      const refused = pods.map((p) => unschedulable(p, Date.now())).filter((x) => x !== undefined);
      if (refused.length > 0) throw new Error(`not rolled out: ${refused.join("; ")}`);
      if (state.detail !== last) progress(`waiting: ${state.detail}`);
      last = state.detail;
      if (Date.now() > deadline) throw new Error(`not rolled out within ${timeoutMs / 1000} s: ${state.detail}`);
      await new Promise((r) => setTimeout(r, 2_000));
    }
  }
  return done.join("; ");
}
