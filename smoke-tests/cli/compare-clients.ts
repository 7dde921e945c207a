// `npm run compare:clients [-- <scenario>]`: the same fault on Kafka with each client library (kafkajs, librdkafka,
// @platformatic/kafka), one after another, in one report with the client matrix: lost, duplicated, unknown, the write
// stall per partition after the fault (longest write gap) and throughput, side by side.

import { checkCommandLine, flag, main } from "../../toolchain/src/command-line";
import { reportPassed } from "../reports/run-report";
import { formatTerminalSummary, paintFor } from "../reports/terminal";
import { writeRunReport } from "../reports/write";
import { progressPrinter } from "./common";
import { drillFlags, runScenario } from "./drill";

const commandLine = {
  command: "compare:clients",
  usage:
    "npm run compare:clients [-- <scenario>] [--kafka-clients all|kafkajs,librdkafka,platformatic] [--target <target>] [--rounds N] [--fault-seconds S] [--steady-seconds S] [--after-seconds S] [--recovery-bound-seconds S] [--rate N]",
  values: drillFlags.filter((f) => f !== "system" && f !== "kafka-client" && f !== "unsafe"),
  positionals: { max: 1, what: "one scenario (default kill-leader)" },
};

main(async () => {
  const argv = process.argv.slice(2);
  const [scenario = "kill-leader"] = checkCommandLine(argv, commandLine);
  const clients = flag(argv, "kafka-clients") === undefined ? ["--kafka-clients", "all"] : [];
  const printer = progressPrinter();
  const { report } = await runScenario(scenario, [...argv, ...clients, "--system", "kafka"], printer);
  report.scenario = `compare clients: ${report.scenario}`;
  const written = writeRunReport(report);
  printer.line(`\n${formatTerminalSummary(report, paintFor(process.stdout), written.dir)}`);
  return reportPassed(report) ? 0 : 1;
});
