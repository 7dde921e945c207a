// Faults on Kubernetes through the API server (@kubernetes/client-node): SIGKILL the broker by exec in its container
// (not a pod delete: even with grace period 0 the kubelet sends SIGTERM first, and Kafka then shuts down cleanly),
// held down until restore by the charts' hold-down hook (contract/hold-down.ts) or left to the kubelet's restart,
// isolate a pod by labelling it out of the charts' allow policies and adding a deny-all NetworkPolicy selecting only
// it, roll a StatefulSet by deleting its pods one at a time. These are exactly the permissions the in-cluster gate's
// ServiceAccount is granted (charts/smoke-gate rbac.yaml), and nothing else. The node drills' calls (nodes, cordon,
// eviction) are not the gate's: those drills run from the machine with its kubeconfig.
// The pure parts are beside it (isolation-policy.ts, isolation-evidence.ts, kill-evidence.ts, kafka-controller.ts,
// roll-observation.ts), the programs it runs in containers in in-container/. Types only at load time:
// @kubernetes/client-node is an ES module, loaded on first use (see connect()), so this file loads under jest's
// CommonJS runtime.

import { execFile, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import type * as k8s from "@kubernetes/client-node";
import { isolatedPodLabel } from "../../contract/fault-labels";
import { holdDownMarker } from "../../contract/hold-down";
import { loadKubeConfig } from "../../contract/kube-config";
import { type ExecSession, execSession, execWith, sessionOver } from "../kube/exec";
import { type KubePlacement, statefulSetsOf, waitRolledOut } from "../kube/rollout";
import { classifyEviction, drainable, type EvictionOutcome } from "./drain";
import {
  decoyKillCommand,
  decoyKilled,
  holdConnectionsCommand,
  kafkaQuorumStatusCommand,
  kafkaRemoveVoterCommand,
  killEverythingCommand,
  rabbitmqClusterStatusCommand,
  rabbitmqForgetCommand,
  rabbitmqQuorumStatusCommand,
  reachCommand,
  releaseHoldCommand,
} from "./in-container/commands";
import {
  heldInodes,
  judgeIsolation,
  judgeOwnConnections,
  type OwnConnection,
  type PathEvidence,
  peersElectedWithout,
  readOwnConnections,
} from "./isolation-evidence";
import { isolationLabel, isolationPolicy } from "./isolation-policy";
import { leaderFromQuorumStatus } from "./kafka-controller";
import { judgeKill, readKillOutput, shortContainerId } from "./kill-evidence";
import { killModeFor } from "./kill-mode";
import { claimsBoundToNode, emptyClaimLike, type LostClaim } from "./lost-claims";
import { clusterStatusFrom, type QuorumVoter, type RabbitClusterStatus, votersFromQuorumStatus } from "./node-lost";
import type { NodeReading } from "./node-states";
import { judgeRestart, type PodRestart, replaced } from "./restart-all";
import { foldRoll } from "./roll-observation";
import type {
  FaultInjector,
  KillEvidence,
  KillMode,
  Landed,
  PodBefore,
  PodSample,
  PodState,
  Released,
  RestartEvidence,
  RollWatch,
} from "./types";

/**
 * The longest restart-all watches for its deleted pods to be gone or replaced: a force-deleted pod leaves the API
 * server at once and its StatefulSet recreates it within seconds, so a minute means the delete did not happen.
 */
export const restartWatchMs = 60_000;

/** An API call's 404 as undefined (the object is gone, which is what the caller waits for); any other error thrown. */
const gone = (e: { code?: number }): undefined => {
  if (e.code !== 404) throw e;
  return undefined;
};

/** On a node the node-drain drill cordoned, until it uncordons it: healAll uncordons any node left with it. */
export const drainedNodeLabel = "messaging-platform.io/cordoned-by-drill";

/**
 * A NetworkPolicy governs new connections: kube-router (like kube-proxy and most CNIs) accepts packets of
 * connections the kernel already tracks, so a broker's open connections to its peers and clients would outlive the
 * isolation (seen on this project's cluster: 60 s after the deny-all, the isolated broker was still in every ISR; on
 * three nodes, 30 s after it RabbitMQ's peers still followed the isolated leader). On the machine of this project's
 * cluster the pod's tracked connections are forgotten in every node's table, so their next packets are judged by the
 * policies and dropped. Anywhere else that cannot be done, and the isolation would not hold: why, or undefined.
 */
export function cannotForgetConnections(
  env: NodeJS.ProcessEnv = process.env,
  netns?: readonly string[],
  conntrackInstalled: () => boolean = () => !spawnSync("conntrack", ["--version"], { stdio: "ignore" }).error,
): string | undefined {
  if (env.KUBERNETES_SERVICE_HOST) {
    return "the drill runs in a pod, and a pod cannot reach the nodes' connection tracking";
  }
  const nodes = (netns ?? (existsSync("/run/netns") ? readdirSync("/run/netns") : [])).filter((n) =>
    /^mpk8s-node-\d+$/.test(n),
  );
  if (nodes.length === 0) {
    return "this machine holds no node of the cluster (no mpk8s-node-N network namespace) whose connection tracking the drill could flush";
  }
  if (!conntrackInstalled()) return "conntrack is not installed here";
  return undefined;
}

/** Forgets the pod's tracked connections (see cannotForgetConnections); throws naming any deletion that failed. */
export function forgetConnections(podIp: string): void {
  if (!/^[0-9.]+$/.test(podIp)) throw new Error(`cannot forget the connections of pod address ${podIp}: not IPv4`);
  const nodes = existsSync("/run/netns") ? readdirSync("/run/netns") : [];
  const failed: string[] = [];
  for (const argv of conntrackDeletions(podIp, nodes)) {
    const r = spawnSync(argv[0] as string, argv.slice(1), { encoding: "utf8" });
    // conntrack exits 1 when nothing matched: nothing to forget is no error.
    if (r.error || (r.status !== 0 && r.status !== 1))
      failed.push(`${argv.join(" ")}: ${r.error?.message ?? r.stderr.trim()}`);
  }
  if (failed.length) throw new Error(`could not forget pod ${podIp}'s tracked connections: ${failed.join("; ")}`);
}

/**
 * Pure: the conntrack deletions that forget a pod's connections on this machine: in its own network namespace and in
 * every node's of this machine's cluster (`mpk8s-node-N`: each node routes and tracks its pods' connections itself, so
 * an established connection to or from the pod lives in the node's table, not the machine's).
 */
export function conntrackDeletions(podIp: string, netns: readonly string[]): string[][] {
  const nodes = netns.filter((n) => /^mpk8s-node-\d+$/.test(n)).sort();
  const sides = ["--orig-src", "--orig-dst"];
  return [
    ...sides.map((side) => ["conntrack", "-D", side, podIp]),
    ...nodes.flatMap((n) => sides.map((side) => ["nsenter", `--net=/run/netns/${n}`, "conntrack", "-D", side, podIp])),
  ];
}

/** A pod's broker container (its first), that container's status, and whether the pod is Ready. */
function brokerContainer(pod: k8s.V1Pod): { name?: string; status?: k8s.V1ContainerStatus; ready: boolean } {
  const name = pod.spec?.containers[0]?.name;
  return {
    name,
    status: pod.status?.containerStatuses?.find((c) => c.name === name),
    ready: pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
  };
}

/** A command run here with its stdin open (the drill's own end of a path), as an ExecSession. */
function localSession(argv: string[]): ExecSession {
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
  const ended = new Promise((resolve) => child.on("close", resolve));
  return sessionOver(
    child.stdin,
    (listen) => {
      child.stdout.on("data", (c) => listen(String(c)));
      child.stderr.on("data", (c) => listen(String(c)));
    },
    ended,
  );
}

/** A command run here to its end, without blocking the drill's load in the same process. */
function runHere(argv: string[]): Promise<string> {
  return new Promise((resolve) =>
    execFile(argv[0] as string, argv.slice(1), { timeout: 60_000 }, (_e, stdout, stderr) =>
      resolve(`${stdout}${stderr}`),
    ),
  );
}

/** This machine's connections to `ip` now (ss, from iproute2; none where ss is missing, and the check then says so). */
function ownConnections(ip: string): Promise<OwnConnection[] | undefined> {
  return new Promise((resolve) =>
    execFile("ss", ["-tinHe", "dst", ip], { timeout: 10_000 }, (e, stdout) =>
      resolve(e ? undefined : readOwnConnections(stdout)),
    ),
  );
}

/** A pod at one end of a path: its name, address, broker ports and broker container. */
interface PodEnd {
  name: string;
  ip: string;
  ports: number[];
  container: string;
  running: boolean;
}

function podEnd(pod: k8s.V1Pod): PodEnd | undefined {
  const { name: container, status } = brokerContainer(pod);
  const name = pod.metadata?.name;
  const ip = pod.status?.podIP;
  if (!name || !ip || !container) return undefined;
  const ports = (pod.spec?.containers[0]?.ports ?? []).map((p) => p.containerPort);
  return { name, ip, ports, container, running: Boolean(status?.state?.running) };
}

/** A connection held across an isolation, from one end of a path to the other (see hold-connections.sh). */
interface HeldPath {
  path: string;
  ports: number[];
  session: ExecSession;
  /** Where the fresh probe of the same path runs: every port, or one. */
  fresh: () => Promise<string>;
  freshOne: (port: number) => Promise<string>;
  listening: () => Promise<boolean>;
  /** The drill's own end (this machine): its connection table shows the drill's clients. */
  here?: boolean;
}

export class KubernetesFaults implements FaultInjector {
  readonly kind = "kubernetes" as const;
  private readonly core: k8s.CoreV1Api;
  private readonly net: k8s.NetworkingV1Api;
  /** The pods a kill held down (their hold-down marker written), until restore lets them go. */
  private readonly held = new Set<string>();
  /** Per isolated pod: the connections held across its isolation, each path's far end probed after it landed. */
  private readonly heldPaths = new Map<string, HeldPath[]>();
  /** Per isolated pod: the drill's own connections to it when the isolation landed, and when that was. */
  private readonly clientsAtLanding = new Map<string, { at: number; ip: string; connections?: OwnConnection[] }>();

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
    return execWith(this.lib, this.kc, { namespace, pod, command, ...(container ? { container } : {}) });
  }

  private async containerStatus(namespace: string, pod: string): Promise<k8s.V1ContainerStatus | undefined> {
    const p = await this.core.readNamespacedPod({ name: pod, namespace }).catch(() => undefined);
    return p && brokerContainer(p).status;
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

  async kill(node: string, mode: KillMode): Promise<KillEvidence> {
    killModeFor(mode, this.kind);
    const namespace = this.namespaceOf(node);
    const before = await this.containerStatus(namespace, node);
    if (!before?.state?.running || !before.containerID) {
      throw new Error(`pod ${namespace}/${node} has no running broker container to kill`);
    }
    if (mode === "decoy") return this.killDecoy(namespace, node, before.name);
    const heldDown = mode === "hold-down";
    // The exec's own shell dies with the container, so how the exec ends says nothing; the container's record does.
    // Held down: the same exec writes the marker first, so no restart can come between the kill and the hold.
    const execStartedAt = Date.now();
    const { out } = await this.exec(
      namespace,
      node,
      killEverythingCommand(heldDown ? holdDownMarker : undefined),
      before.name,
    ).catch((e: Error) => ({ out: `(exec: ${e.message})` }));
    const execEndedAt = Date.now();
    const { killedPids, held } = readKillOutput(out);
    if (held) this.held.add(node);
    if (heldDown && !held) {
      // Never a crash and restart instead: that is another fault, and the report would name the wrong one.
      throw new Error(
        `kill and hold down ${namespace}/${node}: the hold-down marker ${holdDownMarker} could not be written, so nothing was killed (${out.trim().slice(0, 300)}); turn the chart's holdDown.enabled on, or drill with --kill crash-restart`,
      );
    }
    // Wait for the container's termination record, not for a restart: the kubelet's back-off may hold that for minutes.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const now = await this.containerStatus(namespace, node);
      const evidence = now && judgeKill({ killedPids, before, now, execStartedAt, execEndedAt, heldDown });
      if (evidence) return evidence;
      await new Promise((r) => setTimeout(r, 500));
    }
    const killed = killedPids.join(", ") || `nothing${out.trim() ? `: ${out.trim().slice(0, 200)}` : ""}`;
    return {
      bySigkill: false,
      detail: `SIGKILL by exec (${killed}), but ${namespace}/${node}'s container ${shortContainerId(before.containerID)} has no termination record 30 s later`,
      landedAt: execEndedAt,
    };
  }

  /** The deliberate break: a process beside the broker dies by SIGKILL; the broker is not touched. */
  private async killDecoy(namespace: string, node: string, container: string): Promise<KillEvidence> {
    const { out } = await this.exec(namespace, node, decoyKillCommand(), container);
    const pid = decoyKilled(out);
    if (pid === undefined)
      throw new Error(`the decoy kill in ${namespace}/${node} did not run: ${out.trim().slice(0, 200)}`);
    return {
      bySigkill: true,
      detail: `SIGKILL to a decoy (sleep, pid ${pid}) in ${namespace}/${node}'s broker container, the broker untouched: a deliberate break`,
      landedAt: Date.now(),
    };
  }

  async restore(node: string): Promise<Released> {
    const namespace = this.namespaceOf(node);
    const releasedAt = this.held.has(node) ? await this.release(namespace, node) : undefined;
    this.held.delete(node);
    await this.waitReady(namespace, node);
    return releasedAt === undefined ? {} : { releasedAt };
  }

  /**
   * Lets a held-down broker start: removes the marker by exec into its container, which is then waiting in the
   * charts' hold-down hook (once the kubelet has restarted it: its back-off may take a while, at most 300 s). Resolves
   * with when the marker was gone. A pod Ready before its release was not held: the drill must not count that hold.
   */
  private async release(namespace: string, node: string): Promise<number> {
    const deadline = Date.now() + 330_000;
    let last = "";
    while (Date.now() < deadline) {
      const pod = await this.core.readNamespacedPod({ name: node, namespace }).catch(() => undefined);
      const { name, status, ready } = pod ? brokerContainer(pod) : { name: undefined, status: undefined, ready: false };
      if (ready || status?.state?.running) {
        const r = await this.exec(namespace, node, releaseHoldCommand(holdDownMarker), name).catch((e: Error) => ({
          out: "",
          status: `exec: ${e.message}`,
        }));
        // Removed either way: a later restart of this container must not find it.
        if (ready) {
          throw new Error(
            `pod ${namespace}/${node} was Ready before the drill let it go: it was not held down (the kill did not take, or its container does not start through the charts' hold-down.sh)`,
          );
        }
        if (r.status === "Success") return Date.now();
        last = `${r.status} ${r.out.trim()}`.trim();
      } else {
        last = status?.state?.waiting?.reason ?? "no running container";
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
    throw new Error(
      `pod ${namespace}/${node} is still held down: ${holdDownMarker} not removed within 330 s (${last}); delete the pod to release it`,
    );
  }

  /** Until the pod is Ready (the StatefulSet recreates a deleted pod with the same name and volume). */
  private async waitReady(namespace: string, node: string): Promise<void> {
    const deadline = Date.now() + 300_000;
    while (Date.now() < deadline) {
      const pod = await this.core.readNamespacedPod({ name: node, namespace }).catch(() => undefined);
      if (pod && brokerContainer(pod).ready && !pod.metadata?.deletionTimestamp) return;
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

  /** The pod and its running peers of the same StatefulSet, as ends of the paths an isolation must cut. */
  private async ends(namespace: string, node: string): Promise<{ target: PodEnd; peers: PodEnd[] }> {
    const prefix = node.slice(0, node.lastIndexOf("-") + 1);
    const pods = (await this.core.listNamespacedPod({ namespace })).items;
    const target = pods.find((p) => p.metadata?.name === node);
    const end = target && podEnd(target);
    if (!end || end.ports.length === 0) throw new Error(`pod ${namespace}/${node} has no address or port to isolate`);
    const peers = pods
      .filter((p) => p.metadata?.name?.startsWith(prefix) && p.metadata.name !== node && p.status?.phase === "Running")
      .map(podEnd)
      .filter((p): p is PodEnd => p !== undefined);
    return { target: end, peers };
  }

  /**
   * Before the isolation: a connection held to each port on every path it must cut (the drill's machine and each peer
   * to the pod, the pod to each peer), each later probed beside a new connection on the same path.
   */
  private async holdPaths(namespace: string, node: string): Promise<PodEnd> {
    const { target, peers } = await this.ends(namespace, node);
    const running = async (end: PodEnd) => Boolean((await this.containerStatus(namespace, end.name))?.state?.running);
    const inPod = (from: PodEnd, to: PodEnd) =>
      execSession(this.lib, this.kc, {
        namespace,
        pod: from.name,
        container: from.container,
        command: holdConnectionsCommand(to.ip, to.ports),
      });
    const reachFrom =
      (from: PodEnd, to: PodEnd) =>
      async (ports = to.ports) =>
        (await this.exec(namespace, from.name, reachCommand(to.ip, ports), from.container)).out;
    const paths: HeldPath[] = [
      {
        path: `drill → ${node}`,
        ports: target.ports,
        session: localSession(holdConnectionsCommand(target.ip, target.ports)),
        fresh: () => runHere(reachCommand(target.ip, target.ports)),
        freshOne: (port) => runHere(reachCommand(target.ip, [port])),
        listening: () => running(target),
        here: true,
      },
    ];
    for (const peer of peers) {
      paths.push({
        path: `${peer.name} → ${node}`,
        ports: target.ports,
        session: await inPod(peer, target),
        fresh: () => reachFrom(peer, target)(),
        freshOne: (port) => reachFrom(peer, target)([port]),
        listening: () => running(target),
      });
      paths.push({
        path: `${node} → ${peer.name}`,
        ports: peer.ports,
        session: await inPod(target, peer),
        fresh: () => reachFrom(target, peer)(),
        freshOne: (port) => reachFrom(target, peer)([port]),
        listening: () => running(peer),
      });
    }
    this.heldPaths.set(node, paths);
    const waited = Math.max(...paths.map((p) => p.ports.length)) * 2_000 + 30_000;
    await Promise.all(paths.map((p) => p.session.waitFor("ready", waited)));
    return target;
  }

  async isolate(node: string): Promise<Landed> {
    const namespace = this.namespaceOf(node);
    const cannot = cannotForgetConnections();
    if (cannot) {
      throw new Error(
        `isolate ${namespace}/${node}: ${cannot}; its established connections would outlive the NetworkPolicy, so the isolation would not hold (run the drill on the cluster's machine)`,
      );
    }
    // The pod's address and ports as the paths were held: the pod stays where it is while it is isolated.
    const target = await this.holdPaths(namespace, node);
    // Deny first, then leave the allow policies: at no moment is the pod selected by an allow alone.
    await this.net.createNamespacedNetworkPolicy({ namespace, body: isolationPolicy(namespace, node) });
    await this.labelIsolated(namespace, node, "true");
    // Forgotten before the policy agent has written the new rules, a connection's next packet is tracked again under
    // the old ones and passes for good (seen here: kube-router syncs 0.4 to 1.8 s after the change).
    await this.waitRulesIn(namespace, node, target);
    forgetConnections(target.ip);
    // The rules are in and the tracked connections forgotten: the earliest moment the cut can hold.
    const landedAt = Date.now();
    this.clientsAtLanding.set(node, { at: landedAt, ip: target.ip, connections: await ownConnections(target.ip) });
    return { landedAt };
  }

  /**
   * Until a new connection on a path that was open before the isolation is refused or dropped: the policy agent has
   * written the pod's new rules. The drill's machine to the pod where it held one, else a peer to the pod.
   */
  private async waitRulesIn(namespace: string, node: string, target: PodEnd): Promise<void> {
    const paths = this.heldPaths.get(node) ?? [];
    const openBefore = (p: HeldPath) =>
      p.ports.filter((port) => new RegExp(`^${port} held `, "m").test(p.session.output()));
    const path = paths.find((p) => p.here && openBefore(p).length) ?? paths.find((p) => openBefore(p).length);
    const port = path && openBefore(path)[0];
    if (!path || port === undefined)
      throw new Error(
        `isolate ${namespace}/${node}: no path to ${target.ip} was open before the isolation, so none can show it took hold`,
      );
    const deadline = Date.now() + 30_000;
    let last = "";
    while (Date.now() < deadline) {
      last = await path.freshOne(port);
      if (!/^\d+ open$/m.test(last)) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(
      `isolate ${namespace}/${node}: ${path.path} still opens new connections to port ${port} 30 s after the NetworkPolicy (${last.trim()}): is a policy agent enforcing NetworkPolicies?`,
    );
  }

  /**
   * Every path the isolation must cut, probed now: a new connection and the ones held since before the fault (the
   * drill's machine → the pod, each peer → the pod, the pod → each peer); the drill's own connections to the pod as
   * this machine's table shows them; and for a RabbitMQ node that led `queue`, its peers' own view.
   */
  async confirmIsolated(node: string, queue?: string): Promise<{ isolated: boolean; detail: string }> {
    const namespace = this.namespaceOf(node);
    const paths = this.heldPaths.get(node) ?? [];
    this.heldPaths.delete(node);
    const evidence: PathEvidence[] = await Promise.all(
      paths.map(async (p) => {
        // The fresh probe while the held connections are probed: both after the fault landed, neither waiting.
        p.session.send("probe");
        const [fresh, held] = await Promise.all([
          p.fresh().catch((e: Error) => `(probe: ${e.message})`),
          p.session.end(30_000).catch((e: Error) => `(held: ${e.message})`),
        ]);
        return { path: p.path, ports: p.ports, fresh, held, listening: await p.listening() };
      }),
    );
    const judged = judgeIsolation(evidence);
    const here = evidence.find((_, i) => paths[i]?.here);
    const landing = this.clientsAtLanding.get(node);
    this.clientsAtLanding.delete(node);
    const now = landing ? await ownConnections(landing.ip) : undefined;
    const clients =
      landing?.connections && now
        ? judgeOwnConnections(landing.connections, now, Date.now() - landing.at, here ? heldInodes(here.held) : [])
        : { cut: false, detail: "the drill's own connections could not be read (ss from iproute2 is needed here)" };
    judged.isolated &&= clients.cut;
    const reach = clients.cut ? `${judged.detail}; ${clients.detail}` : `${clients.detail}; ${judged.detail}`;
    if (!queue) return { isolated: judged.isolated, detail: reach };
    // RabbitMQ: also its peers' own view: the queue's other members elected a leader without it. The management API
    // cannot say so (during a partition it times out on every node); the peer's node itself can.
    const peer = (await this.ends(namespace, node)).peers[0];
    if (!peer) return { isolated: false, detail: `${reach}; no peer of ${node} to ask for its view` };
    const deadline = Date.now() + 30_000;
    let view: { seen: boolean; detail: string } | undefined;
    let raw = "";
    do {
      const r = await this.exec(namespace, peer.name, rabbitmqQuorumStatusCommand(queue), peer.container);
      raw = r.out.trim().split("\n").slice(-3).join(" ");
      view = peersElectedWithout(r.out, node);
      if (view?.seen) break;
      await new Promise((res) => setTimeout(res, 2_000));
    } while (Date.now() < deadline);
    const seen = view?.seen
      ? `${peer.name} sees ${node} down: queue ${queue} elected a leader without it (${view.detail})`
      : `${peer.name} sees no leader of queue ${queue} but ${node} after 30 s (${view?.detail ?? (raw || "no answer")})`;
    return { isolated: judged.isolated && view?.seen === true, detail: `${reach}; ${seen}` };
  }

  /** Ends the sessions still holding connections for `node` (an isolation never confirmed, a drill that failed). */
  private async dropHeld(node?: string): Promise<void> {
    const nodes = node ? [node] : [...this.heldPaths.keys()];
    for (const n of nodes) {
      await Promise.all((this.heldPaths.get(n) ?? []).map((p) => p.session.end(30_000).catch(() => "")));
      this.heldPaths.delete(n);
    }
  }

  async heal(node: string): Promise<void> {
    const namespace = this.namespaceOf(node);
    await this.dropHeld(node);
    this.clientsAtLanding.delete(node);
    await this.labelIsolated(namespace, node, null).catch(() => undefined);
    await this.net.deleteNamespacedNetworkPolicy({ name: `isolate-${node}`, namespace }).catch(() => undefined);
  }

  /** Samples the system's pods once a second until `stop()`: which were replaced, in what order, how many down at once. */
  watchRoll(system: "kafka" | "rabbitmq"): RollWatch {
    const look = () => this.brokerPods(system);
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

  async brokerPods(system: "kafka" | "rabbitmq"): Promise<PodSample[]> {
    const { namespace, podSelector: labelSelector } = this.placement[system];
    return (await this.core.listNamespacedPod({ namespace, labelSelector })).items.map((pod) => ({
      name: pod.metadata?.name ?? "",
      uid: pod.metadata?.uid ?? "",
      ready:
        !pod.metadata?.deletionTimestamp &&
        Boolean(pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")),
    }));
  }

  /** Every pod the StatefulSets of both systems should run (ordinals below their replicas), with its uid now. */
  private async podsBefore(): Promise<PodBefore[]> {
    const apps = this.kc.makeApiClient(this.lib.AppsV1Api);
    const pods: PodBefore[] = [];
    const missing: string[] = [];
    for (const system of ["kafka", "rabbitmq"] as const) {
      const running = await this.brokerPods(system);
      for (const { namespace, name } of statefulSetsOf(this.placement, system)) {
        const replicas = (await apps.readNamespacedStatefulSet({ name, namespace })).spec?.replicas ?? 0;
        for (let i = 0; i < replicas; i++) {
          const uid = running.find((p) => p.name === `${name}-${i}`)?.uid;
          if (uid) pods.push({ system, namespace, name: `${name}-${i}`, uid });
          else missing.push(`${namespace}/${name}-${i}`);
        }
      }
    }
    if (missing.length > 0)
      throw new Error(`restart-all: ${missing.join(", ")} not running before the restart: nothing to restart there`);
    return pods;
  }

  /**
   * A power cut of the whole cluster. A pod delete alone is not one: even with grace period 0 the kubelet sends
   * SIGTERM first (and Kafka shuts down cleanly), so every broker is SIGKILLed by exec first, all at once, then every
   * pod deleted with grace period 0 so that each comes back as a new pod, as after a reboot. Landed when the last pod
   * was seen gone or replaced.
   */
  async restartAll(): Promise<RestartEvidence> {
    const before = await this.podsBefore();
    const restarts: PodRestart[] = await Promise.all(
      before.map(async (p) => {
        const { out } = await this.exec(p.namespace, p.name, killEverythingCommand()).catch((e: Error) => ({
          out: `(exec: ${e.message})`,
        }));
        return { pod: p.name, killedPids: readKillOutput(out).killedPids };
      }),
    );
    await Promise.all(
      before.map((p, i) =>
        this.core
          .deleteNamespacedPod({ name: p.name, namespace: p.namespace, gracePeriodSeconds: 0 })
          .catch((e: { code?: number; message?: string }) => {
            // Already gone (its StatefulSet is replacing it) is what the delete wanted.
            if (e.code !== 404) (restarts[i] as PodRestart).deleteError = e.message ?? String(e);
          }),
      ),
    );
    const deadline = Date.now() + restartWatchMs;
    const tracked = before.map((pod, i) => ({ pod, restart: restarts[i] as PodRestart }));
    const waiting = () => tracked.filter((t) => t.restart.replacedAt === undefined);
    while (waiting().length > 0 && Date.now() < deadline) {
      await Promise.all(
        waiting().map(async ({ pod: p, restart }) => {
          const now = await this.core.readNamespacedPod({ name: p.name, namespace: p.namespace }).then(
            (pod) => ({ uid: pod.metadata?.uid ?? "" }),
            (e: { code?: number }) => (e.code === 404 ? undefined : { uid: p.uid }),
          );
          if (replaced(p.uid, now)) restart.replacedAt = Date.now();
        }),
      );
      if (waiting().length > 0) await new Promise((r) => setTimeout(r, 250));
    }
    return { before, ...judgeRestart(restarts, Date.now()) };
  }

  async healAll(): Promise<void> {
    await this.dropHeld();
    // Nodes a node-drain cordoned and did not uncordon (it failed, or its process died): schedulable again first, so
    // the pods its drain evicted can come back.
    const cordoned = await this.core.listNode({ labelSelector: drainedNodeLabel }).catch(() => undefined);
    for (const n of cordoned?.items ?? []) if (n.metadata?.name) await this.uncordon(n.metadata.name);
    this.clientsAtLanding.clear();
    // Held-down brokers first: each waits in its hook for its marker to go (one whose container is in its restart
    // back-off cannot be exec'd into: it stays held, and says how to release it, until its pod is deleted).
    const p = this.placement;
    for (const [namespace, labelSelector] of [
      [p.kafka.namespace, p.kafka.podSelector],
      [p.rabbitmq.namespace, p.rabbitmq.podSelector],
    ] as const) {
      const pods = await this.core.listNamespacedPod({ namespace, labelSelector }).catch(() => undefined);
      for (const pod of pods?.items ?? []) {
        const name = pod.metadata?.name;
        const { name: container, status } = brokerContainer(pod);
        if (!name || !status?.state?.running) continue;
        await this.exec(namespace, name, releaseHoldCommand(holdDownMarker), container).catch(() => undefined);
        this.held.delete(name);
      }
    }
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
      await this.waitReady(namespace, pod);
      await waitHealthy();
    }
  }

  async nodeOf(pod: string): Promise<string> {
    const namespace = this.namespaceOf(pod);
    const node = (await this.core.readNamespacedPod({ name: pod, namespace })).spec?.nodeName;
    if (!node) throw new Error(`pod ${namespace}/${pod} is not scheduled on a node`);
    return node;
  }

  async nodeReady(node: string): Promise<string> {
    const n = await this.core.readNode({ name: node });
    return n.status?.conditions?.find((c) => c.type === "Ready")?.status ?? "Unknown";
  }

  async clusterNodes(): Promise<string[]> {
    return (await this.core.listNode()).items
      .map((n) => n.metadata?.name ?? "")
      .filter(Boolean)
      .sort();
  }

  async nodeReadings(): Promise<NodeReading[]> {
    return (await this.core.listNode()).items
      .map((n) => ({
        name: n.metadata?.name ?? "",
        ready: n.status?.conditions?.find((c) => c.type === "Ready")?.status ?? "Unknown",
        unschedulable: n.spec?.unschedulable === true,
      }))
      .filter((n) => n.name);
  }

  /** Cordons (or uncordons) a node, labelled so that a cordon left by a drill that died is found and lifted. */
  private async setCordon(node: string, cordoned: boolean): Promise<void> {
    const { setHeaderOptions, PatchStrategy } = this.lib;
    await this.core.patchNode(
      {
        name: node,
        body: {
          metadata: { labels: { [drainedNodeLabel]: cordoned ? "true" : null } },
          spec: { unschedulable: cordoned ? true : null },
        },
      },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
  }

  cordon(node: string): Promise<void> {
    return this.setCordon(node, true);
  }

  uncordon(node: string): Promise<void> {
    return this.setCordon(node, false);
  }

  async podsOn(node: string): Promise<Array<{ namespace: string; name: string }>> {
    const pods = (await this.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` })).items;
    return drainable(
      pods.map((p) => ({
        namespace: p.metadata?.namespace ?? "",
        name: p.metadata?.name ?? "",
        uid: p.metadata?.uid ?? "",
        phase: p.status?.phase,
        ownerKinds: (p.metadata?.ownerReferences ?? []).map((o) => o.kind),
        mirror: Boolean(p.metadata?.annotations?.["kubernetes.io/config.mirror"]),
        deleting: Boolean(p.metadata?.deletionTimestamp),
      })),
    ).map(({ namespace, name }) => ({ namespace, name }));
  }

  async evict(namespace: string, pod: string): Promise<EvictionOutcome> {
    const body = { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: pod, namespace } };
    return this.core.createNamespacedPodEviction({ name: pod, namespace, body }).then(
      () => classifyEviction(undefined, Date.now()),
      (e: unknown) => classifyEviction(e, Date.now()),
    );
  }

  async podState(pod: string): Promise<PodState | undefined> {
    const namespace = this.namespaceOf(pod);
    const p = await this.core.readNamespacedPod({ name: pod, namespace }).catch((e: { code?: number }) => {
      if (e.code === 404) return undefined;
      throw e;
    });
    if (!p) return undefined;
    const ready = brokerContainer(p).ready && !p.metadata?.deletionTimestamp;
    const since = p.status?.conditions?.find((c) => c.type === "Ready")?.lastTransitionTime;
    return {
      namespace,
      uid: p.metadata?.uid ?? "",
      ready,
      ...(ready && since ? { readySince: new Date(since).getTime() } : {}),
      ...(p.spec?.nodeName ? { node: p.spec.nodeName } : {}),
      ...(p.status?.phase ? { phase: p.status.phase } : {}),
    };
  }

  /**
   * The active KRaft controller, from the quorum itself: kafka-metadata-quorum.sh by exec in a controller pod, on the
   * controller listener with the chart's controller credentials (the Kafka client API only ever names a random
   * broker). The credentials stay in the pod: the client config is written there, readable by the broker user only.
   */
  async activeKafkaController(): Promise<string> {
    return this.askQuorum(kafkaQuorumStatusCommand(), leaderFromQuorumStatus, "the quorum's leader");
  }

  async kafkaVoters(): Promise<QuorumVoter[]> {
    return this.askQuorum(kafkaQuorumStatusCommand(), votersFromQuorumStatus, "the quorum's voters");
  }

  async removeKafkaVoter(voter: QuorumVoter): Promise<string> {
    if (!voter.directoryId) throw new Error(`voter ${voter.id} has no directory id: a static quorum removes none`);
    const done = (out: string) => (/removed/i.test(out) && !/exception|error/i.test(out) ? out.trim() : undefined);
    return this.askQuorum(kafkaRemoveVoterCommand(voter.id, voter.directoryId), done, `removal of voter ${voter.id}`);
  }

  /**
   * Runs a kafka-metadata-quorum command in the first running controller pod whose output `read` accepts (any running
   * pod of a controller StatefulSet can answer: its pod -0 may be the one a kill holds down, or a lost one).
   */
  private async askQuorum<T>(command: string[], read: (out: string) => T | undefined, what: string): Promise<T> {
    const p = this.placement;
    const errors: string[] = [];
    const running = (
      await this.core.listNamespacedPod({ namespace: p.kafka.namespace, labelSelector: p.kafka.podSelector })
    ).items
      .filter((x) => brokerContainer(x).status?.state?.running)
      .map((x) => x.metadata?.name ?? "");
    const pods = [...p.kafka.statefulSets]
      .sort((a, b) => Number(b.includes("controller")) - Number(a.includes("controller")))
      .flatMap((sts) => running.filter((name) => name.startsWith(`${sts}-`)).sort());
    for (const pod of pods) {
      const r = await this.exec(p.kafka.namespace, pod, command).catch((e: Error) => ({
        out: "",
        status: e.message,
      }));
      const answer = read(r.out);
      if (answer !== undefined) return answer;
      errors.push(`${pod}: ${r.status} ${r.out.trim().split("\n").slice(-2).join(" ")}`);
    }
    throw new Error(`no controller pod answered with ${what}: ${errors.join("; ") || "no controller pod running"}`);
  }

  async rabbitmqClusterStatus(pod: string): Promise<RabbitClusterStatus> {
    const r = await this.exec(this.namespaceOf(pod), pod, rabbitmqClusterStatusCommand());
    const status = clusterStatusFrom(r.out);
    if (!status) throw new Error(`cluster_status in ${pod}: ${r.status} ${r.out.trim().slice(0, 300)}`);
    return status;
  }

  async forgetRabbitmqNode(pod: string, erlangNode: string): Promise<{ ok: boolean; out: string }> {
    const r = await this.exec(this.namespaceOf(pod), pod, rabbitmqForgetCommand(erlangNode));
    return { ok: r.status.startsWith("Success"), out: `${r.status}: ${r.out.trim().slice(0, 300)}` };
  }

  async releaseClaims(pod: string): Promise<string> {
    const namespace = this.namespaceOf(pod);
    const statefulSet = pod.replace(/-\d+$/, "");
    const apps = this.kc.makeApiClient(this.lib.AppsV1Api);
    const set = await apps.readNamespacedStatefulSet({ name: statefulSet, namespace });
    const names = (set.spec?.volumeClaimTemplates ?? []).map((t) => `${t.metadata?.name}-${pod}`);
    const readClaim = (name: string) =>
      this.core.readNamespacedPersistentVolumeClaim({ name, namespace }).then((c) => c.metadata?.uid, gone);
    const before = await Promise.all(names.map(async (name) => ({ name, uid: await readClaim(name) })));
    for (const c of before) {
      if (c.uid) await this.core.deleteNamespacedPersistentVolumeClaim({ name: c.name, namespace }).catch(gone);
    }
    const deletePod = () =>
      this.core.deleteNamespacedPod({ name: pod, namespace, gracePeriodSeconds: 0 }).then((p) => p.metadata?.uid, gone);
    const podUid = await deletePod();
    // A claim's protection finalizer lets it go once no pod uses it: a pod the StatefulSet recreated meanwhile still
    // names the old claim and would hold it for ever, so it is deleted again until the old claims are gone.
    const deadline = Date.now() + restartWatchMs;
    const stillOld = async () =>
      (await Promise.all(before.map(async (c) => c.uid && (await readClaim(c.name)) === c.uid))).some(Boolean);
    let old = await stillOld();
    while (old) {
      if (Date.now() > deadline)
        throw new Error(
          `${namespace}/${pod}: its claims ${names.join(", ")} still there ${restartWatchMs / 1000} s after their delete`,
        );
      await new Promise((r) => setTimeout(r, 1_000));
      old = await stillOld();
      if (old) await deletePod();
    }
    const deleted = before.filter((c) => c.uid).map((c) => c.name);
    return `deleted ${deleted.length ? `claims ${deleted.join(", ")}` : `no claim (none of ${names.join(", ")} existed)`} and pod ${namespace}/${pod}${podUid ? "" : " (already gone)"} with grace 0: the StatefulSet recreates both`;
  }
  async claimsOnNode(node: string): Promise<LostClaim[]> {
    const volumes = await this.core.listPersistentVolume();
    return claimsBoundToNode(
      volumes.items.map((v) => ({
        name: v.metadata?.name ?? "",
        ...(v.spec?.nodeAffinity ? { nodeAffinity: v.spec.nodeAffinity } : {}),
        ...(v.spec?.claimRef ? { claimRef: v.spec.claimRef } : {}),
      })),
      node,
    );
  }

  async recreateClaim(lost: LostClaim): Promise<string> {
    const { namespace, name } = lost;
    const read = () => this.core.readNamespacedPersistentVolumeClaim({ name, namespace }).catch(gone);
    const old = await read();
    if (!old || (lost.uid && old.metadata?.uid !== lost.uid))
      return `claim ${namespace}/${name} on ${lost.volume}: already released`;
    await this.core.deleteNamespacedPersistentVolumeClaim({ name, namespace }).catch(gone);
    // Claim protection holds it while a pod names it: the lost node's pods go with their Node (pod garbage
    // collection), a pod elsewhere that still names it is the one that would wait for the lost disk, so it goes too.
    const deadline = Date.now() + restartWatchMs;
    for (;;) {
      const now = await read();
      if (!now || now.metadata?.uid !== old.metadata?.uid) break;
      if (Date.now() > deadline) {
        const users = await this.podsNamingClaim(namespace, name);
        throw new Error(
          `claim ${namespace}/${name} (on ${lost.volume}, a volume of a lost node) still there ${restartWatchMs / 1000} s after its delete: pods naming it ${users.join(", ") || "none"}`,
        );
      }
      for (const pod of await this.podsNamingClaim(namespace, name))
        await this.core.deleteNamespacedPod({ name: pod, namespace, gracePeriodSeconds: 0 }).catch(gone);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const again = await read();
    if (again) return `claim ${namespace}/${name} on ${lost.volume}: deleted, and already made again by its owner`;
    await this.core.createNamespacedPersistentVolumeClaim({
      namespace,
      body: emptyClaimLike(old) as k8s.V1PersistentVolumeClaim,
    });
    return `claim ${namespace}/${name} was bound to ${lost.volume} on the lost node: made again empty, same name and spec`;
  }

  private async podsNamingClaim(namespace: string, claim: string): Promise<string[]> {
    const pods = await this.core.listNamespacedPod({ namespace });
    return pods.items
      .filter((p) => (p.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === claim))
      .map((p) => p.metadata?.name ?? "");
  }
}
