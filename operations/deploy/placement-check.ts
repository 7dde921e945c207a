// The cluster side of the placement checks (the decisions are ./scheduling.ts and ../../smoke-tests/kube/rollout.ts):
// before `pulumi up`, the schedulable nodes against the StatefulSets the preview rendered; during `pulumi up`, whose
// provider awaits each StatefulSet until its own timeout, a watch for a broker pod the scheduler has refused.
import type * as k8s from "@kubernetes/client-node";
import { loadKubeConfig } from "../../contract/kube-config";
import { pulumiProject } from "../../contract/pulumi-project";
import { type KubePlacement, statefulSetsOf, unschedulable } from "../../smoke-tests/kube/rollout";
import { describePlacement, type SystemPlacement, type SystemPods } from "./placement";
import { placementRefusals, type RenderedStatefulSet, schedulableNodes } from "./scheduling";

export interface KubeAccess {
  kubeconfig?: string;
  context?: string;
}

/** The cluster a stack config names (`messaging-platform:kubernetes` kubeconfig/context), as the provider reads it. */
export function kubeAccessOf(config: Record<string, unknown>): KubeAccess {
  const k = config[`${pulumiProject}:kubernetes`];
  if (typeof k !== "object" || k === null) return {};
  const { kubeconfig, context } = k as Record<string, unknown>;
  return {
    ...(typeof kubeconfig === "string" ? { kubeconfig } : {}),
    ...(typeof context === "string" ? { context } : {}),
  };
}

/** Throws, naming each StatefulSet that cannot be placed and the nodes there are; returns what it checked. */
export async function checkPlacement(rendered: RenderedStatefulSet[], where: KubeAccess): Promise<string> {
  const { lib, kc } = await loadKubeConfig(where);
  const nodes: k8s.V1Node[] = (
    await kc
      .makeApiClient(lib.CoreV1Api)
      .listNode()
      .catch((e: Error) => {
        throw new Error(`the placement check cannot read the cluster's nodes (${e.message}); nothing was changed`);
      })
  ).items;
  const refusals = placementRefusals(rendered, nodes);
  if (refusals.length > 0) throw new Error(`${refusals.join("\n")}\nnothing was changed`);
  const names = rendered.map((r) => `${r.statefulSet.metadata?.name} ×${r.statefulSet.spec?.replicas ?? 1}`);
  return `placement: ${names.join(", ")} fit ${schedulableNodes(nodes).length} schedulable nodes`;
}

/**
 * Every few seconds until stopped: the rendered StatefulSets' pods; the first one the scheduler has refused since `up`
 * began is passed to `refused` (once), so that `pulumi up` is stopped with the scheduler's reason instead of waiting
 * for the provider's timeout (10 minutes for a StatefulSet).
 */
export function watchUnschedulable(
  rendered: RenderedStatefulSet[],
  where: KubeAccess,
  upStartedMs: number,
  refused: (why: string) => void,
): { stop: () => Promise<void> } {
  let watching = true;
  const loop = (async () => {
    const { lib, kc } = await loadKubeConfig(where);
    const core = kc.makeApiClient(lib.CoreV1Api);
    while (watching) {
      for (const { statefulSet } of rendered) {
        const namespace = statefulSet.metadata?.namespace;
        const labels = statefulSet.spec?.selector?.matchLabels;
        if (!namespace || !labels) continue;
        const labelSelector = Object.entries(labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(",");
        // The namespace may not exist yet (a first deploy): nothing to see this round.
        const pods = await core.listNamespacedPod({ namespace, labelSelector }).catch(() => ({ items: [] }));
        const why = pods.items
          .map((p) => unschedulable(p, Date.now(), { refusedSince: upStartedMs }))
          .find((x) => x !== undefined);
        if (why) {
          watching = false;
          refused(why);
          return;
        }
      }
      await new Promise((r) => setTimeout(r, 3_000));
    }
  })().catch(() => undefined);
  return {
    stop: async () => {
      watching = false;
      await loop;
    },
  };
}

/** Each StatefulSet's pods and the node each runs on, with the nodes' zones (../placement.ts words it). */
export async function readPlacement(placement: KubePlacement): Promise<SystemPlacement[]> {
  const { lib, kc } = await loadKubeConfig(placement);
  const core = kc.makeApiClient(lib.CoreV1Api);
  const apps = kc.makeApiClient(lib.AppsV1Api);
  const systems: SystemPods[] = [];
  for (const { namespace, name } of statefulSetsOf(placement)) {
    const sts = await apps.readNamespacedStatefulSet({ name, namespace });
    const labelSelector = Object.entries(sts.spec?.selector?.matchLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
    systems.push({ system: name, pods: (await core.listNamespacedPod({ namespace, labelSelector })).items });
  }
  return describePlacement(systems, (await core.listNode()).items);
}
