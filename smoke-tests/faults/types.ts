// The Jepsen "nemesis": one interface for breaking nodes, with each fault paired with its heal. Two
// implementations: the embedded environment's processes and namespaces (embedded.ts) and Kubernetes pods (kubernetes.ts).
// The same drills run on both.

export type FaultAction = "kill" | "stop" | "start" | "pause" | "resume" | "isolate" | "heal";

export interface FaultInjector {
  readonly kind: "embedded" | "kubernetes";
  /** Hard kill: SIGKILL on the embedded nodes, pod delete with grace period 0 on Kubernetes. */
  kill(node: string): Promise<void>;
  /** Brings a killed or stopped node back (embedded: start it; on Kubernetes the StatefulSet recreates the pod, so wait). */
  restore(node: string): Promise<void>;
  /** A real network partition: the node can reach no peer and no client, and nobody can reach it. */
  isolate(node: string): Promise<void>;
  heal(node: string): Promise<void>;
  /** Graceful restart of every node of one system, one at a time, each waiting for the cluster to be healthy. */
  rollingRestart(
    system: "kafka" | "rabbitmq",
    waitHealthy: () => Promise<void>,
    onNode?: (node: string) => void,
  ): Promise<void>;
  /** The active KRaft controller (the admin API only shows clients a random broker, so this is placement-specific). */
  activeKafkaController(): Promise<string>;
  /** Removes every fault this injector applied (isolations), for cleanup after a failed drill. */
  healAll(): Promise<void>;
}
