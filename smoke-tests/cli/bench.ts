// `npm run bench [-- --rounds N --warmup N --kafka-records N --system kafka|rabbitmq]`: our workload against the
// broker's own perf tool, same target and settings, alternating rounds; prints each round and the median ratio
// ours/reference per system, then end-to-end latency at half our maximum beside the tools'.
// `npm run bench -- --ledger`: the ledger's own cost per message (CPU µs, bytes) and its checkers' time.
// `--kafka-consumer kafkajs|platformatic`: the counting consumer's library (keep-up round, latency run).
// `--profile`: a CPU profile of each of our rounds, written beside bench.json and summarized under the ratios.
import type { SystemName } from "../../contract/systems";
import { checkCommandLine, flag, main, numberFlag } from "../../toolchain/src/command-line";
import { benchSystem, defaultBenchSettings } from "../bench/bench";
import { CpuProfiler } from "../bench/cpu-profiler";
import { formatBench, formatLedgerFootprint } from "../bench/format";
import { measureLedger } from "../bench/ledger-footprint";
import { newBenchReportDir, writeBenchReport } from "../bench/write-report";
import { parseKafkaConsumer } from "../clients/kafka-consumer";
import { kafkaClientsFrom } from "../drills/flags";
import { progressPrinter } from "../reports/progress";
import { selectTarget } from "../target-select/select";

const commandLine = {
  command: "bench",
  usage:
    "npm run bench [-- --rounds N --warmup N --kafka-records N --system kafka|rabbitmq|kafka,rabbitmq --kafka-client kafkajs|librdkafka|platformatic | --kafka-clients all|a,b --kafka-consumer kafkajs|platformatic --profile --target <target>] | npm run bench -- --ledger",
  values: ["rounds", "warmup", "kafka-records", "system", "target", "kafka-client", "kafka-clients", "kafka-consumer"],
  switches: ["ledger", "profile"],
};
const systemNames: SystemName[] = ["kafka", "rabbitmq"];

/** --kafka-client one, or --kafka-clients a,b,c: the first is "ours" in every round, the rest run right after it. */
function benchClients(argv: readonly string[]) {
  const [kafkaClient = defaultBenchSettings.kafkaClient, ...otherKafkaClients] = kafkaClientsFrom(argv);
  return { kafkaClient, otherKafkaClients };
}

main(async () => {
  const argv = process.argv.slice(2);
  checkCommandLine(argv, commandLine);
  if (argv.includes("--ledger")) {
    console.log(formatLedgerFootprint(measureLedger()));
    return 0;
  }
  // Every flag checked before anything is contacted.
  const systems = (flag(argv, "system") ?? "kafka,rabbitmq").split(",") as SystemName[];
  for (const s of systems) {
    if (!systemNames.includes(s)) throw new Error(`--system = ${s}: must be kafka, rabbitmq or both (kafka,rabbitmq)`);
  }
  const settings = {
    ...defaultBenchSettings,
    rounds: numberFlag(argv, "rounds", defaultBenchSettings.rounds, (n) => n >= 1),
    warmupRounds: numberFlag(argv, "warmup", defaultBenchSettings.warmupRounds, (n) => Number.isInteger(n) && n >= 0),
    kafkaRecords: numberFlag(
      argv,
      "kafka-records",
      defaultBenchSettings.kafkaRecords,
      (n) => Number.isInteger(n) && n >= 1000,
    ),
    ...benchClients(argv),
    kafkaConsumer: parseKafkaConsumer(flag(argv, "kafka-consumer") ?? defaultBenchSettings.kafkaConsumer),
  };
  const printer = progressPrinter();
  const target = await selectTarget(argv);
  // The report's folder is made first when the profiles go into it.
  const reportDir = argv.includes("--profile") ? newBenchReportDir() : undefined;
  const profiler = reportDir ? new CpuProfiler(reportDir, process.cwd()) : undefined;
  const results = [];
  try {
    for (const system of systems)
      results.push(await benchSystem(target, system, settings, (l) => printer.line(l), profiler));
  } finally {
    profiler?.close();
  }
  printer.line(formatBench(target.name, settings, results, writeBenchReport(results, undefined, reportDir)));
  return 0;
});
