// What the live RabbitMQ cluster says about itself, through the management HTTP API: running nodes, version,
// the type, leader and online members of a queue, and the few writes the embedded environment makes (declared
// queues, policies). Timing of failover is measured from the client, not from here.

import type { Health } from "../contract/health";
import type { NodeRef, RabbitMQTarget } from "../contract/target";
import { httpRequest } from "./tls";

export interface QueueInfo {
  name: string;
  vhost: string;
  type: string;
  durable: boolean;
  leader?: string;
  members: string[];
  online: string[];
  messages: number;
}

/** A node as the management API lists it: its Erlang name, whether it runs, and the partitions it sees. */
export interface ManagementNode {
  name: string;
  running: boolean;
  partitions: string[];
}

/** What the management API needs of a target: where to ask, as whom, the vhost, and the CA to trust over https. */
export type ManagementAccess = Pick<RabbitMQTarget, "managementUrls" | "username" | "password" | "vhost" | "ca">;

type RawQueue = {
  name: string;
  vhost?: string;
  type: string;
  durable: boolean;
  leader?: string;
  node?: string;
  members?: string[];
  online?: string[];
  messages?: number;
};

const queueInfo = (q: RawQueue, vhost: string): QueueInfo => ({
  name: q.name,
  vhost: q.vhost ?? vhost,
  type: q.type,
  durable: q.durable,
  // Quorum queues report a leader; a classic queue lives on one node.
  leader: q.leader ?? q.node,
  members: q.members ?? [],
  online: q.online ?? [],
  messages: q.messages ?? 0,
});

export class ManagementApi {
  constructor(
    private readonly target: ManagementAccess,
    private readonly timeoutMs = 3_000,
  ) {}

  /** GET from the first node that answers; the management API is the same on every node. */
  async get<T>(path: string, auth = { username: this.target.username, password: this.target.password }): Promise<T> {
    return (await this.request("GET", path, undefined, auth)) as T;
  }

