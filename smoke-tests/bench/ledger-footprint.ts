// The ledger's own cost, measured rather than asserted in a unit test: bytes per message held and time to check a
// run, for a million messages over four producers and partitions (one left unconsumed, so the checkers have work).
import { checkKafka } from "../ledger/kafka-checks";
import { Ledger } from "../ledger/ledger";
import { checkTotalQueue } from "../ledger/total-queue";

export interface LedgerFootprint {
  messages: number;
  bytesPerMessage: number;
  recordMs: number;
  totalQueueCheckMs: number;
  kafkaCheckMs: number;
}

export function measureLedger(messages = 1_000_000): LedgerFootprint {
  global.gc?.();
  const memory = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const before = memory();
  const ledger = new Ledger("bench");
  let t = performance.now();
  for (let seq = 0; seq < messages; seq++) {
    const id = ledger.idFor(`p${seq % 4}`, seq >> 2);
    const position = { partition: seq % 4, offset: seq >> 2 };
    ledger.attempted(id, seq);
    ledger.acknowledged(id, seq + 1, position);
    if (seq !== 123) ledger.consumed(id, { at: seq + 2, ...position, consumer: "c0" });
  }
  const recordMs = performance.now() - t;
  const bytesPerMessage = (memory() - before) / messages;
  t = performance.now();
  checkTotalQueue(ledger, { duplicatesAllowed: false });
  const totalQueueCheckMs = performance.now() - t;
  t = performance.now();
  checkKafka(ledger, { idempotent: true, subscribed: true });
  const kafkaCheckMs = performance.now() - t;
  return { messages, bytesPerMessage, recordMs, totalQueueCheckMs, kafkaCheckMs };
}
