// Faults on Kubernetes through the API server (@kubernetes/client-node): delete a pod with grace period 0, isolate
// a pod with a deny-all NetworkPolicy selecting only it, roll a StatefulSet by patching its pod template. These are
// exactly the permissions the in-cluster gate's ServiceAccount is granted, and nothing else.
// Types only at load time: @kubernetes/client-node is an ES module, loaded on first use (see connect()), so the
// pure parts of this file are testable under jest's CommonJS runtime.
import type * as k8s from "@kubernetes/client-node";
import type { Placement } from "../../contract/target";
import type { FaultInjector } from "./types";

type KubePlacement = Extract<Placement, { kind: "kubernetes" }>;

const isolationLabel = "messaging-platform.io/fault";

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

export class KubernetesFaults implements FaultInjector {
  readonly kind = "kubernetes" as const;
  private readonly core: k8s.CoreV1Api;
  private readonly net: k8s.NetworkingV1Api;

  private constructor(
    private readonly placement: KubePlacement,
    core: k8s.CoreV1Api,
    net: k8s.NetworkingV1Api,
  ) {
    this.core = core;
    this.net = net;
  }

  static async connect(placement: KubePlacement): Promise<KubernetesFaults> {
    const lib = await import("@kubernetes/client-node");
    const kc = new lib.KubeConfig();
    if (placement.kubeconfig) kc.loadFromFile(placement.kubeconfig);
    else kc.loadFromDefault();
    if (placement.context) kc.setCurrentContext(placement.context);
    return new KubernetesFaults(placement, kc.makeApiClient(lib.CoreV1Api), kc.makeApiClient(lib.NetworkingV1Api));
  }

  /** Pod names are the target's node names; the namespace follows from the system the pod belongs to. */
  private namespaceOf(pod: string): string {
    const p = this.placement;
    if (p.kafka.statefulSets.some((s) => pod.startsWith(`${s}-`))) return p.kafka.namespace;
    if (pod.startsWith(`${p.rabbitmq.statefulSet}-`)) return p.rabbitmq.namespace;
    throw new Error(
      `pod ${pod} belongs to none of the StatefulSets ${[...p.kafka.statefulSets, p.rabbitmq.statefulSet].join(", ")}`,
    );
  }

  async kill(node: string): Promise<void> {
    await this.core.deleteNamespacedPod({ name: node, namespace: this.namespaceOf(node), gracePeriodSeconds: 0 });
  }

  async restore(node: string): Promise<void> {
    // The StatefulSet controller recreates a deleted pod with the same name and volume; wait until it is Ready.
    const namespace = this.namespaceOf(node);
    const deadline = Date.now() + 300_000;
    while (Date.now() < deadline) {
      const pod = await this.core.readNamespacedPod({ name: node, namespace }).catch(() => undefined);
      const ready = pod?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
      if (ready && !pod?.metadata?.deletionTimestamp) return;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    throw new Error(`pod ${namespace}/${node} was not Ready again within 300 s`);
  }

  async isolate(node: string): Promise<void> {
    const namespace = this.namespaceOf(node);
    await this.net.createNamespacedNetworkPolicy({ namespace, body: isolationPolicy(namespace, node) });
  }

  async heal(node: string): Promise<void> {
    const namespace = this.namespaceOf(node);
    await this.net.deleteNamespacedNetworkPolicy({ name: `isolate-${node}`, namespace }).catch(() => undefined);
  }

  async healAll(): Promise<void> {
    for (const namespace of new Set([this.placement.kafka.namespace, this.placement.rabbitmq.namespace])) {
      const list = await this.net.listNamespacedNetworkPolicy({
        namespace,
        labelSelector: `${isolationLabel}=isolate`,
      });
      for (const np of list.items) {
        if (np.metadata?.name) await this.net.deleteNamespacedNetworkPolicy({ name: np.metadata.name, namespace });
      }
    }
  }

  async rollingRestart(
    system: "kafka" | "rabbitmq",
    waitHealthy: () => Promise<void>,
    onNode?: (node: string) => void,
  ): Promise<void> {
    // Delete pods one at a time (highest ordinal first, as the StatefulSet controller rolls) and wait for health
    // between them: the same invariant as the charts' OnDelete-free rolling update, but observable from the drill.
    const p = this.placement;
    const namespace = system === "kafka" ? p.kafka.namespace : p.rabbitmq.namespace;
    const selector = system === "kafka" ? p.kafka.podSelector : p.rabbitmq.podSelector;
    const pods = (await this.core.listNamespacedPod({ namespace, labelSelector: selector })).items
      .map((x) => x.metadata?.name ?? "")
      .filter(Boolean)
      .sort()
      .reverse();
    for (const pod of pods) {
      onNode?.(pod);
      await this.core.deleteNamespacedPod({ name: pod, namespace });
      await this.restore(pod);
      await waitHealthy();
    }
  }

  async activeKafkaController(): Promise<string> {
    throw new Error(
      "the active KRaft controller is not visible through the Kafka client API; on Kubernetes run " +
        "`kafka-metadata-quorum.sh --bootstrap-controller <pod>:9093 describe --status` in a controller pod",
    );
  }
}
