// `npm run compare [-- <scenario>]`: the same workload and fault on Kafka and RabbitMQ, side by side in one report:
// throughput, latency, recovery, duplicates — "Kafka or RabbitMQ for this job?" answered on the user's own cluster.

import { main } from "../../toolchain/src/command-line";
import { reportPassed } from "../reports/run-report";
import { formatTerminalSummary, paintFor } from "../reports/terminal";
import { writeRunReport } from "../reports/write";
import { progressPrinter } from "./common";
import { runScenario } from "./drill";

main(async () => {
  const argv = process.argv.slice(2);
  const scenario = argv.find((a) => !a.startsWith("--")) ?? "kill-leader";
  const printer = progressPrinter();
  const { report } = await runScenario(scenario, [...argv, "--system", "kafka,rabbitmq"], printer);
  report.scenario = `compare: ${report.scenario}`;
  const written = writeRunReport(report);
  printer.line(`\n${formatTerminalSummary(report, paintFor(process.stdout), written.dir)}`);
  return reportPassed(report) ? 0 : 1;
});
