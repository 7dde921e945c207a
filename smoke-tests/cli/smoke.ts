// `npm run smoke`: the post-deploy gate against the selected target (MP_TARGET=local | stack:<name> | file:<path>).
// Prints one screen, writes reports/<run-id>/gate.json (plus the node-failure drill's HTML report) and exits
// non-zero when any check fails.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaultGateSettings, type GateReport, type GateSettings, runGate } from "../gate/gate";
import { newRunId } from "../ledger/message-id";
import type { SystemName } from "../reports/run-report";
import { defaultReportsRoot, writeRunReport } from "../reports/write";
import type { Target } from "../target/types";
import { faultsFor, flag, main, progressPrinter, selectTarget } from "./common";

export function gateSettingsFor(target: Target, argv: readonly string[]): GateSettings {
  const systems = (flag(argv, "system") ?? "kafka,rabbitmq").split(",") as SystemName[];
  for (const s of systems) {
    if (s !== "kafka" && s !== "rabbitmq") throw new Error(`--system = ${s} is not kafka or rabbitmq`);
  }
  const fromTarget = (target as Target & { gate?: Partial<GateSettings> }).gate ?? {};
  return { ...defaultGateSettings, ...fromTarget, systems };
}

export function formatGate(report: GateReport, written: { json: string; html: string[] }): string {
  const lines = [
    `smoke gate on ${report.target}: ${report.passed ? "PASS" : "FAIL"} in ${(report.durationMs / 1000).toFixed(1)} s`,
    "",
  ];
  for (const s of report.systems) {
    lines.push(s.system === "kafka" ? "Kafka" : "RabbitMQ");
    for (const c of s.checks) {
      lines.push(`  ${c.passed ? "✓" : "✗"} ${c.name.padEnd(20)} ${c.detail}`);
    }
  }
  lines.push("", `report: ${written.json}`, ...written.html.map((h) => `drill report: ${h}`));
  return lines.join("\n");
}

main(async () => {
  const argv = process.argv.slice(2);
  const printer = progressPrinter();
  printer.line("smoke gate: checking the target…");
  const target = await selectTarget(argv);
  const settings = gateSettingsFor(target, argv);
  const report = await runGate(target, await faultsFor(target), settings, (line, sample) =>
    sample ? printer.sample(line, sample) : printer.line(line),
  );
  const runId = newRunId();
  const dir = join(defaultReportsRoot, `gate-${runId}`);
  mkdirSync(dir, { recursive: true });
  const json = join(dir, "gate.json");
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  const html: string[] = [];
  const drills = report.systems.flatMap((s) => (s.nodeFailure ? [s.nodeFailure] : []));
  if (drills.length > 0) {
    const written = writeRunReport({
      runId: `gate-${runId}-node-failure`,
      scenario: "smoke gate: kill-leader",
      target: report.target,
      startedAt: report.startedAt,
      durationMs: report.durationMs,
      settings: { ...settings.durability, systems: settings.systems.join(",") },
      systems: drills,
    });
    html.push(written.html);
  }
  printer.line(`\n${formatGate(report, { json, html })}`);
  return report.passed ? 0 : 1;
});
