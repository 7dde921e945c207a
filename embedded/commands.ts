// The command line of embedded/cli.ts (npm run local, npm run embedded:*): each command and what it accepts, checked
// before anything starts (and tested without starting anything).
import { type CommandSpec, checkCommandLine, flag, HelpRequested, UsageError } from "../toolchain/src/command-line";
import { FAULT_ACTIONS } from "./faults";
import { MAX_KAFKA_BROKERS } from "./topology";

export const usage = [
  "embedded/cli.ts <command>   (npm run local, npm run embedded:up|down|status|fault)",
  "  main-job | up [--dedicated-controllers] [--kafka-brokers N] | down [--purge] | status | target | owner",
  "  declare < declarations.json",
  `  fault <${FAULT_ACTIONS.join("|")}> <node>`,
  "  leader partition <topic> [partition] | leader controller | leader queue <name>",
].join("\n");

/** What each command accepts; anything else is refused with the usage before anything runs. */
const commands: Record<string, Omit<CommandSpec, "command" | "usage">> = {
  "main-job": {},
  up: { switches: ["dedicated-controllers"], values: ["kafka-brokers"] },
  down: { switches: ["purge"] },
  status: {},
  target: {},
  owner: {},
  declare: {},
  fault: { positionals: { min: 2, max: 2, what: "<action> <node>" } },
  leader: { positionals: { min: 1, max: 3, what: "partition <topic> [partition] | controller | queue <name>" } },
};

/** Pure: the command and its arguments, checked whole (throws UsageError, or HelpRequested for help). */
export function parseCommand(argv: readonly string[]): { cmd: string; args: string[] } {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) throw new UsageError("no command given", usage);
  if (cmd === "help" || cmd === "--help" || cmd === "-h") throw new HelpRequested(usage);
  const spec = commands[cmd];
  if (spec === undefined)
    throw new UsageError(`${cmd} is not a command (commands: ${Object.keys(commands).join(", ")})`, usage);
  return { cmd, args: checkCommandLine(rest, { command: `embedded/cli.ts ${cmd}`, usage, ...spec }) };
}

/**
 * Pure: `up --kafka-brokers N` as a broker count (undefined when not given), refused unless every partition can have
 * its replicas on distinct brokers and the brokers' addresses fit before RabbitMQ's.
 */
export function kafkaBrokersFrom(argv: readonly string[], replicationFactor: number): number | undefined {
  const value = flag(argv, "kafka-brokers");
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (n >= replicationFactor && n <= MAX_KAFKA_BROKERS) return n;
  throw new UsageError(
    `--kafka-brokers ${value}: must be a whole number from ${replicationFactor} (the chart's replication factor: ` +
      `each partition's replicas on distinct brokers) to ${MAX_KAFKA_BROKERS} (the brokers' addresses 10.213.0.10–19)`,
    usage,
  );
}
