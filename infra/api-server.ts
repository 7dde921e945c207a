// What the program reads from the cluster itself, outside the provider: where pods reach the Kubernetes API (the
// `kubernetes` Service's EndpointSlices), for the in-cluster gate's NetworkPolicy. A plain read through the same
// kubeconfig and context as the provider, at preview and at up, not a resource: nothing of it lands in the state.
import { homedir } from "node:os";
import type { KubernetesSettings } from "./settings/kubernetes";
import { type ApiServerEgress, apiServerEgress, type EndpointSliceLike } from "./values/smoke-gate";

export async function readApiServerEgress(k: KubernetesSettings): Promise<ApiServerEgress> {
  // An ES module: loaded on use, so that the rest of the program (and jest's CommonJS runtime) never needs it.
  const lib = await import("@kubernetes/client-node");
  const kc = new lib.KubeConfig();
  // `~/` as the Pulumi provider reads it (stack config kubernetes.kubeconfig).
  const file = k.kubeconfig?.replace(/^~(?=\/)/, homedir());
  let where = `the kubeconfig ${file ?? "$KUBECONFIG or ~/.kube/config"}`;
  try {
    if (file) kc.loadFromFile(file);
    else kc.loadFromDefault();
    if (k.context) kc.setCurrentContext(k.context);
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
