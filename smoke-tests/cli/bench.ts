// `npm run bench [-- --rounds N --warmup N --kafka-records N --system kafka|rabbitmq]`: our workload against the
// broker's own perf tool, same target and settings, alternating rounds; prints each round and the median ratio
// ours/reference per system. `npm run bench -- --ledger`: the ledger's memory per message and its checkers' time.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SystemName } from "../../contract/systems";
import { checkCommandLine, flag, main, numberFlag } from "../../toolchain/src/command-line";
import { benchSystem, defaultBenchSettings } from "../bench/bench";
import { consumersLine } from "../bench/consumers";
import { measureLedger } from "../bench/ledger-footprint";
import { kafkaClientsFrom } from "../drills/flags";
import { newRunId } from "../ledger/message-id";
import { progressPrinter } from "../reports/progress";
import { defaultReportsRoot } from "../reports/write";
import { selectTarget } from "../target-select/select";

const commandLine = {
  command: "bench",
  usage:
    "npm run bench [-- --rounds N --warmup N --kafka-records N --system kafka|rabbitmq|kafka,rabbitmq --kafka-client kafkajs|librdkafka|platformatic | --kafka-clients all|a,b --target <target>] | npm run bench -- --ledger",
  values: ["rounds", "warmup", "kafka-records", "system", "target", "kafka-client", "kafka-clients"],
  switches: ["ledger"],
};
const systemNames: SystemName[] = ["kafka", "rabbitmq"];

/** --kafka-client one, or --kafka-clients a,b,c: the first is "ours" in every round, the rest run right after it. */
function benchClients(argv: readonly string[]) {
  const [kafkaClient = defaultBenchSettings.kafkaClient, ...otherKafkaClients] = kafkaClientsFrom(argv);
  return { kafkaClient, otherKafkaClients };
}

main(async () => {
  const argv = process.argv.slice(2);
  checkCommandLine(argv, commandLine);
  if (argv.includes("--ledger")) {
    const f = measureLedger();
    console.log(
      `ledger, ${f.messages.toLocaleString("en")} messages: ${f.bytesPerMessage.toFixed(0)} B/message held, ` +
        `recorded in ${f.recordMs.toFixed(0)} ms, total-queue check ${f.totalQueueCheckMs.toFixed(0)} ms, ` +
        `Kafka offset checks ${f.kafkaCheckMs.toFixed(0)} ms`,
    );
    return 0;
  }
  // Every flag checked before anything is contacted.
  const systems = (flag(argv, "system") ?? "kafka,rabbitmq").split(",") as SystemName[];
  for (const s of systems) {
    if (!systemNames.includes(s)) throw new Error(`--system = ${s}: must be kafka, rabbitmq or both (kafka,rabbitmq)`);
  }
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
    ...benchClients(argv),
  };
  const printer = progressPrinter();
  const target = await selectTarget(argv);
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
      `  reference at our settings: ${r.referenceEqual}`,
      `  reference at its best:     ${r.referenceBest} (sweep, median of ${r.sweep.map((x) => `${x.settings} → ${x.messagesPerSec.toFixed(0)} [${x.samples.map((v) => v.toFixed(0)).join(", ")}]`).join("; ")})`,
      "  round  ours msg/s  ref@ours msg/s  ratio  ref@best msg/s  ratio   ours p99  ref p99",
    );
    for (const x of r.rounds) {
      const n = (v: number, w: number) => v.toFixed(0).padStart(w);
      lines.push(
        `  ${String(x.round).padStart(5)}  ${n(x.ours.messagesPerSec, 10)}  ${n(x.reference.messagesPerSec, 14)}  ${x.ratio.toFixed(2).padStart(5)}  ${n(x.best.messagesPerSec, 14)}  ${x.ratioBest.toFixed(2).padStart(5)}  ${(x.ours.p99Ms ?? Number.NaN).toFixed(1).padStart(8)}  ${(x.reference.p99Ms ?? Number.NaN).toFixed(1).padStart(7)}`,
      );
    }
    // A publish rate counts when consumers keep up with it: did ours (median over the counted rounds)?
    const consumers = consumersLine(r.keepUp, r.system === "kafka" ? "ours, one more round with a consumer" : "ours");
    if (consumers) lines.push(`  ${consumers}`);
    lines.push(
      `  median ratio ours/reference: ${r.medianRatio.toFixed(2)} at our settings, ${r.medianRatioBest.toFixed(2)} against its best (${r.rounds[0]?.reference.tool})`,
    );
    if (r.clients) {
      lines.push("  clients, same rounds, same reference runs:  client        median msg/s  ratio@ours  ratio@best");
      for (const c of r.clients)
        lines.push(
          `${" ".repeat(44)}${c.client.padEnd(12)}  ${c.medianMsgPerSec.toFixed(0).padStart(12)}  ${c.medianRatio.toFixed(2).padStart(10)}  ${c.medianRatioBest.toFixed(2).padStart(10)}`,
        );
    }
  }
  const dir = join(defaultReportsRoot, `bench-${newRunId()}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "bench.json"), `${JSON.stringify(results, null, 2)}\n`);
  lines.push("", `report: ${join(dir, "bench.json")}`);
  printer.line(lines.join("\n"));
  return 0;
});