  /** One request to the first node that answers; a refused login is final, any other failure tries the next node. */
  private async request(
    method: string,
    path: string,
    body?: unknown,
    auth = { username: this.target.username, password: this.target.password },
  ): Promise<unknown> {
    let last = "";
    for (const base of this.target.managementUrls) {
      try {
        const res = await httpRequest(new URL(path, base), {
          method,
          headers: {
            authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`,
            "content-type": "application/json",
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          timeoutMs: this.timeoutMs,
          ...(this.target.ca === undefined ? {} : { ca: this.target.ca }),
        });
        if (res.status === 401) throw new HttpStatusError(401, `${base}${path}: 401 unauthorized`);
        if (res.status < 200 || res.status > 299)
          throw new HttpStatusError(res.status, `${base}${path}: HTTP ${res.status}`);
        return res.text ? JSON.parse(res.text) : undefined;
      } catch (err) {
        if (err instanceof HttpStatusError && err.status === 401) throw err;
        last = err instanceof Error ? err.message : String(err);
      }
    }
    throw new Error(
      `no management endpoint answered ${method === "GET" ? "" : `${method} `}${path}; last error: ${last}`,
    );
  }

  private queuePath = (name: string) =>
    `/api/queues/${encodeURIComponent(this.target.vhost)}/${encodeURIComponent(name)}`;

  async version(): Promise<string> {
    return (await this.get<{ rabbitmq_version: string }>("/api/overview")).rabbitmq_version;
  }

  nodes(): Promise<ManagementNode[]> {
    return this.get<ManagementNode[]>("/api/nodes");
  }

  async runningNodes(): Promise<string[]> {
    return (await this.nodes()).filter((n) => n.running).map((n) => n.name);
  }

  async queue(name: string): Promise<QueueInfo> {
    return queueInfo(await this.get<RawQueue>(this.queuePath(name)), this.target.vhost);
  }

  /** Every queue of every vhost. */
  async queues(): Promise<QueueInfo[]> {
    return (await this.get<RawQueue[]>("/api/queues")).map((q) => queueInfo(q, this.target.vhost));
  }

  async definitionsDefaultQueueType(): Promise<string | undefined> {
    const vhost = await this.get<{ default_queue_type?: string; metadata?: { default_queue_type?: string } }>(
      `/api/vhosts/${encodeURIComponent(this.target.vhost)}`,
    );
    return vhost.default_queue_type ?? vhost.metadata?.default_queue_type;
  }

  async declareQuorumQueue(name: string): Promise<void> {
    await this.request("PUT", this.queuePath(name), {
      durable: true,
      auto_delete: false,
      arguments: { "x-queue-type": "quorum" },
    });
  }

  async putPolicy(name: string, policy: object): Promise<void> {
    await this.request(
      "PUT",
      `/api/policies/${encodeURIComponent(this.target.vhost)}/${encodeURIComponent(name)}`,
      policy,
    );
  }

  async deleteQueue(name: string): Promise<void> {
    await this.request("DELETE", this.queuePath(name));
  }
}

class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The target node whose Erlang node name leads the queue. */
export function nodeByErlangName(target: RabbitMQTarget, erlangName: string): NodeRef {
  const n = target.nodes.find((x) => x.id === erlangName);
  if (!n)
    throw new Error(
      `RabbitMQ node ${erlangName} is not in the target's node list (${target.nodes.map((x) => x.id).join(", ")})`,
    );
  return n;
}

export async function queueLeader(api: ManagementApi, target: RabbitMQTarget, queue: string): Promise<NodeRef> {
  const q = await api.queue(queue);
  if (!q.leader) throw new Error(`queue ${queue} has no leader right now`);
  return nodeByErlangName(target, q.leader);
}

/**
 * Pure: what is wrong with one quorum queue's membership: fewer members than the deployment promises, or members on
 * nodes that not every answering node sees running (`running`: the nodes all of them list as running).
 */
export function queueMemberProblems(
  queue: string,
  members: readonly string[],
  running: ReadonlySet<string>,
  expected: number,
): string[] {
  const down = members.filter((m) => !running.has(m));
  return [
    ...(members.length < expected ? [`queue ${queue} has ${members.length} members, expected ${expected}`] : []),
    ...(down.length > 0
      ? [
          `queue ${queue}: ${members.length - down.length} of ${members.length} members online (${down.join(", ")} down)`,
        ]
      : []),
  ];
}

/**
 * The one definition of a healthy RabbitMQ cluster, for the embedded environment's `up`, the drills and the deploy:
 * every node answers and, in its own view, every node is running and no network partition is reported; and each of
 * the given queues (every quorum queue any node lists, when none are named) has a leader that the leader's own node
 * confirms, with all its members online: on nodes every answering node sees running. The management API's `online`
 * list is not what counts them: after a partition heals it can stay stale for minutes on every node while
 * `rabbitmq-queues quorum_status` shows all three members as voters at the same log index (seen on RabbitMQ 4.3.6 in
 * this project's isolate-node drill).
 */
export async function rabbitHealth(target: RabbitMQTarget, queues?: string[], timeoutMs = 3_000): Promise<Health> {
  const problems: string[] = [];
  const apis = target.managementUrls.map((url) => new ManagementApi({ ...target, managementUrls: [url] }, timeoutMs));
  const nodeName = (i: number) => target.nodes[i]?.name ?? target.managementUrls[i] ?? String(i);
  // The nodes every answering node sees running; a node no one answered for is not counted online.
  let runningEverywhere: Set<string> | undefined;
  await Promise.all(
    apis.map(async (api, i) => {
      try {
        const nodes = await api.nodes();
        const running = nodes.filter((n) => n.running).map((n) => n.name);
        runningEverywhere = new Set(runningEverywhere ? running.filter((n) => runningEverywhere?.has(n)) : running);
        const missing = target.nodes.filter((n) => !running.includes(n.id)).map((n) => n.name);
        if (missing.length > 0) problems.push(`${nodeName(i)} sees ${missing.join(", ")} down`);
        const partitioned = nodes.filter((n) => n.running && (n.partitions ?? []).length > 0).map((n) => n.name);
        if (partitioned.length > 0) problems.push(`${nodeName(i)} reports a partition on ${partitioned.join(", ")}`);
      } catch (err) {
        problems.push(`${nodeName(i)} not answering (${err instanceof Error ? err.message : String(err)})`);
      }
    }),
  );
  const names = queues ?? (await quorumQueueNames(apis, target.vhost));
  for (const name of names) {
    const views = await Promise.all(apis.map((api) => api.queue(name).catch(() => undefined)));
    const fromLeader = views.find((q, i) => q?.leader !== undefined && q.leader === target.nodes[i]?.id);
    if (!fromLeader) {
      problems.push(`queue ${name}: no node confirms that it leads it`);
      continue;
    }
    const expected = target.expected.quorumInitialGroupSize;
    problems.push(...queueMemberProblems(name, fromLeader.members, runningEverywhere ?? new Set(), expected));
  }
  return problems.length === 0
    ? { healthy: true, detail: "all nodes running, every queue member online" }
    : { healthy: false, detail: problems.sort().join("; ") };
}

/** The quorum queues of the target's vhost that any answering node lists. */
async function quorumQueueNames(apis: ManagementApi[], vhost: string): Promise<string[]> {
  const views = await Promise.all(apis.map((api) => api.queues().catch(() => [])));
  const quorum = views.flat().filter((q) => q.type === "quorum" && q.vhost === vhost);
  return [...new Set(quorum.map((q) => q.name))].sort();
}
