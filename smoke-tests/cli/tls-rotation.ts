// `bash toolchain/run ts smoke-tests/cli/tls-rotation.ts --target stack:<name> --renewal N [--system kafka|rabbitmq]`
// Certificate rotation under load (smoke-tests/drills/tls-rotation.ts): one `pulumi up` with tls.renewal = N per
// system run (each re-issues both systems' certificates; the load and the report are the named system's). Writes the
// drill reports; exits non-zero on any loss, failed recovery, or an endpoint that never served the new certificate.
import { resolve } from "node:path";
import { nodeFailureRate } from "../../contract/gate-settings";
import type { SystemName } from "../../contract/systems";
import { checkCommandLine, flag, main, numberFlag } from "../../toolchain/src/command-line";
import { harnessFor } from "../drills/harness";
import { runDrill } from "../drills/run-drill";
import { tlsRotation } from "../drills/tls-rotation";
import { newRunId } from "../ledger/message-id";
import { type RunReport, reportPassed } from "../reports/run-report";
import { formatTerminalSummary, paintFor } from "../reports/terminal";
import { writeRunReport } from "../reports/write";
import { parseTargetSelector, targetSelector } from "../target-select/load";
import { faultsFor, progressPrinter, selectTarget } from "./common";
import { drillSettings } from "./drill";

main(async () => {
  const argv = process.argv.slice(2);
  checkCommandLine(argv, {
    command: "tls-rotation",
    usage: "tls-rotation --target stack:<name> --renewal N [--system kafka|rabbitmq] [--rate N]",
    values: ["target", "renewal", "system", "rate", "steady-seconds", "after-seconds", "recovery-bound-seconds"],
    positionals: { min: 0, max: 0, what: "nothing" },
  });
  const source = parseTargetSelector(targetSelector(argv));
  if (source.kind !== "stack")
    throw new Error("tls-rotation runs `pulumi up`: select the target as a stack (stack:<name>)");
  const system = (flag(argv, "system") ?? "kafka") as SystemName;
  const renewal = numberFlag(argv, "renewal", 1, (n) => Number.isInteger(n) && n >= 1);
  const target = await selectTarget(argv);
  const faults = await faultsFor(target);
  const scenario = tlsRotation({ target, stack: source.stack, repoRoot: resolve(__dirname, "..", ".."), renewal });
  const settings = drillSettings(argv);
  const rate = numberFlag(argv, "rate", 1000, (n) => n > 0);
  const runId = newRunId();
  const printer = progressPrinter();
  const started = Date.now();
  printer.line(`${scenario.name} on ${system} (${target.name}): ${scenario.summary}`);
  const run = await runDrill(
    harnessFor(target, system, { ownDestination: `mp-drill-${scenario.name}` }),
    faults,
    scenario,
    {
      runId: `${runId}-${system}`,
      settings,
      workload: {
        messageBytes: 1024,
        batchSize: 20,
        inFlightBatches: 4,
        ratePerSec: nodeFailureRate(rate, target.gate, system),
      },
      publishers: 2,
      drainTimeoutMs: 60_000,
      onProgress: (phase, s) => printer.sample(`${system} ${phase}`, s),
    },
  );
  const report: RunReport = {
    runId,
    scenario: scenario.name,
    target: target.name,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    settings: {
      ...settings,
      ratePerSec: `${system} ${nodeFailureRate(rate, target.gate, system)}`,
      messageBytes: 1024,
      publishers: 2,
      acks: "all",
      queueType: "quorum",
    },
    systems: [run],
  };
  const written = writeRunReport(report);
  printer.line(`\n${formatTerminalSummary(report, paintFor(process.stdout), written.dir)}`);
  return reportPassed(report) ? 0 : 1;
});
