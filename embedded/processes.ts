// Node processes: started detached (own session, so the process group is the node's) inside the node's network
// namespace, output appended to logs/<node>.log, pid recorded with the process start time so a recycled pid from a
// crashed run is never mistaken for a node.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { describeCommand } from "../toolchain/src/secrets";
import { inNamespace, namespacePids } from "./netns";
import { nodeLog, nodePidFile } from "./state";
import type { EmbeddedNode } from "./topology";
import { waitFor } from "./waits";

export interface ProcessRecord {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: distinguishes our process from a later one with the same pid. */
  startTime: string;
}

export type ProcessState = "running" | "paused" | "gone";

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces; everything after its closing parenthesis is space-separated.
    return stat
      .slice(stat.lastIndexOf(")") + 2)
      .trim()
      .split(" ");
  } catch {
    return undefined;
  }
}

const startTimeOf = (pid: number) => statFields(pid)?.[19];

export function processState(rec: ProcessRecord | undefined): ProcessState {
  if (!rec) return "gone";
  const f = statFields(rec.pid);
  if (!f || f[19] !== rec.startTime) return "gone";
  const state = f[0];
  if (state === "Z" || state === "X") return "gone";
  return state === "T" ? "paused" : "running";
}

export function readPidFile(name: string): ProcessRecord | undefined {
  const path = nodePidFile(name);
  if (!existsSync(path)) return undefined;
  const [pid, startTime] = readFileSync(path, "utf8").trim().split(" ");
  const n = Number.parseInt(pid ?? "", 10);
  return Number.isInteger(n) && startTime ? { pid: n, startTime } : undefined;
}

export const removePidFile = (name: string) => rmSync(nodePidFile(name), { force: true });

export function nodeProcess(node: EmbeddedNode): ProcessRecord | undefined {
  const rec = readPidFile(node.name);
  return processState(rec) === "gone" ? undefined : rec;
}

/** Starts argv in the node's namespace as a new session; returns once the pid file is written. */
export function startProcess(node: EmbeddedNode, argv: string[], env: NodeJS.ProcessEnv): ProcessRecord {
  mkdirSync(dirname(nodeLog(node.name)), { recursive: true });
  mkdirSync(dirname(nodePidFile(node.name)), { recursive: true });
  const log = openSync(nodeLog(node.name), "a");
  const [program = "", ...rest] = argv;
  writeFileSync(log, `\n=== ${new Date().toISOString()} starting ${node.name}: ${describeCommand(program, rest)}\n`);
  const [cmd, ...args] = inNamespace(node.netns, argv) as [string, ...string[]];
  const child = spawn(cmd, args, { detached: true, stdio: ["ignore", log, log], env });
  closeSync(log);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${node.name}: ${cmd} did not spawn`);
  // nsenter execs the node's command, so the pid is the node's; its start time is readable at once.
  const startTime = startTimeOf(pid);
  if (!startTime) throw new Error(`${node.name} exited immediately; see ${nodeLog(node.name)}`);
  writeFileSync(nodePidFile(node.name), `${pid} ${startTime}\n`);
  return { pid, startTime };
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone: nothing to signal.
  }
}

/** Signals the node's process group (the session started by startProcess). */
export function signalGroup(rec: ProcessRecord, signal: NodeJS.Signals): void {
  if (processState(rec) !== "gone") signalPid(-rec.pid, signal);
}

/** Signals every process in the node's namespace: epmd and helpers included, as if the whole host were hit. */
export function signalNamespace(node: EmbeddedNode, signal: NodeJS.Signals): void {
  for (const pid of namespacePids(node.netns)) signalPid(pid, signal);
}

export const namespaceIsEmpty = (node: EmbeddedNode) => namespacePids(node.netns).length === 0;

/** Kills everything in the node's namespace and waits until nothing is left there. */
export async function killNode(node: EmbeddedNode, timeoutMs = 15_000): Promise<void> {
  await waitFor(`every process of ${node.name} to exit after SIGKILL`, timeoutMs, () => {
    signalNamespace(node, "SIGKILL");
    return namespaceIsEmpty(node);
  });
  removePidFile(node.name);
}

/**
 * Graceful stop: SIGTERM to the node's process group (SIGCONT too, in case it is paused), wait for the main process,
 * then clear what the node left behind (epmd). Falls back to SIGKILL after `timeoutMs`.
 */
export async function stopNode(node: EmbeddedNode, timeoutMs = 45_000): Promise<void> {
  const rec = readPidFile(node.name);
  if (rec && processState(rec) !== "gone") {
    signalGroup(rec, "SIGTERM");
    signalGroup(rec, "SIGCONT");
    try {
      await waitFor(`${node.name} to exit after SIGTERM`, timeoutMs, () => processState(rec) === "gone", 250);
    } catch (e) {
      process.stderr.write(`${e instanceof Error ? e.message : e}; killing it\n`);
    }
  }
  await killNode(node);
}
