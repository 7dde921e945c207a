// Faults on Kubernetes through the API server (@kubernetes/client-node): SIGKILL the broker by exec in its container
// (not a pod delete: even with grace period 0 the kubelet sends SIGTERM first, and Kafka then shuts down cleanly),
// isolate a pod by labelling it out of the charts' allow policies and adding a deny-all NetworkPolicy selecting only
// it, roll a StatefulSet by deleting its pods one at a time. These are exactly the permissions the in-cluster gate's
// ServiceAccount is granted (charts/smoke-gate rbac.yaml), and nothing else.
// Types only at load time: @kubernetes/client-node is an ES module, loaded on first use (see connect()), so the
// pure parts of this file are testable under jest's CommonJS runtime.

import { spawnSync } from "node:child_process";
import { Writable } from "node:stream";
import type * as k8s from "@kubernetes/client-node";
import { isolatedPodLabel } from "../../contract/fault-labels";
import { loadKubeConfig } from "../../contract/kube-config";
import { type KubePlacement, waitRolledOut } from "../kube/rollout";
import type { FaultInjector, KillEvidence, Landed, RollObservation, RollWatch } from "./types";

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

/**
 * Run in the broker's container: SIGKILL every process this user may signal, except the shell itself and PID 1 (the
 * pod's pause process, as the pod shares one PID namespace). Prints "pid comm" per process killed.
 */
export const killEverythingScript =
  'for d in /proc/[0-9]*; do p=${d#/proc/}; if [ "$p" != 1 ] && [ "$p" != $$ ]; then ' +
  'c=$(cat "$d/comm" 2>/dev/null); if kill -KILL "$p" 2>/dev/null; then echo "$p $c"; fi; fi; done';

/**
 * Run in a peer's container with bash: try each port of the isolated pod for 2 s. "open": connected, packets got
 * through; "refused": rejected (kube-router REJECTs what a policy denies; a closed port would too); "blocked": the SYN
 * was dropped. bash's /dev/tcp, as the images have no nc.
 */
export function reachScript(ip: string, ports: number[]): string {
  return (
    `for p in ${ports.join(" ")}; do (exec 3<>/dev/tcp/${ip}/$p) 2>/dev/null & c=$!; sleep 2; ` +
    `if kill -0 $c 2>/dev/null; then kill $c; echo "$p blocked"; elif wait $c; then echo "$p open"; ` +
    `else echo "$p refused"; fi; done`
  );
}

/**
 * Isolated when no port let a connection through. `listening` must hold (the broker's container is running, so its
 * ports are bound): then a refusal is the policy's, not a dead listener's.
 */
export function judgeReach(out: string, ports: number[], listening: boolean): { isolated: boolean; detail: string } {
  const seen = new Map(
    out
      .trim()
      .split("\n")
      .map((l) => l.trim().split(" ") as [string, string])
      .filter(([p, v]) => p && v),
  );
  const answered = ports.every((p) => ["blocked", "refused", "open"].includes(seen.get(String(p)) ?? ""));
  const through = ports.filter((p) => seen.get(String(p)) === "open");
  const described = ports.map((p) => `${p} ${seen.get(String(p)) ?? "no answer from the probe"}`).join(", ");
  if (!listening) return { isolated: false, detail: `${described}; the broker's container is not running` };
  return { isolated: answered && through.length === 0, detail: described };
}

/** Run in a RabbitMQ pod: each member of a quorum queue as this node sees it (Raft state, term). */
export function quorumStatusCommand(queue: string): string[] {
  return ["rabbitmq-queues", "quorum_status", queue, "--formatter", "json"];
}

/**
 * Pure: whether a peer sees the isolated pod's node down, from the peer's `quorum_status` of a queue the pod led: the
 * other members elected a leader among themselves. (Their Erlang distribution still lists the node until
 * net_ticktime, 60 s by default, has passed: seen on this project's cluster 30 s into an isolation.) Undefined when the
 * output is not the status list (the CLI could not ask).
 */
