// What the program reads from the cluster itself, outside the provider: where pods reach the Kubernetes API (the
// `kubernetes` Service's EndpointSlices), for the in-cluster gate's NetworkPolicy. A plain read through the same
// kubeconfig and context as the provider, at preview and at up, not a resource: nothing of it lands in the state.
import { loadKubeConfig } from "../contract/kube-config";
import type { KubernetesSettings } from "./settings/kubernetes";
import { type ApiServerEgress, apiServerEgress, type EndpointSliceLike } from "./values/smoke-gate";

export async function readApiServerEgress(k: KubernetesSettings): Promise<ApiServerEgress> {
  let where = `the kubeconfig ${k.kubeconfig ?? "$KUBECONFIG or ~/.kube/config"}`;
  try {
    const { lib, kc } = await loadKubeConfig(k);
    where = `${kc.getCurrentCluster()?.server ?? "the cluster"} (context ${kc.getCurrentContext()})`;
    const list = await kc
      .makeApiClient(lib.DiscoveryV1Api)
      .listNamespacedEndpointSlice({ namespace: "default", labelSelector: "kubernetes.io/service-name=kubernetes" });
    return apiServerEgress(list.items as EndpointSliceLike[]);
  } catch (e) {
    throw new Error(
      `reading the API server's endpoints from ${where} (EndpointSlices of the kubernetes Service in namespace default, for the in-cluster gate's NetworkPolicy): ${(e as Error).message}`,
    );
  }
}
