// `status`: one table for both clusters, from what each node says about itself (process, namespace, firewall) and
// what the cluster says about it (registered broker, running member, active controller, version).
import { readFileSync } from "node:fs";
import { allNodes, type Environment } from "./environment";
import { activeController, nodeCondition } from "./faults";
import * as kafka from "./kafka/cluster";
import { readPidFile } from "./processes";
import * as rabbit from "./rabbitmq/cluster";
import { nodeLog } from "./state";
import { type EmbeddedNode, rabbitmqNodeName } from "./topology";

export interface StatusRow {
  node: string;
  address: string;
  pid: string;
  state: string;
  role: string;
  version: string;
}

/** Kafka logs its version at startup ("Kafka version: 4.3.1"); the last start's line is the running version. */
function kafkaVersion(node: EmbeddedNode): string {
  try {
    const log = readFileSync(nodeLog(node.name), "utf8");
    const all = [...log.matchAll(/Kafka version: (\S+)/g)];
    return all.at(-1)?.[1] ?? "?";
  } catch {
    return "?";
  }
}

const orUndefined = async <T>(p: Promise<T>) => p.catch(() => undefined);

export async function statusRows(env: Environment): Promise<StatusRow[]> {
  const k = env.kafka;
  const [registered, controller] = await Promise.all([
    orUndefined(kafka.registeredBrokers(k)),
    orUndefined(activeController(env)),
  ]);
  const firstRabbit = env.rabbitmq.nodes.find(
    (n) => nodeCondition(n).process === "running" && !nodeCondition(n).isolated,
  );
  const members = firstRabbit ? await orUndefined(rabbit.runningMembers(env.rabbitmq, firstRabbit)) : undefined;
  return Promise.all(
    allNodes(env).map(async (node) => {
      const c = nodeCondition(node);
      const base = c.process === "gone" ? "down" : c.process;
      const state = c.isolated ? `${base}, isolated` : base;
      let role: string;
      let version: string;
      if (node.system === "kafka") {
        const id = node.nodeId;
        const joined = node.roles.includes("broker") ? registered?.includes(id) : undefined;
        role = [
          `id ${id} ${node.roles.join("+")}`,
          ...(controller?.name === node.name ? ["active controller"] : []),
          ...(joined === false ? ["not registered"] : []),
        ].join(", ");
        version = c.process === "gone" ? "" : `Kafka ${kafkaVersion(node)}`;
      } else {
        const joined = members?.includes(rabbitmqNodeName(node));
        role = `${rabbitmqNodeName(node)}${joined === false ? ", not a running member" : joined ? ", member" : ""}`;
        const v =
          c.process === "running" && !c.isolated
            ? await orUndefined(rabbit.nodeVersion(env.rabbitmq, node))
            : undefined;
        version = v ? `RabbitMQ ${v}` : "";
      }
      return {
        node: node.name,
        address: node.address,
        pid: String(readPidFile(node.name)?.pid ?? "-"),
        state,
        role,
        version,
      };
    }),
  );
}

export function renderTable(rows: StatusRow[]): string {
  const headers: StatusRow = {
    node: "NODE",
    address: "ADDRESS",
    pid: "PID",
    state: "STATE",
    role: "ROLE",
    version: "VERSION",
  };
  const keys = Object.keys(headers) as Array<keyof StatusRow>;
  const all = [headers, ...rows];
  const widths = keys.map((key) => Math.max(...all.map((r) => r[key].length)));
  return all
    .map((r) =>
      keys
        .map((key, i) => r[key].padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
