// Fault control for the embedded environment, in Jepsen's terms: every fault comes with its heal (kill/stop → start,
// pause → resume, isolate → heal). Also finds the nodes worth breaking: a partition's leader, the active KRaft
// controller, a quorum queue's leader. Queries only ask nodes that can answer (alive, not paused, not isolated).
import { type Environment, findNode, loadEnvironment } from "./environment";
import * as kafka from "./kafka/cluster";
import { heal as healNamespace, isIsolated, isolate as isolateNamespace, namespaceExists } from "./netns";
import { killNode, nodeProcess, processState, readPidFile, signalNamespace, stopNode } from "./processes";
import * as rabbit from "./rabbitmq/cluster";
import { type EmbeddedNode, rabbitmqNodeName } from "./topology";
import { waitFor } from "./waits";

export const FAULT_ACTIONS = ["kill", "stop", "start", "pause", "resume", "isolate", "heal"] as const;
export type FaultAction = (typeof FAULT_ACTIONS)[number];

export interface NodeCondition {
  process: "running" | "paused" | "gone";
  isolated: boolean;
}

export function nodeCondition(node: EmbeddedNode): NodeCondition {
  return { process: processState(readPidFile(node.name)), isolated: isIsolated(node.netns) };
}

const reachable = (node: EmbeddedNode) => {
  const c = nodeCondition(node);
  return c.process === "running" && !c.isolated;
};

function startNode(env: Environment, node: EmbeddedNode): void {
  if (nodeProcess(node)) return;
  if (!namespaceExists(node.netns)) throw new Error(`${node.name} has no namespace: run \`npm run embedded:up\``);
  // A killed RabbitMQ node can leave epmd behind; a restarted "host" starts clean.
  signalNamespace(node, "SIGKILL");
  if (node.system === "kafka") kafka.startNode(node);
  else rabbit.startNode(env.rabbitmq, node);
}

/** Signals are delivered asynchronously (a JVM has many threads to stop): wait until the state shows it. */
async function signalUntil(node: EmbeddedNode, signal: NodeJS.Signals, want: NodeCondition["process"]): Promise<void> {
  signalNamespace(node, signal);
  await waitFor(`${node.name} to be ${want} after ${signal}`, 10_000, () => nodeCondition(node).process === want, 50);
}

/** Applies one fault action to one node. Returns when the action itself is done (not when the cluster recovers). */
export async function fault(action: FaultAction, nodeName: string, env = loadEnvironment()): Promise<void> {
  const node = findNode(env, nodeName);
  switch (action) {
    case "kill":
      return killNode(node);
    case "stop":
      return stopNode(node);
    case "start":
      return startNode(env, node);
    case "pause":
      return signalUntil(node, "SIGSTOP", "paused");
    case "resume":
      return signalUntil(node, "SIGCONT", "running");
    case "isolate":
      return isolateNamespace(node.netns);
    case "heal":
      return healNamespace(node.netns);
  }
}

function kafkaNodeById(env: Environment, id: number): EmbeddedNode {
  const node = env.kafka.nodes.find((n) => n.nodeId === id);
  if (!node) throw new Error(`no embedded Kafka node has node.id ${id}`);
  return node;
}

/** The broker leading a topic partition, as the reachable brokers report it. */
export async function partitionLeader(topic: string, partition = 0, env = loadEnvironment()): Promise<EmbeddedNode> {
  const ps = await kafka.partitions(env.kafka, [topic], kafka.brokers(env.kafka).filter(reachable));
  const p = ps.find((x) => x.partition === partition);
  if (!p || p.leader < 0) throw new Error(`${topic}-${partition} has no leader`);
  return kafkaNodeById(env, p.leader);
}

/** The active KRaft controller, as the reachable controllers report it. */
export async function activeController(env = loadEnvironment()): Promise<EmbeddedNode> {
  const id = await kafka.activeController(env.kafka, kafka.controllers(env.kafka).filter(reachable));
  return kafkaNodeById(env, id);
}

/** The node hosting the leader of a quorum queue, as a reachable node reports it. */
export async function quorumQueueLeader(queue: string, vhost = "/", env = loadEnvironment()): Promise<EmbeddedNode> {
  const asker = env.rabbitmq.nodes.find(reachable);
  if (!asker) throw new Error("no reachable RabbitMQ node to ask");
  const q = await rabbit.managementApi(env.rabbitmq, asker, vhost).queue(queue);
  const leader = env.rabbitmq.nodes.find((n) => rabbitmqNodeName(n) === q.leader);
  if (!leader) throw new Error(`quorum queue ${queue} has no leader (reported: ${q.leader})`);
  return leader;
}
