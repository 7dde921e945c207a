// `npm run drill -- <scenario> [--system kafka|rabbitmq|kafka,rabbitmq] [--rounds N] [--fault-seconds S]
//   [--recovery-bound-seconds S] [--kill hold-down|crash-restart|decoy] [--node <node>]`
// Runs a failover scenario under load with live progress, writes JSON, Markdown and HTML reports, exits non-zero
// on any loss or failed recovery. Here, not in smoke-tests/, because rolling-update on a stack runs `pulumi up`.
// --kill: how a killed broker comes back. hold-down (the default): down until the drill restores it, as on the
// embedded default; crash-restart (Kubernetes only): the kubelet restarts it within seconds. Every report names which.
// decoy (Kubernetes only) is a deliberate break: a process beside the broker is killed, the broker untouched, and the
// run must fail "fault took effect" and "the platform noticed" and show the writes "not disrupted".
// A scenario may bring defaults of its own: node-freeze a 90 s fault; restart-all (`npm run drill -- restart-all
// --system kafka`, Kubernetes only) waits up to 180 s for each system's full service and bounds recovery at 120 s.
// node-lost (this machine's cluster only) loses the leader's node for good, or the one --node names.
// --workers N: the load as N worker processes (1, the default: in this process), each streaming its journal to this
// one, which merges them into one ledger and report; --kill-worker I SIGKILLs worker I 2 s after the first fault landed.

import {
  drillFlags,
  drillSettings,
  kafkaClientsFrom,
  rateFrom,
  systemsFrom,
  unsafeFrom,
  workersFrom,
} from "../../smoke-tests/drills/flags";
import { runScenarioWithSummary } from "../../smoke-tests/drills/run-scenario";
import { scenarios } from "../../smoke-tests/drills/scenarios";
import { targetSelector } from "../../smoke-tests/target-select/load";
import { checkCommandLine, main } from "../../toolchain/src/command-line";
import { nodeControlFor } from "../cluster-nodes/for-target";
import { stackChangerFor } from "../stack-changes/for-target";

main(async () => {
  const argv = process.argv.slice(2);
  const [scenario] = checkCommandLine(argv, {
    command: "drill",
    usage:
      "npm run drill -- <scenario> [--target embedded|stack:<name>|file:<path>] [--system kafka,rabbitmq] " +
      "[--rounds N] [--fault-seconds S] [--steady-seconds S] [--after-seconds S] [--recovery-bound-seconds S] " +
      "[--kill hold-down|crash-restart|decoy] [--hold-for-alerts true|false] [--node <node> (node-lost)] " +
      "[--workers N [--kill-worker I]] " +
      `[--rate N] [--unsafe classic-transient|acks-leader] [--kafka-client kafkajs|librdkafka|platformatic | --kafka-clients all|a,b]; scenarios: ${Object.keys(scenarios).join(", ")}`,
    values: drillFlags,
    positionals: { min: 1, max: 1, what: "one scenario" },
  });
  if (scenario === undefined) throw new Error("a scenario is required");
  const target = targetSelector(argv);
  const passed = await runScenarioWithSummary({
    scenario,
    target,
    systems: systemsFrom(argv),
    kafkaClients: kafkaClientsFrom(argv),
    settings: drillSettings(
      argv,
      scenarios[scenario]?.defaultFaultSeconds,
      scenarios[scenario]?.defaultRecoveryBoundSeconds,
    ),
    ratePerSec: rateFrom(argv),
    unsafe: unsafeFrom(argv),
    workers: workersFrom(argv),
    stack: stackChangerFor(target),
    nodes: nodeControlFor(target),
  });
  return passed ? 0 : 1;
});
