// Pure: what the node-lost drill reads and judges. The node to lose and what it runs; the KRaft voters (with their
// directory ids) from `kafka-metadata-quorum describe --status`; every partition's leader and ISR sampled once a second
// from the broker's return; RabbitMQ's `rabbitmqctl cluster_status --formatter json`. Each judge says pass or fail and
// the sentence the report shows.
import type { SystemName } from "../../contract/systems";

/** A broker pod as the drill plans the loss: its system, name, uid, whether Ready, and its node. */
export interface BrokerOnNode {
  system: SystemName;
  pod: string;
  uid: string;
  ready: boolean;
  node?: string;
}

export interface LossPlan {
  victim: string;
  replacement: string;
  /** The broker pods of both systems on the victim: they lose their disks with it. */
  lost: BrokerOnNode[];
}

/**
 * Pure: the node to lose (the one asked for, else the node of the drill system's leader) and the pods it takes, or the
 * refusal naming the rule: 3 nodes or more, a node name that exists, every broker pod Ready before, a broker of the
 * drilled system on it.
 */
export function chooseLoss(r: {
  system: SystemName;
  nodes: readonly string[];
  requested?: string;
  leader?: string;
  brokers: readonly BrokerOnNode[];
}): Omit<LossPlan, "replacement"> {
  if (r.nodes.length < 3) {
    throw new Error(
      `node-lost on ${r.nodes.length} node(s) (${r.nodes.join(", ")}): losing one must leave a majority of nodes, and of each system's brokers, running; it needs 3 nodes or more`,
    );
  }
  if (r.requested !== undefined && !r.nodes.includes(r.requested)) {
    throw new Error(`--node = ${r.requested} is not a node of this cluster (nodes: ${r.nodes.join(", ")})`);
  }
  const notReady = r.brokers.filter((b) => !b.ready).map((b) => b.pod);
  if (notReady.length > 0) {
    throw new Error(
      `node-lost rebuilds the lost brokers from their peers: every broker pod of both systems must be Ready before; ${notReady.join(", ")} not Ready`,
    );
  }
  const victim = r.requested ?? r.brokers.find((b) => b.pod === r.leader)?.node;
  if (!victim) throw new Error(`the leader ${r.leader ?? "(none)"} is on no node the drill can see`);
  const lost = r.brokers.filter((b) => b.node === victim);
  if (!lost.some((b) => b.system === r.system))
    throw new Error(
      `${victim} runs no ${r.system} broker pod (it runs ${lost.map((b) => b.pod).join(", ") || "none"}): losing it would not drill ${r.system}`,
    );
  return { victim, lost };
}

/** One KRaft voter: node id, directory id (absent on a static quorum), and the pod its endpoint names. */
export interface QuorumVoter {
  id: number;
  directoryId?: string;
  pod?: string;
}

/** Pure: `describe --status` → the voters, or undefined when the tool did not answer with them. */
export function votersFromQuorumStatus(out: string): QuorumVoter[] | undefined {
  const voters = /^CurrentVoters:\s+(\[.*\])\s*$/m.exec(out)?.[1];
  if (!voters) return undefined;
  const list = JSON.parse(voters) as Array<{ id: number; directoryId?: string; endpoints?: string[] }>;
  return list.map((v) => {
    const pod = v.endpoints?.[0] ? /^[A-Z_]+:\/\/([^.:]+)/.exec(v.endpoints[0])?.[1] : undefined;
    return { id: v.id, ...(v.directoryId ? { directoryId: v.directoryId } : {}), ...(pod ? { pod } : {}) };
  });
}

const voterText = (v: QuorumVoter) => `${v.id}/${v.directoryId ?? "no directory id"}`;

/**
 * Pure: a voter that lost its disk rejoined safely: its node id is a voter again under another directory id, and the
 * old directory id is no voter (else the quorum would count a member with an empty log as the old one).
 */
export function judgeQuorumRejoin(
  old: QuorumVoter,
  now: readonly QuorumVoter[] | undefined,
): { ok: boolean; detail: string } {
  if (!now) return { ok: false, detail: "the quorum's voters could not be read" };
  const all = `voters ${now.map(voterText).join(", ")}`;
  const stale = now.find((v) => v.id === old.id && v.directoryId === old.directoryId);
  if (!old.directoryId)
    return { ok: false, detail: `node ${old.id} had no directory id before (a static quorum?): ${all}` };
  if (stale) return { ok: false, detail: `the old voter ${voterText(old)} is still a voter: ${all}` };
  const back = now.find((v) => v.id === old.id);
  if (!back) return { ok: false, detail: `node ${old.id} is no voter: ${all}` };
  return {
    ok: true,
    detail: `node ${old.id} is a voter again under directory id ${back.directoryId}, the old ${old.directoryId} gone: ${all}`,
  };
}

/** One partition at one sample: its leader (a pod name; absent when none) and in-sync replicas. */
export interface PartitionView {
  topic: string;
  partition: number;
  leader?: string;
  replicas: string[];
  isr: string[];
}

/**
 * Pure: from samples of every partition taken once a second after the loss, that `broker` (rebuilt on an empty disk)
 * left every ISR, from then on led no partition before a sample had shown it in that partition's ISR (a leader is in
 * its own ISR: leading at the sample that first shows it there counts as leading before it caught up), and was back in
 * the ISR of each of its partitions at the last sample.
 */
