// Three RabbitMQ nodes from the overlay rootfs, each chrooted inside its own network namespace, clustered by
// classic_config peer discovery. Node state lives in the overlay's upper dir (inside the state directory).

import { ManagementApi } from "../../brokers/rabbitmq";
import { startProcess } from "../processes";
import type { EmbeddedNode } from "../topology";
import {
  type EmbeddedRabbitMQSettings,
  embeddedPlugins,
  rabbitmqConf,
  rabbitmqEnv,
  renderEnabledPlugins,
  renderRabbitConf,
} from "./config";
import { chrootCommand, mkdirOwned, writeOwned } from "./rootfs";

export interface RabbitCluster {
  settings: EmbeddedRabbitMQSettings;
  nodes: EmbeddedNode[];
  username: string;
  password: string;
}

const nodeBase = (node: EmbeddedNode) => `/var/lib/mp/${node.name}`;

/** The management API of one node. */
export function managementApi(c: RabbitCluster, node: EmbeddedNode, vhost = "/"): ManagementApi {
  return new ManagementApi({
    managementUrls: [`http://${node.address}:${c.settings.ports.management}`],
    username: c.username,
    password: c.password,
    vhost,
  });
}

export function nodeEnv(c: RabbitCluster, node: EmbeddedNode): Record<string, string> {
  const base = nodeBase(node);
  return rabbitmqEnv(c.settings, node, {
    base,
    config: `${base}/rabbitmq.conf`,
    plugins: `${base}/enabled_plugins`,
  });
}

/** Writes the node's config and creates its dirs (owned by rabbitmq); safe to repeat. */
export function prepareNode(c: RabbitCluster, node: EmbeddedNode): void {
  const base = nodeBase(node);
  for (const d of [base, `${base}/mnesia`, `${base}/log`]) mkdirOwned(d);
  const conf = rabbitmqConf(c.settings, c.nodes, { username: c.username, password: c.password });
  writeOwned(`${base}/rabbitmq.conf`, renderRabbitConf(conf), 0o600);
  writeOwned(`${base}/enabled_plugins`, renderEnabledPlugins(embeddedPlugins(c.settings)));
}

export function startNode(c: RabbitCluster, node: EmbeddedNode): void {
  const argv = chrootCommand(["/usr/lib/rabbitmq/bin/rabbitmq-server"], nodeEnv(c, node));
  startProcess(node, argv, { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin" });
}

/** The running cluster members as one node sees them. */
export async function runningMembers(c: RabbitCluster, node: EmbeddedNode): Promise<string[]> {
  const nodes = await managementApi(c, node).nodes();
  return nodes.filter((n) => n.running).map((n) => n.name);
}

export async function nodeVersion(c: RabbitCluster, node: EmbeddedNode): Promise<string> {
  return managementApi(c, node).version();
}