export function peersElectedWithout(out: string, pod: string): { seen: boolean; detail: string } | undefined {
  const start = out.indexOf("[");
  const end = out.lastIndexOf("]");
  if (start === -1 || end < start) return undefined;
  let members: unknown;
  try {
    members = JSON.parse(out.slice(start, end + 1));
  } catch {
    return undefined;
  }
  if (!Array.isArray(members)) return undefined;
  const list = members as Array<Record<string, unknown>>;
  const host = (name: unknown) =>
    String(name)
      .replace(/^[^@]*@/, "")
      .split(".")[0];
  const detail = list.map((m) => `${host(m["Node Name"])} ${m["Raft State"]} (term ${m.Term || "?"})`).join(", ");
  const leader = list.find((m) => m["Raft State"] === "leader" && host(m["Node Name"]) !== pod);
  return { seen: leader !== undefined, detail };
}

/**
 * Run in a Kafka controller pod: the quorum's status, through the controller listener with the chart's client config.
 * awk reads the controller's password from its file and puts it in literally (index/substr, not a sed replacement):
 * it is on no command line (the pod shares one PID namespace; /proc/<pid>/cmdline is world-readable), whatever its
 * characters. The filled config is private (umask 077).
 */
export const quorumStatusScript =
  "f=/tmp/kafka/quorum-client.properties; (umask 077; awk '" +
  'BEGIN { p = "/etc/kafka/users/controller"; while ((r = (getline l < p)) > 0) pw = pw (n++ ? "\\n" : "") l; ' +
  'if (r < 0) { print "cannot read " p > "/dev/stderr"; exit 1 }; sub(/\\n+$/, "", pw); t = "@CONTROLLER_PASSWORD@" } ' +
  '{ s = $0; o = ""; while ((i = index(s, t)) > 0) { o = o substr(s, 1, i - 1) pw; s = substr(s, i + length(t)) }; ' +
  "print o s }' /etc/kafka/config/client-controller.properties > $f) && /opt/kafka/bin/kafka-metadata-quorum.sh " +
  "--bootstrap-controller localhost:$CONTROLLER_PORT --command-config $f describe --status 2>&1";

/** `describe --status` → the leader's pod: the voter whose id is LeaderId, named by its endpoint's first label. */
export function leaderFromQuorumStatus(out: string): string | undefined {
  const leaderId = /^LeaderId:\s+(\d+)/m.exec(out)?.[1];
  const voters = /^CurrentVoters:\s+(\[.*\])\s*$/m.exec(out)?.[1];
  if (!leaderId || !voters) return undefined;
  const list = JSON.parse(voters) as Array<{ id: number; endpoints: string[] }>;
  const endpoint = list.find((v) => String(v.id) === leaderId)?.endpoints[0];
  return endpoint ? /^[A-Z_]+:\/\/([^.:]+)/.exec(endpoint)?.[1] : undefined;
}

/** What the container's last termination says about how it died: exit code 137 is 128 + 9, SIGKILL. */
export function describeTermination(
  container: string,
  t: Pick<k8s.V1ContainerStateTerminated, "exitCode" | "signal" | "reason">,
): Omit<KillEvidence, "landedAt"> {
  const bySigkill = t.exitCode === 137 || t.signal === 9;
  const how = `exit code ${t.exitCode}${bySigkill ? " (SIGKILL)" : ""}${t.reason ? `, reason ${t.reason}` : ""}`;
  return { bySigkill, detail: `container ${container} terminated: ${how}` };
}

/**
 * Pure: when the kill took effect, epoch ms. The container's `finishedAt` says when its main process died, but only to
 * the second (RFC 3339 without fractions), so it is bounded by the exec: not before the exec began, not after it
 * ended (the broker was dead by then). A `finishedAt` before the exec began is an earlier death, not ours: then the
 * exec's end is all we know.
 */
export function killLandedAt(execStartedAt: number, execEndedAt: number, finishedAt?: Date | string): number {
  const finished = finishedAt === undefined ? Number.NaN : new Date(finishedAt).getTime();
  // One second of slack: finishedAt is truncated to its second, so our kill may show up to 999 ms early.
  if (Number.isNaN(finished) || finished + 1000 <= execStartedAt) return execEndedAt;
  return Math.min(execEndedAt, Math.max(execStartedAt, finished));
}

