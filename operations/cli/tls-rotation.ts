// `npm run tls-rotation -- --target stack:<name> --renewal N [--system kafka|rabbitmq]`
// Certificate rotation under load (operations/stack-changes/tls-rotation.ts): one `pulumi up` with tls.renewal = N
// per system run (each re-issues both systems' certificates; the load and the report are the named system's). Writes
// the drill reports; exits non-zero on any loss, failed recovery, or an endpoint that never served the new certificate.

import { defaultKafkaClient } from "../../contract/kafka-clients";
import { drillSettings, rateFrom, systemsFrom } from "../../smoke-tests/drills/flags";
import { runScenarioWithSummary } from "../../smoke-tests/drills/run-scenario";
import { parseTargetSelector, targetSelector } from "../../smoke-tests/target-select/load";
import { checkCommandLine, main, numberFlag } from "../../toolchain/src/command-line";
import { repoRoot } from "../../toolchain/src/paths";
import { tlsRotation } from "../stack-changes/tls-rotation";

main(async () => {
  const argv = process.argv.slice(2);
  checkCommandLine(argv, {
    command: "tls-rotation",
    usage: "npm run tls-rotation -- --target stack:<name> --renewal N [--system kafka|rabbitmq] [--rate N]",
    values: ["target", "renewal", "system", "rate", "steady-seconds", "after-seconds", "recovery-bound-seconds"],
    positionals: { min: 0, max: 0, what: "nothing" },
  });
  const selector = targetSelector(argv);
  const source = parseTargetSelector(selector);
  if (source.kind !== "stack")
    throw new Error("tls-rotation runs `pulumi up`: select the target as a stack (stack:<name>)");
  const systems = systemsFrom(argv) ?? ["kafka"];
  if (systems.length !== 1) throw new Error(`--system = ${systems.join(",")}: name one system, kafka or rabbitmq`);
  const renewal = numberFlag(argv, "renewal", 1, (n) => Number.isInteger(n) && n >= 1);
  const passed = await runScenarioWithSummary({
    scenario: (target) => tlsRotation({ target, stack: source.stack, repoRoot, renewal }),
    target: selector,
    systems,
    kafkaClients: [defaultKafkaClient],
    settings: drillSettings(argv),
    ratePerSec: rateFrom(argv),
  });
  return passed ? 0 : 1;
});
