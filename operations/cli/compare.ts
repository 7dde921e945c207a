// `npm run compare [-- <scenario>]`: the same workload and fault on Kafka and RabbitMQ, side by side in one report:
// throughput, latency, recovery, duplicates — "Kafka or RabbitMQ for this job?" answered on the user's own cluster.

import {
  drillFlags,
  drillSettings,
  kafkaClientsFrom,
  rateFrom,
  unsafeFrom,
  workersFrom,
} from "../../smoke-tests/drills/flags";
import { targetSelector } from "../../smoke-tests/target-select/load";
import { checkCommandLine, main } from "../../toolchain/src/command-line";
import { runComparison } from "../comparison/run-comparison";

/** The drill's flags (operations/cli/drill.ts), except --system: compare always runs both. */
const commandLine = {
  command: "compare",
  usage:
    "npm run compare [-- <scenario>] [--target <target>] [--rounds N] [--fault-seconds S] [--steady-seconds S] [--after-seconds S] [--recovery-bound-seconds S] [--kill hold-down|crash-restart|decoy] [--rate N] [--workers N [--kill-worker I]] [--unsafe classic-transient|acks-leader] [--kafka-client kafkajs|librdkafka|platformatic]",
  values: drillFlags.filter((f) => f !== "system" && f !== "kafka-clients"),
  positionals: { max: 1, what: "one scenario (default kill-leader)" },
};

main(async () => {
  const argv = process.argv.slice(2);
  const [scenario = "kill-leader"] = checkCommandLine(argv, commandLine);
  return runComparison({
    scenario,
    target: targetSelector(argv),
    systems: ["kafka", "rabbitmq"],
    kafkaClients: kafkaClientsFrom(argv),
    settings: drillSettings(argv),
    ratePerSec: rateFrom(argv),
    unsafe: unsafeFrom(argv),
    workers: workersFrom(argv),
    title: "compare",
  });
});