/**
 * A NetworkPolicy governs new connections: kube-router (like kube-proxy and most CNIs) accepts packets of
 * connections the kernel already tracks, so a broker's open connections to its peers would outlive the isolation
 * (seen on this project's cluster: 60 s after the deny-all, the isolated broker was still in every ISR). Run on a node
 * of the cluster (this project's cluster: the machine itself) with conntrack, the pod's tracked connections are
 * forgotten, so their next packets are judged by the policies and dropped. Elsewhere this does nothing, and the
 * drill's effect check says whether the isolation took hold.
 */
export function forgetConnections(podIp: string, env: NodeJS.ProcessEnv = process.env): void {
  if (env.KUBERNETES_SERVICE_HOST || !/^[0-9.]+$/.test(podIp)) return;
  // conntrack exits 1 when nothing matched, and is absent off a node: neither is an error here.
  for (const side of ["--orig-src", "--orig-dst"]) spawnSync("conntrack", ["-D", side, podIp], { stdio: "ignore" });
}

/** One look at one broker pod during a roll. */
export interface PodSample {
  name: string;
  uid: string;
  ready: boolean;
}

/**
 * Pure: what a roll did, from the pods before it and samples taken during it. A pod counts as replaced when its name
 * now belongs to a new pod (another uid). "Down at once" counts, per StatefulSet, the pods missing or not Ready in
 * one sample: a roll that keeps one at a time never exceeds 1.
 */
export function foldRoll(before: PodSample[], samples: PodSample[][]): RollObservation {
  const statefulSetOf = (pod: string) => pod.slice(0, pod.lastIndexOf("-"));
  const names = before.map((p) => p.name).sort();
  const mostDown = new Map<string, number>();
  const order: string[] = [];
  for (const sample of samples) {
    const byName = new Map(sample.map((p) => [p.name, p]));
    const down = new Map<string, number>();
    for (const name of names) {
      if (byName.get(name)?.ready) continue;
      if (!order.includes(name)) order.push(name);
      down.set(statefulSetOf(name), (down.get(statefulSetOf(name)) ?? 0) + 1);
    }
    for (const [sts, n] of down) mostDown.set(sts, Math.max(mostDown.get(sts) ?? 0, n));
  }
  const last = new Map((samples.at(-1) ?? []).map((p) => [p.name, p]));
  const uidBefore = new Map(before.map((p) => [p.name, p.uid]));
  const replaced = names.filter((n) => last.get(n) && last.get(n)?.uid !== uidBefore.get(n));
  return {
    pods: names,
    replaced,
    order,
    mostDownAtOnce: Math.max(0, ...mostDown.values()),
    samples: samples.length,
  };
}

export class KubernetesFaults implements FaultInjector {
  readonly kind = "kubernetes" as const;
  private readonly core: k8s.CoreV1Api;
  private readonly net: k8s.NetworkingV1Api;

  private constructor(
    private readonly placement: KubePlacement,
    private readonly lib: typeof k8s,
    private readonly kc: k8s.KubeConfig,
  ) {
    this.core = kc.makeApiClient(lib.CoreV1Api);
    this.net = kc.makeApiClient(lib.NetworkingV1Api);
  }

  static async connect(placement: KubePlacement): Promise<KubernetesFaults> {
    const { lib, kc } = await loadKubeConfig(placement);
    return new KubernetesFaults(placement, lib, kc);
  }

  /**
   * Runs a command in a pod's broker container (its first; read from the pod when the caller does not know it);
   * resolves with its output once the exec ends (however it ends).
   */
  private async exec(
    namespace: string,
    pod: string,
    command: string[],
    container?: string,
  ): Promise<{ out: string; status: string }> {
    const name =
      container ?? (await this.core.readNamespacedPod({ name: pod, namespace })).spec?.containers[0]?.name ?? "";
    let out = "";
    const sink = new Writable({
      write(chunk, _enc, done) {
        out += String(chunk);
        done();
      },
    });
    return new Promise((resolve, reject) => {
      new this.lib.Exec(this.kc)
        .exec(namespace, pod, name, command, sink, sink, null, false, (st) =>
          resolve({ out, status: `${st.status ?? "?"}${st.message ? `: ${st.message}` : ""}` }),
        )
        .then((ws) => ws.on("close", () => resolve({ out, status: "closed" })))
        .catch(reject);
    });
  }

