// `npm run compare:clients [-- <scenario>]`: the same fault on Kafka with each client library (kafkajs, librdkafka,
// @platformatic/kafka), one after another, in one report with the client matrix: lost, duplicated, unknown, the write
// stall per partition after the fault (longest write gap) and throughput, side by side.

import { kafkaClientNames } from "../../contract/kafka-clients";
import { drillFlags, drillSettings, kafkaClientsFrom, rateFrom, workersFrom } from "../../smoke-tests/drills/flags";
import { targetSelector } from "../../smoke-tests/target-select/load";
import { checkCommandLine, flag, main } from "../../toolchain/src/command-line";
import { runComparison } from "../comparison/run-comparison";

const commandLine = {
  command: "compare:clients",
  usage:
    "npm run compare:clients [-- <scenario>] [--kafka-clients all|kafkajs,librdkafka,platformatic] [--target <target>] [--rounds N] [--fault-seconds S] [--steady-seconds S] [--after-seconds S] [--recovery-bound-seconds S] [--kill hold-down|crash-restart|decoy] [--rate N] [--workers N [--kill-worker I]]",
  values: drillFlags.filter((f) => f !== "system" && f !== "kafka-client" && f !== "unsafe"),
  positionals: { max: 1, what: "one scenario (default kill-leader)" },
};

main(async () => {
  const argv = process.argv.slice(2);
  const [scenario = "kill-leader"] = checkCommandLine(argv, commandLine);
  return runComparison({
    scenario,
    target: targetSelector(argv),
    systems: ["kafka"],
    // Every client, unless --kafka-clients names some.
    kafkaClients: flag(argv, "kafka-clients") === undefined ? [...kafkaClientNames] : kafkaClientsFrom(argv),
    settings: drillSettings(argv),
    ratePerSec: rateFrom(argv),
    workers: workersFrom(argv),
    title: "compare clients",
  });
});
