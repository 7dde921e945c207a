// `npm run smoke`: the post-deploy gate against the selected target (MP_TARGET=embedded | stack:<name> | file:<path>).
// Prints one screen, writes reports/<run-id>/gate.json (plus the node-failure drill's HTML report) and exits
// non-zero when any check fails. The settings come from the target (a stack's `gate:` config) or the defaults.

import { checkCommandLine, flag, main } from "../../toolchain/src/command-line";
import { parseKafkaClient } from "../clients/kafka-client";
import { systemsFrom, workersFrom } from "../drills/flags";
import { faultsFor } from "../faults/for-target";
import { runGate } from "../gate/gate";
import { formatGate, gateReportFiles, writeGateReport } from "../gate/report";
import { gateSettingsFor } from "../gate/settings";
import { waitRolledOut } from "../kube/rollout";
import { carryLines } from "../reports/carry";
import { progressPrinter } from "../reports/progress";
import { loadSelectedTarget } from "../target-select/load";
import { selectTarget } from "../target-select/select";

main(async () => {
  const argv = process.argv.slice(2);
  checkCommandLine(argv, {
    command: "smoke",
    usage:
      "npm run smoke [-- --target embedded|stack:<name>|file:<path>] [--system kafka|rabbitmq|kafka,rabbitmq] [--kafka-client kafkajs|librdkafka|platformatic] [--workers N [--kill-worker I]]",
    values: ["target", "system", "kafka-client", "workers", "kill-worker"],
  });
  // Every flag checked before anything is contacted.
  const client = flag(argv, "kafka-client");
  const systems = systemsFrom(argv);
  // --workers N: the gate's loads as N workers merged into one ledger, over the stack's gate.workers. --kill-worker I:
  // worker I killed 2 s after the node-failure check's fault landed (in the in-cluster gate: its pod deleted).
  const given = flag(argv, "workers") !== undefined || flag(argv, "kill-worker") !== undefined;
  const workerFlags = given ? workersFrom(argv) : undefined;
  const workers = workerFlags?.count;
  const overrides = {
    ...(workers === undefined ? {} : { workers }),
    ...(client === undefined ? {} : { kafkaClient: parseKafkaClient(client) }),
    ...(systems === undefined ? {} : { systems }),
  };
  const printer = progressPrinter();
  printer.line("smoke gate: checking the target…");
  const loaded = loadSelectedTarget(argv);
  const placement = loaded.placement;
  if (placement.kind === "kubernetes") {
    // Check what `pulumi up` asked for, not a cluster still rolling (and before the reachability check, which a pod
    // being replaced would fail): the provider's StatefulSet await (4.25.0) can report a changed StatefulSet done
    // before its controller began the roll.
    printer.line(`rolled out: ${await waitRolledOut(placement, 900_000, (l) => printer.line(l))}`);
  }
  // Just rolled, a broker may refuse for a moment after it turned Ready: up to 60 s, each wait printed.
  const target = await selectTarget(
    argv,
    loaded,
    placement.kind === "kubernetes" ? { withinMs: 60_000, onWaiting: (l) => printer.line(l) } : undefined,
  );
  const settings = gateSettingsFor(target.gate, overrides);
  const faults = settings.nodeFailure ? await faultsFor(target) : undefined;
  const report = await runGate(
    target,
    faults,
    settings,
    (line, sample) => (sample ? printer.sample(line, sample) : printer.line(line)),
    {
      ...(workerFlags?.killAtFault === undefined ? {} : { killWorkerAtFault: workerFlags.killAtFault }),
      ...(workers === undefined ? {} : { workersField: "--workers" }),
    },
  );
  const written = writeGateReport(report);
  printer.line(`\n${formatGate(report, written)}`);
  // In a pod (the in-cluster gate), the files stay on its volume: the log carries them to whoever deployed.
  if (process.env.KUBERNETES_SERVICE_HOST) for (const l of carryLines(gateReportFiles(written))) printer.line(l);
  return report.passed ? 0 : 1;
});
