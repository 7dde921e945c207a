// The Jepsen "nemesis": one interface for breaking nodes, with each fault paired with its heal. Two
// implementations: the embedded environment's processes and namespaces (embedded.ts) and Kubernetes pods
// (kubernetes-faults.ts). The same drills run on both.

import type { SystemName } from "../../contract/systems";
import type { EvictionOutcome } from "./drain";
import type { LostClaim } from "./lost-claims";
import type { QuorumVoter, RabbitClusterStatus } from "./node-lost";
import type { NodeReading } from "./node-states";

export type FaultAction = "kill" | "stop" | "start" | "pause" | "resume" | "isolate" | "heal";

/** When a fault took effect (epoch ms): recovery is timed from it, not from when the fault was asked for. */
export interface Landed {
  landedAt: number;
}

/**
 * How a killed broker comes back. `hold-down`: it stays down until the drill restores it (the embedded default's only
 * kill: a killed node has nothing that restarts it; on Kubernetes the charts' hold-down hook keeps the restarted
 * container waiting). `crash-restart`: the kubelet restarts it within seconds (Kubernetes only). Two different faults.
 * `decoy` is a deliberate break, not a fault: it SIGKILLs a process started for the purpose beside the broker, which
 * lands and disrupts nothing, so that a run shows "fault took effect", the writes' "not disrupted" and "the platform
 * noticed" failing for real (Kubernetes only).
 */
export type KillMode = "hold-down" | "crash-restart" | "decoy";

/** When a held-down node was let go (epoch ms); absent when nothing held it (a crash-restart kill, a pod deletion). */
export interface Released {
  releasedAt?: number;
}

/** What a kill left behind to show it was one: a drill counts the fault only when `bySigkill` holds. */
export interface KillEvidence extends Landed {
  /** The broker died by SIGKILL: no shutdown hook, no controlled shutdown. */
  bySigkill: boolean;
  /** For the report: how it was killed and what was seen (e.g. the container's exit code and reason). */
  detail: string;
}

/** What a StatefulSet roll did to one system's pods (see foldRoll). */
export interface RollObservation {
  pods: string[];
  /** Pods now running as a new pod (another uid) under the same name. */
  replaced: string[];
  /** The order in which pods went down. */
  order: string[];
  /** The most pods of one StatefulSet missing or not Ready at the same moment. */
  mostDownAtOnce: number;
  samples: number;
}

export interface RollWatch {
  /** Waits until the roll is done (every pod on the latest spec and Ready), then returns what it saw. */
  stop(timeoutMs?: number): Promise<RollObservation>;
}

/** One broker setting flipped through stack config (see stack-update.ts `rollSettings`). */
export interface SettingChange {
  system: "kafka" | "rabbitmq";
  key: string;
  from: unknown;
  to: number;
  /** The values file already says `to`: the stack's own override is removed instead of written (one key, written once). */
  dropOverride: boolean;
}

/** The Pulumi stack behind a target, as the rolling-update drill changes it (stack-update.ts). */
export interface StackChanger {
  readonly stack: string;
  plan(system: "kafka" | "rabbitmq"): SettingChange;
  /** `pulumi up` with the setting changed; resolves with what Pulumi changed. */
  change(change: SettingChange): Promise<string>;
  /** `pulumi up` from the stack's own config again. */
  restore(): Promise<string>;
}

/**
 * A whole Kubernetes node failing: where the nodes are this machine's (cluster/: a network namespace and a cgroup per
 * node), operations/ provides it; a real cluster's nodes cannot be frozen from a drill, and the node drills say so.
 */
export interface NodeControl {
  /** The cluster's nodes, by name. */
  nodes(): Promise<string[]>;
  /**
   * Every process of the node frozen and its traffic dropped (not rejected: no reset, no ICMP reaches anyone), as a
   * hung machine or a pulled cable looks to its peers; resolves once both are in place.
   */
  freeze(node: string): Promise<Landed>;
  /** Its traffic let through and its processes thawed. */
  thaw(node: string): Promise<void>;
  /**
   * A node gone for good with its disk: its processes killed, its Node object and volumes deleted, its directories
   * wiped; resolves once it is gone.
   */
  remove(node: string): Promise<Landed>;
  /** A new, empty node joins the cluster under this name; resolves once it is Ready. */
  join(node: string): Promise<void>;
  /** The name a node joining in place of `removed` would take now, or the refusal naming the limit. */
  replacementFor(removed: string): Promise<string>;
}

/** A pod as a node drain watches it (Kubernetes only). */
export interface PodState {
  namespace: string;
  uid: string;
  ready: boolean;
  /**
   * Since when it is Ready (epoch ms): its Ready condition's lastTransitionTime, as the control plane recorded it (whole
   * seconds), so a drill need not race the disruption budget to see it.
   */
  readySince?: number;
  /** The node it is scheduled on; absent while it is Pending unscheduled. */
  node?: string;
  phase?: string;
}

/** A whole-cluster restart (restart-all): every broker pod of both systems, as they were, and whether it was a power cut. */
export interface RestartEvidence extends Landed {
  /** Every pod the StatefulSets of both systems should run, with its uid before the restart. */
  before: PodBefore[];
  /** Every broker SIGKILLed, every pod deleted and seen replaced (see judgeRestart). */
  tookEffect: boolean;
  detail: string;
}

