// `npm run smoke`: the post-deploy gate against the selected target (MP_TARGET=embedded | stack:<name> | file:<path>).
// Prints one screen, writes reports/<run-id>/gate.json (plus the node-failure drill's HTML report) and exits
// non-zero when any check fails. The settings come from the target (a stack's `gate:` config) or the defaults.

import { defaultGateSettings, type GateSettings } from "../../contract/gate-settings";
import type { SystemName } from "../../contract/systems";
import type { Target } from "../../contract/target";
import { checkCommandLine, flag, main } from "../../toolchain/src/command-line";
import { parseKafkaClient } from "../clients/kafka-client";
import { faultsFor } from "../faults/for-target";
import { runGate } from "../gate/gate";
import { formatGate, writeGateReport } from "../gate/report";
import { waitRolledOut } from "../kube/rollout";
import { progressPrinter } from "../reports/progress";
import { loadSelectedTarget } from "../target-select/load";
import { selectTarget } from "../target-select/select";

/** The stack's gate settings (target.gate, already validated) or the defaults; `--system` narrows the systems. */
export function gateSettingsFor(target: Target, argv: readonly string[]): GateSettings {
  const stack = target.gate ?? defaultGateSettings;
  const client = flag(argv, "kafka-client");
  const settings = client === undefined ? stack : { ...stack, kafkaClient: parseKafkaClient(client) };
  const only = flag(argv, "system");
  if (only === undefined) return settings;
  const systems = only.split(",") as SystemName[];
  for (const s of systems) {
    if (s !== "kafka" && s !== "rabbitmq") throw new Error(`--system = ${s} is not kafka or rabbitmq`);
  }
  return { ...settings, systems };
}

main(async () => {
  const argv = process.argv.slice(2);
  checkCommandLine(argv, {
    command: "smoke",
    usage:
      "npm run smoke [-- --target embedded|stack:<name>|file:<path>] [--system kafka|rabbitmq|kafka,rabbitmq] [--kafka-client kafkajs|librdkafka|platformatic]",
    values: ["target", "system", "kafka-client"],
  });
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
  const target = await selectTarget(argv, loaded);
  const settings = gateSettingsFor(target, argv);
  const faults = settings.nodeFailure ? await faultsFor(target) : undefined;
  const report = await runGate(target, faults, settings, (line, sample) =>
    sample ? printer.sample(line, sample) : printer.line(line),
  );
  printer.line(`\n${formatGate(report, writeGateReport(report))}`);
  return report.passed ? 0 : 1;
});