  private async containerStatus(namespace: string, pod: string): Promise<k8s.V1ContainerStatus | undefined> {
    const p = await this.core.readNamespacedPod({ name: pod, namespace }).catch(() => undefined);
    const name = p?.spec?.containers[0]?.name;
    return p?.status?.containerStatuses?.find((c) => c.name === name);
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

  async kill(node: string): Promise<KillEvidence> {
    const namespace = this.namespaceOf(node);
    const before = await this.containerStatus(namespace, node);
    if (!before) throw new Error(`pod ${namespace}/${node} has no running broker container to kill`);
    // The exec's own shell dies with the container, so how the exec ends says nothing; the container status does.
    const execStartedAt = Date.now();
    const { out } = await this.exec(namespace, node, ["sh", "-c", killEverythingScript], before.name).catch(
      (e: Error) => ({ out: `(exec: ${e.message})` }),
    );
    const execEndedAt = Date.now();
    const killed = out.trim().split("\n").filter(Boolean).join(", ") || "nothing";
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const now = await this.containerStatus(namespace, node);
      const t = now?.lastState?.terminated;
      if (now && now.restartCount > before.restartCount && t) {
        const e = describeTermination(now.name, t);
        return {
          ...e,
          detail: `SIGKILL by exec (${killed}); ${e.detail}`,
          landedAt: killLandedAt(execStartedAt, execEndedAt, t.finishedAt),
        };
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    return {
      bySigkill: false,
      detail: `SIGKILL by exec (${killed}), but ${namespace}/${node}'s container did not restart within 30 s`,
      landedAt: execEndedAt,
    };
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

  /** Labels the pod in or out of the charts' allow policies (null removes the label, as a merge patch does). */
  private async labelIsolated(namespace: string, pod: string, value: "true" | null): Promise<void> {
    const { setHeaderOptions, PatchStrategy } = this.lib;
    await this.core.patchNamespacedPod(
      { name: pod, namespace, body: { metadata: { labels: { [isolatedPodLabel]: value } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
  }

  async isolate(node: string): Promise<Landed> {
    const namespace = this.namespaceOf(node);
    // Deny first, then leave the allow policies: at no moment is the pod selected by an allow alone.
    await this.net.createNamespacedNetworkPolicy({ namespace, body: isolationPolicy(namespace, node) });
    await this.labelIsolated(namespace, node, "true");
    const ip = (await this.core.readNamespacedPod({ name: node, namespace })).status?.podIP;
    if (ip) forgetConnections(ip);
    // The rules are in and the tracked connections forgotten: the earliest moment the cut can hold.
    return { landedAt: Date.now() };
  }

  async confirmIsolated(node: string, queue?: string): Promise<{ isolated: boolean; detail: string }> {
    const namespace = this.namespaceOf(node);
    const pod = await this.core.readNamespacedPod({ name: node, namespace });
    const ip = pod.status?.podIP;
    const ports = (pod.spec?.containers[0]?.ports ?? []).map((p) => p.containerPort);
    const prefix = node.slice(0, node.lastIndexOf("-") + 1);
    const peer = (await this.core.listNamespacedPod({ namespace })).items.find(
      (p) => p.metadata?.name?.startsWith(prefix) && p.metadata.name !== node && p.status?.phase === "Running",
    );
    const peerName = peer?.metadata?.name;
    if (!ip || !peerName || ports.length === 0) {
      return { isolated: false, detail: `no peer pod, pod IP or port to probe ${node} from` };
    }
    const container = peer.spec?.containers[0]?.name;
    const probe = ["bash", "-c", reachScript(ip, ports)];
    const { out } = await this.exec(namespace, peerName, probe, container);
    // Read after the probe: the broker's listeners were up the whole time it ran.
    const running = Boolean((await this.containerStatus(namespace, node))?.state?.running);
    const judged = judgeReach(out, ports, running);
    const reach = `from ${peerName} to ${node} (${ip}): ${judged.detail}`;
    if (!queue) return { ...judged, detail: reach };
    // RabbitMQ: also its peers' own view: the queue's other members elected a leader without it. The management API
    // cannot say so (during a partition it times out on every node); the peer's node itself can.
    const deadline = Date.now() + 30_000;
    let view: { seen: boolean; detail: string } | undefined;
    let raw = "";
    do {
      const r = await this.exec(namespace, peerName, quorumStatusCommand(queue), container);
      raw = r.out.trim().split("\n").slice(-3).join(" ");
      view = peersElectedWithout(r.out, node);
      if (view?.seen) break;
      await new Promise((res) => setTimeout(res, 2_000));
    } while (Date.now() < deadline);
    const seen = view?.seen
      ? `${peerName} sees ${node} down: queue ${queue} elected a leader without it (${view.detail})`
      : `${peerName} sees no leader of queue ${queue} but ${node} after 30 s (${view?.detail ?? (raw || "no answer")})`;
    return { isolated: judged.isolated && view?.seen === true, detail: `${reach}; ${seen}` };
  }

  async heal(node: string): Promise<void> {
    const namespace = this.namespaceOf(node);
    await this.labelIsolated(namespace, node, null).catch(() => undefined);
    await this.net.deleteNamespacedNetworkPolicy({ name: `isolate-${node}`, namespace }).catch(() => undefined);
  }

  /** Samples the system's pods once a second until `stop()`: which were replaced, in what order, how many down at once. */
  watchRoll(system: "kafka" | "rabbitmq"): RollWatch {
    const p = this.placement;
    const namespace = system === "kafka" ? p.kafka.namespace : p.rabbitmq.namespace;
    const labelSelector = system === "kafka" ? p.kafka.podSelector : p.rabbitmq.podSelector;
    const look = async (): Promise<PodSample[]> =>
      (await this.core.listNamespacedPod({ namespace, labelSelector })).items.map((pod) => ({
        name: pod.metadata?.name ?? "",
        uid: pod.metadata?.uid ?? "",
        ready:
          !pod.metadata?.deletionTimestamp &&
          Boolean(pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")),
      }));
    const samples: PodSample[][] = [];
    let watching = true;
    const loop = (async () => {
      const before = await look();
      while (watching) {
        const s = await look().catch(() => undefined);
        if (s) samples.push(s);
        await new Promise((r) => setTimeout(r, 1_000));
      }
      return before;
    })();
    const placement = this.placement;
    return {
      async stop(timeoutMs = 600_000) {
        // Until every StatefulSet of the system has rolled out (observedGeneration-aware), then stop sampling.
        await waitRolledOut(placement, timeoutMs, () => undefined, system).finally(() => {
          watching = false;
        });
        return foldRoll(await loop, samples);
      },
    };
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
      const pods = await this.core.listNamespacedPod({ namespace, labelSelector: isolatedPodLabel });
      for (const pod of pods.items) {
        if (pod.metadata?.name) await this.labelIsolated(namespace, pod.metadata.name, null);
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

  /**
   * The active KRaft controller, from the quorum itself: kafka-metadata-quorum.sh by exec in a controller pod, on the
   * controller listener with the chart's controller credentials (the Kafka client API only ever names a random
   * broker). The credentials stay in the pod: the client config is written there, readable by the broker user only.
   */
  async activeKafkaController(): Promise<string> {
    const p = this.placement;
    const errors: string[] = [];
    for (const sts of [...p.kafka.statefulSets].sort(
      (a, b) => Number(b.includes("controller")) - Number(a.includes("controller")),
    )) {
      const pod = `${sts}-0`;
      const r = await this.exec(p.kafka.namespace, pod, ["sh", "-c", quorumStatusScript]).catch((e: Error) => ({
        out: "",
        status: e.message,
      }));
      const leader = leaderFromQuorumStatus(r.out);
      if (leader) return leader;
      errors.push(`${pod}: ${r.status} ${r.out.trim().split("\n").slice(-2).join(" ")}`);
    }
    throw new Error(`no controller pod answered with the quorum's leader: ${errors.join("; ")}`);
  }
}
