import { checkKafka } from "../kafka-checks";
import { Ledger } from "../ledger";

const run = "run-k";
const strict = { idempotent: true, subscribed: false };

/** A producer that sends seq 0..n-1 to one partition, acked at consecutive offsets starting at `base`. */
function sendAll(ledger: Ledger, producer: string, partition: number, n: number, base = 0): string[] {
  return Array.from({ length: n }, (_, seq) => {
    const id = ledger.idFor(producer, seq);
    ledger.attempted(id, seq);
    ledger.acknowledged(id, seq + 1, { partition, offset: base + seq });
    return id;
  });
}

function readAll(ledger: Ledger, ids: string[], partition: number, base = 0, consumer = "c0") {
  ids.forEach((id, i) => {
    ledger.consumed(id, { at: 100 + i, partition, offset: base + i, consumer });
  });
}

describe("Kafka per-partition checks", () => {
  test("a clean history: unique, increasing offsets, everything read", () => {
    const ledger = new Ledger(run);
    readAll(ledger, sendAll(ledger, "p0", 0, 5), 0);
    readAll(ledger, sendAll(ledger, "p1", 1, 3), 1);
    const result = checkKafka(ledger, strict);
    expect(result.problems).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.partitions).toEqual([
      { partition: 0, values: 5, acked: 5, firstAckedOffset: 0, lastAckedOffset: 4, highestReadOffset: 4 },
      { partition: 1, values: 3, acked: 3, firstAckedOffset: 0, lastAckedOffset: 2, highestReadOffset: 2 },
    ]);
  });

  test("two values at one offset are inconsistent offsets", () => {
    const ledger = new Ledger(run);
    const ids = sendAll(ledger, "p0", 0, 3);
    readAll(ledger, ids, 0);
    const other = ledger.idFor("p1", 0);
    ledger.attempted(other, 0);
    ledger.acknowledged(other, 1, { partition: 0, offset: 1 }); // the broker told two producers "offset 1"
    ledger.consumed(other, { at: 200, partition: 0, offset: 9 });
    const result = checkKafka(ledger, strict);
    expect(result.counts.inconsistentOffsets).toBe(1);
    expect(result.samples.inconsistentOffsets[0]).toContain("p0@1");
    expect(result.valid).toBe(false);
  });

  test("an acked write below the highest read offset that nobody read is a lost write", () => {
    const ledger = new Ledger(run);
    const ids = sendAll(ledger, "p0", 0, 4);
    readAll(ledger, [ids[0], ids[1]] as string[], 0);
    ledger.consumed(ids[3] as string, { at: 300, partition: 0, offset: 3, consumer: "c0" });
    const result = checkKafka(ledger, { idempotent: true, subscribed: true });
    expect(result.counts.lostWrites).toBe(1);
    expect(result.counts.unseen).toBe(1);
    expect(result.samples.lostWrites[0]).toBe(`${run}/p0/2 at p0@2`);
  });

  test("an acked write above the highest read offset is unseen but not (yet) a lost write", () => {
    const ledger = new Ledger(run);
    const ids = sendAll(ledger, "p0", 0, 3);
    readAll(ledger, ids.slice(0, 2), 0);
    const result = checkKafka(ledger, strict);
    expect(result.counts).toMatchObject({ lostWrites: 0, unseen: 1 });
    expect(result.valid).toBe(false);
  });

  test("one value at two offsets is a duplicate write, an error only with idempotence", () => {
    const ledger = new Ledger(run);
    const ids = sendAll(ledger, "p0", 0, 2);
    readAll(ledger, ids, 0);
    ledger.consumed(ids[1] as string, { at: 400, partition: 0, offset: 2, consumer: "c0" }); // a retried send
    expect(checkKafka(ledger, strict).counts.duplicateWrites).toBe(1);
    expect(checkKafka(ledger, strict).valid).toBe(false);
    expect(checkKafka(ledger, { idempotent: false, subscribed: false }).valid).toBe(true);
  });

  test("re-reading the same offset after a rebalance is not a duplicate write", () => {
    const ledger = new Ledger(run);
    const ids = sendAll(ledger, "p0", 0, 3);
    readAll(ledger, ids, 0, 0, "c0");
    readAll(ledger, ids, 0, 0, "c1");
    ledger.consumed(ids[0] as string, { at: 500, partition: 0, offset: 0, consumer: "c0" });
    const result = checkKafka(ledger, { idempotent: true, subscribed: true });
    expect(result.counts.duplicateWrites).toBe(0);
    expect(result.counts.nonmonotonicPolls).toBe(1);
    expect(result.valid).toBe(true);
    expect(checkKafka(ledger, strict).valid).toBe(false);
  });

  test("a consumer jumping over an offset that holds one of our values is a poll skip", () => {
    const ledger = new Ledger(run);
    const ids = sendAll(ledger, "p0", 0, 4);
    ledger.consumed(ids[0] as string, { at: 1, partition: 0, offset: 0, consumer: "c0" });
    ledger.consumed(ids[2] as string, { at: 2, partition: 0, offset: 2, consumer: "c0" });
    ledger.consumed(ids[1] as string, { at: 3, partition: 0, offset: 1, consumer: "c1" });
    ledger.consumed(ids[3] as string, { at: 4, partition: 0, offset: 3, consumer: "c1" });
    const result = checkKafka(ledger, strict);
    expect(result.counts.pollSkips).toBe(2);
    expect(result.counts.lostWrites).toBe(0);
  });

  test("an ack at a lower offset than the producer's previous ack is a nonmonotonic send", () => {
    const ledger = new Ledger(run);
    const [a, b] = [ledger.idFor("p0", 0), ledger.idFor("p0", 1)];
    ledger.attempted(a, 0);
    ledger.attempted(b, 0);
    ledger.acknowledged(a, 1, { partition: 0, offset: 5 });
    ledger.acknowledged(b, 1, { partition: 0, offset: 4 });
    ledger.consumed(b, { at: 2, partition: 0, offset: 4 });
    ledger.consumed(a, { at: 3, partition: 0, offset: 5 });
    expect(checkKafka(ledger, strict).counts.nonmonotonicSends).toBe(1);
  });

  test("a failed send read back is the ledger's failed-but-consumed, not a Kafka check of its own", () => {
    const ledger = new Ledger(run);
    const id = ledger.idFor("p0", 0);
    ledger.attempted(id, 0);
    ledger.failed(id, 1);
    ledger.consumed(id, { at: 2, partition: 0, offset: 0 });
    expect(Object.keys(checkKafka(ledger, strict).counts)).not.toContain("abortedReads");
  });

  test("checks 10^5 messages over 8 partitions (how fast: npm run bench -- --ledger)", () => {
    const ledger = new Ledger(run);
    for (let p = 0; p < 8; p++) readAll(ledger, sendAll(ledger, `p${p}`, p, 12_500), p, 0, `c${p}`);
    const result = checkKafka(ledger, strict);
    expect(result.valid).toBe(true);
    expect(result.partitions.map((p) => p.acked)).toEqual(Array(8).fill(12_500));
  });
});
