// The commands the Kubernetes fault injector runs by exec in a broker's or a peer's container: the programs are the
// shell scripts beside this file (shellcheck-clean, run by the tests as they run in the pod), read when a command is
// built, with their inputs passed as arguments rather than written into the script.
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** A script of this folder, as text for `sh -c` or `bash -c`: the broker images hold none of our files. */
function program(file: string): string {
  return readFileSync(join(__dirname, file), "utf8");
}

/**
 * SIGKILL every process of the container but PID 1 and the script; prints "pid comm" per process killed. With the
 * hold-down marker, creates it first ("held: <marker>"), or kills nothing and exits 3 when it cannot.
 */
export function killEverythingCommand(holdDownMarker?: string): string[] {
  return ["sh", "-c", program("kill-everything.sh"), "kill-everything.sh", ...(holdDownMarker ? [holdDownMarker] : [])];
}

/**
 * The decoy kill (a deliberate break): starts a process beside the broker in its container and SIGKILLs it, touching
 * nothing else. Prints "decoy <pid> exit <status>" (137: killed by SIGKILL).
 */
export function decoyKillCommand(): string[] {
  return ["sh", "-c", 'sleep 600 & p=$!; kill -KILL "$p"; wait "$p"; echo "decoy $p exit $?"'];
}

/** Pure: the decoy's pid when the decoy kill's output shows it died by SIGKILL. */
export function decoyKilled(out: string): number | undefined {
  const m = /decoy (\d+) exit 137/.exec(out);
  return m ? Number(m[1]) : undefined;
}

/** Lets a held-down broker start: removes the hold-down marker its waiting container looks for. */
export function releaseHoldCommand(holdDownMarker: string): string[] {
  return ["rm", "-f", holdDownMarker];
}

/** Probe each of the pod's ports from a peer: prints "<port> open|refused|blocked" per port. */
export function reachCommand(ip: string, ports: number[]): string[] {
  return ["bash", "-c", program("reach.sh"), "reach.sh", ip, ...ports.map(String)];
}

/** In a Kafka controller pod: `kafka-metadata-quorum.sh describe --status`, with the controller's credentials. */
export function kafkaQuorumStatusCommand(): string[] {
  return ["sh", "-c", program("kafka-quorum-status.sh")];
}

/**
 * In a Kafka controller pod: `kafka-metadata-quorum.sh remove-controller` of one voter (node id and directory id), as
 * an operator removes a voter whose disk was lost (docs/operations/kraft.md), with the controller's credentials.
 */
export function kafkaRemoveVoterCommand(id: number, directoryId: string): string[] {
  return [
    "sh",
    "-c",
    program("kafka-quorum-status.sh"),
    "kafka-quorum-status.sh",
    "remove-controller",
    "--controller-id",
    String(id),
    "--controller-directory-id",
    directoryId,
  ];
}

/** In a RabbitMQ pod: the cluster as this node sees it (name, members, running members), as JSON. */
export function rabbitmqClusterStatusCommand(): string[] {
  return ["rabbitmqctl", "cluster_status", "--formatter", "json"];
}

/** In a surviving RabbitMQ pod: the cluster forgets a node that is gone for good (its queue members with it). */
export function rabbitmqForgetCommand(erlangNode: string): string[] {
  return ["rabbitmqctl", "forget_cluster_node", erlangNode];
}

/** In a RabbitMQ pod: each member of a quorum queue as this node sees it (Raft state, term), as JSON. */
export function rabbitmqQuorumStatusCommand(queue: string): string[] {
  return ["rabbitmq-queues", "quorum_status", queue, "--formatter", "json"];
}

/**
 * Hold a connection to each of the far end's ports across a fault: prints "<port> held <inode>" (or "<port> not-open
 * …") then "ready"; after a line on stdin, "<port> through|cut|gone …" per held port (see the script).
 */
export function holdConnectionsCommand(ip: string, ports: number[]): string[] {
  return ["bash", "-c", program("hold-connections.sh"), "hold-connections.sh", ip, ...ports.map(String)];
}
