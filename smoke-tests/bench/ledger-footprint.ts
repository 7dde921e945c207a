// The ledger's own cost, measured rather than asserted in a unit test: per message, the bytes it holds and the CPU
// time it takes to record (attempted, acknowledged, consumed) and to check, for a million synthetic messages over four
// producers and partitions (one left unconsumed, so the checkers have work). CPU time is the process's (user + system,
// process.cpuUsage), so it counts the garbage collector's threads too: what the ledger costs the process it runs in.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { checkKafka } from "../ledger/kafka-checks";
import { Ledger } from "../ledger/ledger";
import { checkTotalQueue } from "../ledger/total-queue";

/** What one step took: wall time, and the process's CPU time over it. */
export interface Cost {
  wallMs: number;
  cpuUs: number;
}

export interface LedgerFootprint {
  messages: number;
  /** Heap and buffers the ledger holds per message, after a full collection before and after. */
  bytesPerMessage: number;
  record: Cost;
  totalQueueCheck: Cost;
  kafkaCheck: Cost;
}

/** The clocks a measurement reads: the process's by default, a test's own in tests (no wall clock is asserted). */
export interface Clocks {
  wallMs(): number;
  cpu(since?: NodeJS.CpuUsage): NodeJS.CpuUsage;
  /** Bytes held now (after a full collection where the runtime allows one). */
  heldBytes(): number;
}

let gc: (() => void) | undefined;

/** A full collection, without --expose-gc on the command line (`npm run bench` does not pass it): held bytes only. */
function collect(): void {
  if (!gc) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
}

export const processClocks: Clocks = {
  wallMs: () => performance.now(),
  cpu: (since) => process.cpuUsage(since),
  heldBytes: () => {
    collect();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  },
};

/** Runs `body`, returning what it returned and its cost by `clocks`. */
export function measured<T>(body: () => T, clocks: Clocks): { result: T; cost: Cost } {
  const wall = clocks.wallMs();
  const cpu = clocks.cpu();
  const result = body();
  const used = clocks.cpu(cpu);
  return { result, cost: { wallMs: clocks.wallMs() - wall, cpuUs: used.user + used.system } };
}

/** Pure: CPU µs per message to record, to check (both checkers) and in all, and the bytes held per message. */
export function perMessage(f: LedgerFootprint): {
  recordCpuUs: number;
  checkCpuUs: number;
  totalCpuUs: number;
  bytes: number;
} {
  const n = Math.max(1, f.messages);
  const recordCpuUs = f.record.cpuUs / n;
  const checkCpuUs = (f.totalQueueCheck.cpuUs + f.kafkaCheck.cpuUs) / n;
  return { recordCpuUs, checkCpuUs, totalCpuUs: recordCpuUs + checkCpuUs, bytes: f.bytesPerMessage };
}

/** Every message attempted, acknowledged at its partition and offset, and consumed, but one (the checkers' work). */
function record(ledger: Ledger, messages: number): void {
  for (let seq = 0; seq < messages; seq++) {
    const id = ledger.idFor(`p${seq % 4}`, seq >> 2);
    const position = { partition: seq % 4, offset: seq >> 2 };
    ledger.attempted(id, seq);
    ledger.acknowledged(id, seq + 1, position);
    if (seq !== 123) ledger.consumed(id, { at: seq + 2, ...position, consumer: "c0" });
  }
}

export function measureLedger(messages = 1_000_000, clocks: Clocks = processClocks): LedgerFootprint {
  const before = clocks.heldBytes();
  const ledger = new Ledger("bench");
  const recorded = measured(() => record(ledger, messages), clocks).cost;
  const bytesPerMessage = (clocks.heldBytes() - before) / messages;
  const totalQueueCheck = measured(() => checkTotalQueue(ledger, { duplicatesAllowed: false }), clocks).cost;
  const kafkaCheck = measured(() => checkKafka(ledger, { idempotent: true, subscribed: true }), clocks).cost;
  return { messages, bytesPerMessage, record: recorded, totalQueueCheck, kafkaCheck };
}
