// The NetworkPolicy that isolates one pod, and the label by which healAll finds every one it created.
import type * as k8s from "@kubernetes/client-node";

export const isolationLabel = "messaging-platform.io/fault";

/** The NetworkPolicy that cuts one pod off: it selects the pod by name and allows no ingress and no egress. */
export function isolationPolicy(namespace: string, pod: string): k8s.V1NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: `isolate-${pod}`, namespace, labels: { [isolationLabel]: "isolate" } },
    spec: {
      podSelector: { matchLabels: { "statefulset.kubernetes.io/pod-name": pod } },
      policyTypes: ["Ingress", "Egress"],
      ingress: [],
      egress: [],
    },
  };
}
