// `npm run drill -- <scenario> [--system kafka|rabbitmq|kafka,rabbitmq] [--rounds N] [--fault-seconds S]
//   [--recovery-bound-seconds S]`
// Runs a failover scenario under load with live progress, writes JSON, Markdown and HTML reports, exits non-zero
// on any loss or failed recovery.

import { resolve } from "node:path";
import { nodeFailureRate } from "../../contract/gate-settings";
import type { SystemName } from "../../contract/systems";
import { checkCommandLine, flag, main, numberFlag } from "../../toolchain/src/command-line";
import { defaultKafkaClient, type KafkaClientName, parseKafkaClient, parseKafkaClients } from "../clients/kafka-client";
import { harnessFor } from "../drills/harness";
import { runDrill } from "../drills/run-drill";
import { type DrillSettings, scenarioNamed, scenarios } from "../drills/scenarios";
import { StackUpdate } from "../faults/stack-update";
import { newRunId } from "../ledger/message-id";
import { type RunReport, reportPassed, type SystemRun } from "../reports/run-report";
import { formatTerminalSummary, paintFor } from "../reports/terminal";
import { writeRunReport } from "../reports/write";
import { parseTargetSelector, targetSelector } from "../target-select/load";
import { faultsFor, progressPrinter, selectTarget } from "./common";

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

export function drillSettings(argv: readonly string[]): DrillSettings {
  return {
    steadyMs: numberFlag(argv, "steady-seconds", 5, (n) => n >= 1) * 1000,
    faultMs: numberFlag(argv, "fault-seconds", 15, (n) => n >= 1) * 1000,
    afterMs: numberFlag(argv, "after-seconds", 5, (n) => n >= 0) * 1000,
    rounds: numberFlag(argv, "rounds", 3, (n) => Number.isInteger(n) && n >= 1),
    healthTimeoutMs: 120_000,
    // Part of the verdict: the clients' next acknowledged write after each fault must come within this bound.
    recoveryBoundMs: numberFlag(argv, "recovery-bound-seconds", 30, (n) => n > 0) * 1000,
  };
}

export async function runScenario(
  scenarioName: string,
  argv: readonly string[],
  printer = progressPrinter(),
): Promise<{ report: RunReport; dir: string }> {
  const scenario = scenarioNamed(scenarioName);
  const requested = (flag(argv, "system") ?? scenario.systems.join(",")).split(",") as SystemName[];
  const systems = requested.filter((s) => scenario.systems.includes(s));
  if (systems.length === 0)
    throw new Error(`--system = ${requested.join(",")}: ${scenario.name} applies to ${scenario.systems.join(", ")}`);
  // Every flag is checked before the target is touched.
  const kafkaClients = kafkaClientsFrom(argv);
  const target = await selectTarget(argv);
  const faults = await faultsFor(target);
  const source = parseTargetSelector(targetSelector(argv));
  const stack =
    source.kind === "stack"
      ? new StackUpdate({ stack: source.stack, repoRoot: resolve(__dirname, "..", "..") })
      : undefined;
  const settings = drillSettings(argv);
  const rate = numberFlag(argv, "rate", 1000, (n) => n > 0);
  const unsafe = flag(argv, "unsafe");
  if (unsafe !== undefined && unsafe !== "classic-transient" && unsafe !== "acks-leader") {
    throw new Error(`--unsafe = ${unsafe} is not a known unsafe setup (classic-transient, acks-leader)`);
  }
  const runId = newRunId();
  const ownDestination = scenario.besideTheGate ? { ownDestination: `mp-drill-${scenario.name}` } : {};
  const started = Date.now();
  const runs: SystemRun[] = [];
  // At no less than the stack's throughput floor, from several publishers with several batches in flight each.
  const rates = systems.map((system) => `${system} ${nodeFailureRate(rate, target.gate, system)}`);
  // Kafka once per client (the client matrix); RabbitMQ once.
  const legs = systems.flatMap(
    (system): Array<{ system: SystemName; kafkaClient?: KafkaClientName }> =>
      system === "kafka" ? kafkaClients.map((kafkaClient) => ({ system, kafkaClient })) : [{ system }],
  );
  for (const { system, kafkaClient } of legs) {
    const leg = kafkaClients.length > 1 && kafkaClient ? `${system} with ${kafkaClient}` : system;
    printer.line(`${scenario.name} on ${leg} (${target.name}): ${scenario.summary}`);
    runs.push(
      await runDrill(harnessFor(target, system, { unsafe, kafkaClient, ...ownDestination }), faults, scenario, {
        runId: `${runId}-${system}${kafkaClients.length > 1 && kafkaClient ? `-${kafkaClient}` : ""}`,
        settings,
        workload: {
          messageBytes: 1024,
          batchSize: 20,
          inFlightBatches: 4,
          ratePerSec: nodeFailureRate(rate, target.gate, system),
        },
        publishers: 2,
        drainTimeoutMs: 60_000,
        stack,
        onProgress: (phase, s) => printer.sample(`${leg} ${phase}`, s),
      }),
    );
  }
  const report: RunReport = {
    runId,
    scenario: scenario.name,
    target: target.name,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    settings: {
      ...settings,
      // What ran: the requested rate, raised to a system's floor where the stack has one.
      ratePerSec: rates.join(", "),
      messageBytes: 1024,
      publishers: 2,
      acks: unsafe === "acks-leader" ? "1, leader only (unsafe)" : "all",
      ...(systems.includes("kafka") ? { kafkaClient: kafkaClients.join(", ") } : {}),
      queueType: unsafe === "classic-transient" ? "classic, non-durable, transient messages (unsafe)" : "quorum",
    },
    systems: runs,
  };
  const written = writeRunReport(report);
  return { report, dir: written.dir };
}

if (require.main === module) {
  main(async () => {
    const argv = process.argv.slice(2);
    const [name] = checkCommandLine(argv, {
      command: "drill",
      usage:
        "npm run drill -- <scenario> [--target embedded|stack:<name>|file:<path>] [--system kafka,rabbitmq] " +
        "[--rounds N] [--fault-seconds S] [--steady-seconds S] [--after-seconds S] [--recovery-bound-seconds S] " +
        `[--rate N] [--unsafe classic-transient|acks-leader] [--kafka-client kafkajs|librdkafka|platformatic | --kafka-clients all|a,b]; scenarios: ${Object.keys(scenarios).join(", ")}`,
      values: drillFlags,
      positionals: { min: 1, max: 1, what: "one scenario" },
    });
    if (name === undefined) throw new Error("a scenario is required");
    const printer = progressPrinter();
    const { report, dir } = await runScenario(name, argv, printer);
    printer.line(`\n${formatTerminalSummary(report, paintFor(process.stdout), dir)}`);
    return reportPassed(report) ? 0 : 1;
  });
}
