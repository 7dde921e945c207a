// `npm run compare [-- <scenario>]`: the same workload and fault on Kafka and RabbitMQ, side by side in one report:
// throughput, latency, recovery, duplicates — "Kafka or RabbitMQ for this job?" answered on the user's own cluster.

import { checkCommandLine, main } from "../../toolchain/src/command-line";
import { reportPassed } from "../reports/run-report";
import { formatTerminalSummary, paintFor } from "../reports/terminal";
import { writeRunReport } from "../reports/write";
import { progressPrinter } from "./common";
import { drillFlags, runScenario } from "./drill";

/** The drill's flags (smoke-tests/cli/drill.ts), except --system: compare always runs both. */
const commandLine = {
  command: "compare",
  usage:
    "npm run compare [-- <scenario>] [--target <target>] [--rounds N] [--fault-seconds S] [--steady-seconds S] [--after-seconds S] [--recovery-bound-seconds S] [--rate N] [--unsafe classic-transient|acks-leader] [--kafka-client kafkajs|librdkafka|platformatic]",
  values: drillFlags.filter((f) => f !== "system" && f !== "kafka-clients"),
  positionals: { max: 1, what: "one scenario (default kill-leader)" },
};

main(async () => {
  const argv = process.argv.slice(2);
  const [scenario = "kill-leader"] = checkCommandLine(argv, commandLine);
  const printer = progressPrinter();
  const { report } = await runScenario(scenario, [...argv, "--system", "kafka,rabbitmq"], printer);
  report.scenario = `compare: ${report.scenario}`;
  const written = writeRunReport(report);
  printer.line(`\n${formatTerminalSummary(report, paintFor(process.stdout), written.dir)}`);
  return reportPassed(report) ? 0 : 1;
});