export interface FaultInjector {
  readonly kind: "embedded" | "kubernetes";
  /**
   * Hard kill, no graceful shutdown: SIGKILL to every process of the embedded node; on Kubernetes SIGKILL by exec in
   * the broker's container (the pods share their PID namespace, so the broker is not PID 1), the pod left in place.
   * `mode` says how it comes back (see KillMode; killModesOf says which modes each injector offers): with
   * `hold-down` it stays down until `restore`, and where it cannot be held the kill fails saying so, never falling back
   * to a crash and restart.
   */
  kill(node: string, mode: KillMode): Promise<KillEvidence>;
  /**
   * Brings a killed or stopped node back and waits for it (embedded: start it; on Kubernetes: let a held-down
   * container go, then wait until the pod is Ready), resolving with when a held-down node was let go.
   */
  restore(node: string): Promise<Released>;
  /** A real network partition: the node can reach no peer and no client, and nobody can reach it. */
  isolate(node: string): Promise<Landed>;
  heal(node: string): Promise<void>;
  /**
   * Where isolation is built from parts that can leak (NetworkPolicies add up): whether a peer really cannot reach
   * the isolated node, and for a RabbitMQ node that led `queue`, whether the queue's other members elected a leader
   * without it (its peers saw it down). Absent where isolation drops everything by construction (the embedded
   * namespaces).
   */
  confirmIsolated?(node: string, queue?: string): Promise<{ isolated: boolean; detail: string }>;
  /** Graceful restart of every node of one system, one at a time, each waiting for the cluster to be healthy. */
  rollingRestart(
    system: "kafka" | "rabbitmq",
    waitHealthy: () => Promise<void>,
    onNode?: (node: string) => void,
  ): Promise<void>;
  /**
   * Watches one system's pods while something else rolls them (a `pulumi up` that changed the pod template). Only
   * where pods are replaced by a controller (Kubernetes).
   */
  watchRoll?(system: "kafka" | "rabbitmq"): RollWatch;
  /** The active KRaft controller (the admin API only shows clients a random broker, so this is placement-specific). */
  activeKafkaController(): Promise<string>;
  /** The node a pod runs on (Kubernetes only). */
  nodeOf?(pod: string): Promise<string>;
  /** A node's Ready condition as the control plane has it: "True", "False" or "Unknown" (Kubernetes only). */
  nodeReady?(node: string): Promise<string>;
  /** The cluster's nodes, by name (Kubernetes only). */
  clusterNodes?(): Promise<string[]>;
  /** Every Node with its Ready condition and whether it is cordoned, for the report's node lanes (Kubernetes only). */
  nodeReadings?(): Promise<NodeReading[]>;
  /** Marks a node unschedulable, as `kubectl cordon` does (Kubernetes only). */
  cordon?(node: string): Promise<void>;
  /** Schedulable again, as `kubectl uncordon` does (Kubernetes only). */
  uncordon?(node: string): Promise<void>;
  /** The pods a drain of `node` evicts (see drain.ts drainable) (Kubernetes only). */
  podsOn?(node: string): Promise<Array<{ namespace: string; name: string }>>;
  /** One eviction through the Eviction API (policy/v1), which a PodDisruptionBudget may refuse (Kubernetes only). */
  evict?(namespace: string, pod: string): Promise<EvictionOutcome>;
  /** A broker pod now; undefined while none of that name exists (Kubernetes only). */
  podState?(pod: string): Promise<PodState | undefined>;
  /**
   * A power cut of the whole cluster (Kubernetes only): the broker of every pod of every StatefulSet of both systems
   * SIGKILLed at once, then every pod deleted with grace period 0; resolves once each was seen gone or replaced.
   */
  restartAll?(): Promise<RestartEvidence>;
  /** One look at every broker pod of one system: name, uid, Ready (Kubernetes only). */
  brokerPods?(system: "kafka" | "rabbitmq"): Promise<PodSample[]>;
  /**
   * What an operator does for a StatefulSet pod whose disk is gone for good (Kubernetes only): its claims (those of its
   * StatefulSet's volumeClaimTemplates) deleted, then the pod (grace 0), so the StatefulSet recreates both; resolves
   * once the old claims are gone, with what was done.
   */
  releaseClaims?(pod: string): Promise<string>;
  /** Every claim bound to a volume pinned to `node` (Kubernetes only): after a node is lost, disks that are gone. */
  claimsOnNode?(node: string): Promise<LostClaim[]>;
  /**
   * A claim whose volume went with a lost node, deleted (with any pod that still names it, which could only wait for
   * the lost disk) and made again empty under the same name and spec, so its owner's next pod binds a new volume
   * (Kubernetes only); resolves with what was done.
   */
  recreateClaim?(claim: LostClaim): Promise<string>;
  /** The KRaft quorum's voters with their directory ids, read in a running controller pod (Kubernetes only). */
  kafkaVoters?(): Promise<QuorumVoter[]>;
  /** `kafka-metadata-quorum remove-controller` of one voter, run in a running controller pod: its output (Kubernetes only). */
  removeKafkaVoter?(voter: QuorumVoter): Promise<string>;
  /** RabbitMQ's cluster as the node in `pod` sees it (Kubernetes only). */
  rabbitmqClusterStatus?(pod: string): Promise<RabbitClusterStatus>;
  /** `rabbitmqctl forget_cluster_node <erlangNode>` run in the surviving `pod`: whether it succeeded, and its output. */
  forgetRabbitmqNode?(pod: string, erlangNode: string): Promise<{ ok: boolean; out: string }>;
  /** Removes every fault this injector applied (isolations), for cleanup after a failed drill. */
  healAll(): Promise<void>;
}

/** One look at one broker pod during a roll. */
export interface PodSample {
  name: string;
  uid: string;
  ready: boolean;
}

/** A broker pod a StatefulSet should run, as it was before the restart. */
export interface PodBefore {
  system: SystemName;
  namespace: string;
  name: string;
  uid: string;
}