export function judgeLedAfterCaughtUp(
  broker: string,
  samples: ReadonlyArray<readonly PartitionView[]>,
): { ok: boolean; detail: string } {
  const key = (p: PartitionView) => `${p.topic}-${p.partition}`;
  const out = samples.findIndex((s) => s.length > 0 && s.every((p) => p.leader !== broker && !p.isr.includes(broker)));
  if (out < 0)
    return {
      ok: false,
      detail: `${broker} was never seen out of every ISR after the loss (${samples.length} samples): nothing shows it was rebuilt`,
    };
  const caughtUp = new Set<string>();
  const early = new Set<string>();
  let led = 0;
  for (const s of samples.slice(out + 1)) {
    for (const p of s) if (p.leader === broker && !caughtUp.has(key(p))) early.add(key(p));
    for (const p of s) if (p.isr.includes(broker)) caughtUp.add(key(p));
    led = Math.max(led, s.filter((p) => p.leader === broker).length);
  }
  const last = samples[samples.length - 1] ?? [];
  const partitions = last.length;
  const seen = `${samples.length} samples, out of every ISR from sample ${out + 1}`;
  if (early.size > 0)
    return {
      ok: false,
      detail: `${broker} led ${[...early].sort().join(", ")} before a sample showed it in that partition's ISR (${seen})`,
    };
  const behind = last.filter((p) => p.replicas.includes(broker) && !p.isr.includes(broker)).map(key);
  if (behind.length > 0)
    return {
      ok: false,
      detail: `${broker} not back in the ISR of ${behind.sort().join(", ")} at the last sample: its catch-up was not seen (${seen})`,
    };
  return {
    ok: true,
    detail: `${broker} back in the ISR of ${caughtUp.size} of ${partitions} partitions, leading at most ${led}, each only after it was in its ISR (${seen})`,
  };
}

/** Pure: the partitions not at full replication (fewer replicas than `replicas`, or a replica out of the ISR). */
export function partitionsNotInSync(parts: readonly PartitionView[], replicas: number): string[] {
  return parts
    .filter((p) => p.replicas.length < replicas || p.replicas.some((r) => !p.isr.includes(r)))
    .map((p) => `${p.topic}-${p.partition} ISR [${p.isr.join(",")}] of [${p.replicas.join(",")}]`);
}

/** RabbitMQ's view of its cluster, from one node: its name, members, and running members (Erlang node names). */
export interface RabbitClusterStatus {
  clusterName: string;
  members: string[];
  running: string[];
}

/** Pure: `rabbitmqctl cluster_status --formatter json` → the cluster as that node sees it; undefined when unreadable. */
export function clusterStatusFrom(out: string): RabbitClusterStatus | undefined {
  const json = out.slice(out.indexOf("{"), out.lastIndexOf("}") + 1);
  if (!json) return undefined;
  try {
    const s = JSON.parse(json) as {
      cluster_name?: string;
      disk_nodes?: string[];
      ram_nodes?: string[];
      running_nodes?: string[];
    };
    if (typeof s.cluster_name !== "string" || !Array.isArray(s.running_nodes)) return undefined;
    return {
      clusterName: s.cluster_name,
      members: [...(s.disk_nodes ?? []), ...(s.ram_nodes ?? [])].sort(),
      running: [...s.running_nodes].sort(),
    };
  } catch {
    return undefined;
  }
}

/** Pure: a pod's Erlang node name among the cluster's members (long names: `rabbit@<pod>.<service>.<namespace>`). */
export function erlangNameOf(pod: string, members: readonly string[]): string | undefined {
  return members.find((m) => m.startsWith(`rabbit@${pod}.`) || m === `rabbit@${pod}`);
}

/**
 * Pure: the rebuilt node joined the existing cluster: the survivor sees it running, and the rebuilt node sees the
 * same cluster (name and members), not a cluster of its own (a blank seed pod forms one: peer discovery's seed trap).
 */
export function judgeRabbitRejoin(
  node: string,
  survivor: RabbitClusterStatus | undefined,
  rebuilt: RabbitClusterStatus | undefined,
): { ok: boolean; detail: string } {
  if (!survivor || !rebuilt)
    return { ok: false, detail: `cluster_status unreadable on the ${survivor ? "rebuilt node" : "survivor"}` };
  const view = (s: RabbitClusterStatus) => `${s.clusterName}: ${s.running.length} of ${s.members.length} running`;
  const same = rebuilt.clusterName === survivor.clusterName && rebuilt.members.join(" ") === survivor.members.join(" ");
  if (!survivor.running.includes(node))
    return { ok: false, detail: `the survivor does not see ${node} running (${view(survivor)})` };
  if (!same)
    return {
      ok: false,
      detail: `${node} is in another cluster than the survivors: it sees ${rebuilt.clusterName} [${rebuilt.members.join(", ")}], they see ${survivor.clusterName} [${survivor.members.join(", ")}]`,
    };
  return { ok: true, detail: `${node} running in the survivors' cluster, and it sees the same (${view(survivor)})` };
}
