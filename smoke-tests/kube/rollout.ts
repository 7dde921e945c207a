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
      if (state.detail !== last) progress(`waiting: ${state.detail}`);
      last = state.detail;
      if (Date.now() > deadline) throw new Error(`not rolled out within ${timeoutMs / 1000} s: ${state.detail}`);
      await new Promise((r) => setTimeout(r, 2_000));
    }
  }
  return done.join("; ");
}
