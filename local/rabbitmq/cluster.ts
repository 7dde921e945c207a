// Three RabbitMQ nodes from the overlay rootfs, each chrooted inside its own network namespace, clustered by
// classic_config peer discovery. Node state lives in the overlay's upper dir (inside the state directory).

import { ManagementApi } from "../../brokers/rabbitmq";
import { startProcess } from "../processes";
import { type LocalNode, rabbitmqNodeName } from "../topology";
import { waitFor } from "../waits";
import {
  localPlugins,
  type RabbitMQChartSettings,
  rabbitmqConf,
  rabbitmqEnv,
  renderEnabledPlugins,
  renderRabbitConf,
} from "./config";
import { chrootCommand, mkdirOwned, writeOwned } from "./rootfs";

export interface RabbitCluster {
  settings: RabbitMQChartSettings;
  nodes: LocalNode[];
  username: string;
  password: string;
}

const nodeBase = (node: LocalNode) => `/var/lib/mp/${node.name}`;

/** The management API of one node. */
export function managementApi(c: RabbitCluster, node: LocalNode, vhost = "/"): ManagementApi {
  return new ManagementApi({
    managementUrls: [`http://${node.address}:${c.settings.ports.management}`],
    username: c.username,
    password: c.password,
    vhost,
  });
}

export function nodeEnv(c: RabbitCluster, node: LocalNode): Record<string, string> {
  const base = nodeBase(node);
  return rabbitmqEnv(c.settings, node, {
    base,
    config: `${base}/rabbitmq.conf`,
    plugins: `${base}/enabled_plugins`,
  });
}

/** Writes the node's config and creates its dirs (owned by rabbitmq); safe to repeat. */
export function prepareNode(c: RabbitCluster, node: LocalNode): void {
  const base = nodeBase(node);
  for (const d of [base, `${base}/mnesia`, `${base}/log`]) mkdirOwned(d);
  const conf = rabbitmqConf(c.settings, c.nodes, { username: c.username, password: c.password });
  writeOwned(`${base}/rabbitmq.conf`, renderRabbitConf(conf), 0o600);
  writeOwned(`${base}/enabled_plugins`, renderEnabledPlugins(localPlugins(c.settings)));
}

export function startNode(c: RabbitCluster, node: LocalNode): void {
  const argv = chrootCommand(["/usr/lib/rabbitmq/bin/rabbitmq-server"], nodeEnv(c, node));
  startProcess(node, argv, { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin" });
}

/** The running cluster members as one node sees them. */
export async function runningMembers(c: RabbitCluster, node: LocalNode): Promise<string[]> {
  const nodes = await managementApi(c, node).nodes();
  return nodes.filter((n) => n.running).map((n) => n.name);
}

/** Every given node answers and sees exactly the given nodes running, with no partition reported. */
export async function clusterFormed(c: RabbitCluster, nodes: LocalNode[]): Promise<boolean> {
  const want = nodes.map(rabbitmqNodeName).sort();
  for (const node of nodes) {
    const seen = await managementApi(c, node).nodes();
    const running = seen.filter((n) => n.running).map((n) => n.name);
    if (running.sort().join() !== want.join()) return false;
    if (seen.some((n) => n.running && n.partitions.length > 0)) return false;
  }
  return true;
}

/**
 * Every quorum queue has a leader that the leader's own node confirms. The management API's `online` list is not
 * used, and no single node is trusted: right after a partition heals a node can report stale membership and
 * leadership for minutes while `rabbitmq-queues quorum_status` shows every member a voter at the same log index.
 */
export async function quorumQueuesHealthy(c: RabbitCluster, nodes: LocalNode[] = c.nodes): Promise<boolean> {
  const views = await Promise.all(nodes.map((n) => managementApi(c, n).queues()));
  const names = new Set(
    views
      .flat()
      .filter((q) => q.type === "quorum")
      .map((q) => `${q.vhost}/${q.name}`),
  );
  for (const name of names) {
    const confirmed = views.some((view, i) => {
      const q = view.find((x) => `${x.vhost}/${x.name}` === name);
      const self = nodes[i];
      return q?.leader !== undefined && self !== undefined && q.leader === rabbitmqNodeName(self);
    });
    if (!confirmed) return false;
  }
  return true;
}

export async function waitClusterHealthy(c: RabbitCluster, timeoutMs: number): Promise<void> {
  await waitFor(`RabbitMQ nodes ${c.nodes.map((n) => n.name).join(", ")} to form one cluster`, timeoutMs, () =>
    clusterFormed(c, c.nodes),
  );
  await waitFor("every RabbitMQ quorum queue to have a leader its own node confirms", timeoutMs, () =>
    quorumQueuesHealthy(c),
  );
}

export async function nodeVersion(c: RabbitCluster, node: LocalNode): Promise<string> {
  return managementApi(c, node).version();
}
