// A failover scenario under load on every system it applies to (Kafka once per client in the matrix), as one report:
// written as JSON, Markdown and HTML, and returned. The drill, compare, certificate-rotation and e2e commands all call
// this with a typed request; they only read flags.
import { nodeFailureRate } from "../../contract/gate-settings";
import type { SystemName } from "../../contract/systems";
import type { Target } from "../../contract/target";
import { refuseWorkersBeyondPartitions } from "../../contract/worker-partitions";
import type { KafkaClientName } from "../clients/kafka-client";
import { faultsFor } from "../faults/for-target";
import { killModeFor } from "../faults/kill-mode";
import type { NodeControl, StackChanger } from "../faults/types";
import { newRunId } from "../ledger/message-id";
import { platformSourceFor } from "../platform-view/observe";
import { type ProgressPrinter, progressPrinter } from "../reports/progress";
import { type RunReport, reportPassed, type SystemRun } from "../reports/run-report";
import { formatTerminalSummary, paintFor } from "../reports/terminal";
import { writeRunReport } from "../reports/write";
import { loadSelectedTarget } from "../target-select/load";
import { selectTarget } from "../target-select/select";
import { drillLoad, drillWorkload } from "./drill-workload";
import type { UnsafeSetup, WorkerFlags } from "./flags";
import { harnessFor } from "./harness";
import type { DrillSettings, Scenario } from "./nemesis";
import { runDrill } from "./run-drill";
import { scenarioNamed } from "./scenarios";

export interface DrillRequest {
  /** A scenario of drills/scenarios.ts by name, or one built for the selected target (certificate rotation). */
  scenario: string | ((target: Target) => Scenario);
  /** The target selector: embedded | stack:<name> | file:<path> (target-select/load.ts). */
  target: string;
  /** The systems to drill, of those the scenario applies to; all of them when not given. */
  systems?: readonly SystemName[];
  /** Kafka runs once per client: more than one is the client matrix. */
  kafkaClients: readonly KafkaClientName[];
  settings: DrillSettings;
  /** Requested publish rate per second, raised to a system's throughput floor where the stack has one. */
  ratePerSec: number;
  unsafe?: UnsafeSetup;
  /** The stack behind the target, for scenarios that change it (rolling-update): operations/ provides it. */
  stack?: StackChanger;
  /** Whole-node faults where the target's nodes are this machine's (node-freeze): operations/ provides them. */
  nodes?: NodeControl;
  /** The load as several worker processes merged into one ledger (--workers N); absent: in this process. */
  workers?: WorkerFlags;
  /** Put before the scenario's name in the report ("compare: kill-leader"). */
  title?: string;
  printer?: ProgressPrinter;
}

/** Pure: a scenario that runs beside the gate on a destination of its own cannot be shared by workers (yet). */
export function workersProblem(scenario: Scenario, workers?: WorkerFlags): string | undefined {
  if (!workers || workers.count <= 1 || !scenario.besideTheGate) return undefined;
  return `--workers = ${workers.count}: ${scenario.name} runs on a topic or queue of its own, created and deleted by its one client set; run it without --workers`;
}

/** Pure: the systems a request drills, or an error naming the systems asked for and those the scenario applies to. */
export function drilledSystems(scenario: Scenario, requested?: readonly SystemName[]): SystemName[] {
  const systems = (requested ?? scenario.systems).filter((s) => scenario.systems.includes(s));
  if (systems.length === 0)
    throw new Error(
      `--system = ${(requested ?? []).join(",")}: ${scenario.name} applies to ${scenario.systems.join(", ")}`,
    );
  return systems;
}

export async function runScenario(request: DrillRequest): Promise<{ report: RunReport; dir: string }> {
  const { kafkaClients, unsafe, stack, nodes, printer = progressPrinter() } = request;
  // A named scenario and the systems are checked before the target is touched.
  const named = typeof request.scenario === "string" ? scenarioNamed(request.scenario) : undefined;
  if (named) drilledSystems(named, request.systems);
  const refused = named && workersProblem(named, request.workers);
  if (refused) throw new Error(refused);
  const loaded = loadSelectedTarget(["--target", request.target]);
  // The kill mode too, from the target's placement before the target is contacted: named in the report's settings,
  // so every report says which kill it ran.
  const settings = { ...request.settings, kill: killModeFor(request.settings.kill, loaded.placement.kind) };
  const target = await selectTarget(["--target", request.target], loaded);
  const scenario = named ?? (request.scenario as (target: Target) => Scenario)(target);
  const systems = drilledSystems(scenario, request.systems);
  const problem = workersProblem(scenario, request.workers);
  if (problem) throw new Error(problem);
  // The drill's Kafka load runs on the target's first topic, whose declared partitions bound the workers.
  for (const system of systems)
    refuseWorkersBeyondPartitions(system, request.workers?.count ?? 1, target.kafka.topics[0]);
  const faults = await faultsFor(target);
  const platform = platformSourceFor(target);
  const runId = newRunId();
  const ownDestination = scenario.besideTheGate ? { ownDestination: `mp-drill-${scenario.name}` } : {};
  const started = Date.now();
  const runs: SystemRun[] = [];
  // At no less than the stack's throughput floor, from several publishers with several batches in flight each.
  const rates = systems.map((system) => `${system} ${nodeFailureRate(request.ratePerSec, target.gate, system)}`);
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
        ...(request.workers && request.workers.count > 1
          ? { workers: { ...request.workers, target, harness: { unsafe, kafkaClient, ...ownDestination } } }
          : {}),
        runId: `${runId}-${system}${kafkaClients.length > 1 && kafkaClient ? `-${kafkaClient}` : ""}`,
        settings,
        ...drillWorkload(
          nodeFailureRate(request.ratePerSec, target.gate, system),
          system === "kafka" ? (target.kafka.topics[0]?.partitions ?? 0) : 0,
        ),
        drainQuietMs: 60_000,
        stack,
        nodes,
        platform,
        ...(faults.nodeReadings ? { readNodes: faults.nodeReadings.bind(faults) } : {}),
        onProgress: (phase, s) => printer.sample(`${leg} ${phase}`, s),
      }),
    );
  }
  const report: RunReport = {
    runId,
    scenario: request.title ? `${request.title}: ${scenario.name}` : scenario.name,
    target: target.name,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    settings: {
      ...settings,
      // What ran: the requested rate, raised to a system's floor where the stack has one.
      ratePerSec: rates.join(", "),
      messageBytes: drillLoad.messageBytes,
      publishers: drillLoad.publishers,
      ...(request.workers && request.workers.count > 1 ? { workers: request.workers.count } : {}),
      acks: unsafe === "acks-leader" ? "1, leader only (unsafe)" : "all",
      ...(systems.includes("kafka") ? { kafkaClient: kafkaClients.join(", ") } : {}),
      queueType: unsafe === "classic-transient" ? "classic, non-durable, transient messages (unsafe)" : "quorum",
    },
    systems: runs,
  };
  const written = writeRunReport(report);
  return { report, dir: written.dir };
}

/** runScenario, then its summary on the terminal (the report's path last); resolves with whether the report passed. */
export async function runScenarioWithSummary(request: DrillRequest): Promise<boolean> {
  const printer = request.printer ?? progressPrinter();
  const { report, dir } = await runScenario({ ...request, printer });
  printer.line(`\n${formatTerminalSummary(report, paintFor(process.stdout), dir)}`);
  return reportPassed(report);
}
