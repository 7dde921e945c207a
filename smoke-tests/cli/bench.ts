// `npm run bench [-- --rounds N --warmup N --kafka-records N --system kafka|rabbitmq]`: our workload against the broker's own perf tool, same
// target and settings, alternating rounds; prints each round and the median ratio ours/reference per system.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SystemName } from "../../contract/systems";
import { flag, main, numberFlag } from "../../toolchain/src/command-line";
import { benchSystem, defaultBenchSettings } from "../bench/bench";
import { newRunId } from "../ledger/message-id";
import { defaultReportsRoot } from "../reports/write";
import { progressPrinter, selectTarget } from "./common";

main(async () => {
  const argv = process.argv.slice(2);
  const printer = progressPrinter();
  const target = await selectTarget(argv);
  const settings = {
    ...defaultBenchSettings,
    rounds: numberFlag(argv, "rounds", defaultBenchSettings.rounds, (n) => n >= 1),
    warmupRounds: numberFlag(argv, "warmup", defaultBenchSettings.warmupRounds, (n) => Number.isInteger(n) && n >= 0),
    kafkaRecords: numberFlag(
      argv,
      "kafka-records",
      defaultBenchSettings.kafkaRecords,
      (n) => Number.isInteger(n) && n >= 1000,
    ),
  };
  const systems = (flag(argv, "system") ?? "kafka,rabbitmq").split(",") as SystemName[];
  const results = [];
  for (const system of systems) results.push(await benchSystem(target, system, settings, (l) => printer.line(l)));
  const lines = [
    "",
    `bench on ${target.name} (${settings.rounds} alternating rounds after ${settings.warmupRounds} warm-up, ${settings.messageBytes} B messages)`,
  ];
  for (const r of results) {
    lines.push(
      "",
      `${r.system}: ${Object.entries(r.settings)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")}`,
    );
    lines.push("  round  ours msg/s  reference msg/s  ratio   ours p99  ref p99");
    for (const x of r.rounds) {
      lines.push(
        `  ${String(x.round).padStart(5)}  ${x.ours.messagesPerSec.toFixed(0).padStart(10)}  ${x.reference.messagesPerSec.toFixed(0).padStart(15)}  ${x.ratio.toFixed(2).padStart(5)}  ${(x.ours.p99Ms ?? Number.NaN).toFixed(1).padStart(8)}  ${(x.reference.p99Ms ?? Number.NaN).toFixed(1).padStart(7)}`,
      );
    }
    lines.push(`  median ratio ours/reference: ${r.medianRatio.toFixed(2)} (${r.rounds[0]?.reference.tool})`);
  }
  const dir = join(defaultReportsRoot, `bench-${newRunId()}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "bench.json"), `${JSON.stringify(results, null, 2)}\n`);
  lines.push("", `report: ${join(dir, "bench.json")}`);
  printer.line(lines.join("\n"));
  return 0;
});
