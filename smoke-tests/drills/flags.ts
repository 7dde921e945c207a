// The drill commands' flags, read into the drill library's typed request pieces. Pure: every flag is checked (a clear
// error naming flag, value and rule) before any command touches the target.
import { workersRange } from "../../contract/gate-settings";
import type { SystemName } from "../../contract/systems";
import { flag, numberFlag } from "../../toolchain/src/command-line";
import { defaultKafkaClient, type KafkaClientName, parseKafkaClient, parseKafkaClients } from "../clients/kafka-client";
import { parseKillMode } from "../faults/kill-mode";
import type { HarnessOptions } from "./harness";
import type { DrillSettings } from "./nemesis";

/** The flags every drill takes (`npm run compare` takes them too, but --system). */
export const drillFlags = [
  "target",
  "system",
  "rounds",
  "fault-seconds",
  "steady-seconds",
  "after-seconds",
  "recovery-bound-seconds",
  "rate",
  "unsafe",
  "kafka-client",
  "kafka-clients",
  "kill",
  "hold-for-alerts",
  "node",
  "workers",
  "kill-worker",
];

/** --kafka-client one, or --kafka-clients a,b (all = every client) for the matrix; kafkajs when neither is given. */
export function kafkaClientsFrom(argv: readonly string[]): KafkaClientName[] {
  const one = flag(argv, "kafka-client");
  const many = flag(argv, "kafka-clients");
  if (one !== undefined && many !== undefined) {
    throw new Error(`--kafka-client = ${one} and --kafka-clients = ${many}: give one or the other`);
  }
  if (many !== undefined) return parseKafkaClients(many);
  return [parseKafkaClient(one ?? defaultKafkaClient)];
}

/**
 * The settings the flags give; a scenario with a longer fault or recovery of its own (node-freeze: a 90 s fault;
 * restart-all: a 120 s bound) passes its defaults.
 */
export function drillSettings(
  argv: readonly string[],
  defaultFaultSeconds = 15,
  defaultRecoveryBoundSeconds = 30,
): DrillSettings {
  const kill = flag(argv, "kill");
  const hold = flag(argv, "hold-for-alerts");
  if (hold !== undefined && hold !== "true" && hold !== "false")
    throw new Error(`--hold-for-alerts = ${hold} must be true or false`);
  return {
    steadyMs: numberFlag(argv, "steady-seconds", 5, (n) => n >= 1) * 1000,
    faultMs: numberFlag(argv, "fault-seconds", defaultFaultSeconds, (n) => n >= 1) * 1000,
    afterMs: numberFlag(argv, "after-seconds", 5, (n) => n >= 0) * 1000,
    rounds: numberFlag(argv, "rounds", 3, (n) => Number.isInteger(n) && n >= 1),
    healthTimeoutMs: 120_000,
    // Part of the verdict: the clients' next acknowledged write after each fault must come within this bound.
    recoveryBoundMs: numberFlag(argv, "recovery-bound-seconds", defaultRecoveryBoundSeconds, (n) => n > 0) * 1000,
    // --kill crash-restart|hold-down; without it the target's default (hold-down), checked against the target later.
    ...(kill === undefined ? {} : { kill: parseKillMode(kill) }),
    // Where the target has a Prometheus each fault stays on until the platform's alerts for it fire (at most their `for`
    // and 45 s from the landing); --hold-for-alerts false ends it at --fault-seconds, and the platform line then fails.
    ...(hold === undefined ? {} : { holdForAlerts: hold === "true" }),
    // node-lost: the node to lose (a node name; the scenario checks it against the cluster's nodes before any load).
    ...nodeFrom(argv),
  };
}

/** --node: a Kubernetes node name (RFC 1123 label); absent when not given. */
function nodeFrom(argv: readonly string[]): { node?: string } {
  const node = flag(argv, "node");
  if (node === undefined) return {};
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(node))
    throw new Error(`--node = ${node} is not a node name (lower-case letters, digits and '-', e.g. cluster-node-2)`);
  return { node };
}

export type UnsafeSetup = NonNullable<HarnessOptions["unsafe"]>;

/** --rate: the requested publish rate per second (raised to a stack's throughput floor when the drill runs). */
export const rateFrom = (argv: readonly string[]): number => numberFlag(argv, "rate", 1000, (n) => n > 0);

/** --unsafe: one of the known unsafe setups, or undefined. */
export function unsafeFrom(argv: readonly string[]): UnsafeSetup | undefined {
  const unsafe = flag(argv, "unsafe");
  if (unsafe !== undefined && unsafe !== "classic-transient" && unsafe !== "acks-leader") {
    throw new Error(`--unsafe = ${unsafe} is not a known unsafe setup (classic-transient, acks-leader)`);
  }
  return unsafe;
}

/** --system a,b: the systems named, each kafka or rabbitmq; undefined when the flag is not given. */
export function systemsFrom(argv: readonly string[]): SystemName[] | undefined {
  const value = flag(argv, "system");
  if (value === undefined) return undefined;
  const systems = value.split(",") as SystemName[];
  for (const s of systems) {
    if (s !== "kafka" && s !== "rabbitmq") throw new Error(`--system = ${s} is not kafka or rabbitmq`);
  }
  return systems;
}

/** --workers N and --kill-worker I: the load as N worker processes, worker I SIGKILLed with the first fault. */
export interface WorkerFlags {
  count: number;
  killAtFault?: number;
}

/** Pure: --workers (1, in this process, unless given) and --kill-worker, each refusal naming flag, value and rule. */
export function workersFrom(argv: readonly string[]): WorkerFlags {
  const [min, max] = workersRange;
  const raw = flag(argv, "workers");
  const count = raw === undefined ? 1 : Number(raw);
  if (raw !== undefined && !(/^\d+$/.test(raw) && count >= min && count <= max)) {
    throw new Error(`--workers = ${raw} must be an integer from ${min} to ${max}`);
  }
  if (count > 1 && unsafeFrom(argv) !== undefined) {
    throw new Error(
      `--workers = ${count} with --unsafe: an unsafe setup recreates its topic or queue for each client, which workers cannot share`,
    );
  }
  const kill = flag(argv, "kill-worker");
  if (kill === undefined) return { count };
  const index = Number(kill);
  if (!/^\d+$/.test(kill) || count < 2 || index >= count) {
    throw new Error(
      count > 1
        ? `--kill-worker = ${kill} must name one of the ${count} workers (0 to ${count - 1})`
        : `--kill-worker = ${kill} needs --workers 2 or more: a drill does not kill its only load`,
    );
  }
  return { count, killAtFault: index };
}
