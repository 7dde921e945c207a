import { Ledger } from "../ledger";
import { formatMessageId, newRunId, parseMessageId } from "../message-id";
import { checkTotalQueue } from "../total-queue";

const run = "run-1";

/** Builds a ledger from a compact history: one line per message, "p1/0 ok consumed*2". */
function ledgerFrom(history: Array<[string, "ok" | "fail" | "unknown" | "pending" | "none", number]>): Ledger {
  const ledger = new Ledger(run);
  let t = 1000;
  for (const [key, outcome, consumeTimes] of history) {
    const id = `${run}/${key}`;
    if (outcome !== "none") ledger.attempted(id, t++);
    if (outcome === "ok") ledger.acknowledged(id, t++);
    if (outcome === "fail") ledger.failed(id, t++);
    if (outcome === "unknown") ledger.unknown(id, t++);
    for (let i = 0; i < consumeTimes; i++) ledger.consumed(id, { at: t++, queue: "smoke" });
  }
  return ledger;
}

describe("message ids", () => {
  test("round-trip through format and parse", () => {
    const id = formatMessageId({ runId: "r", producer: "kafka-p0", seq: 42 });
    expect(parseMessageId(id)).toEqual({ runId: "r", producer: "kafka-p0", seq: 42 });
  });

  test("reject anything that is not run/producer/seq", () => {
    for (const bad of ["", "a/b", "a/b/c", "a/b/-1", "a//1", "a/b/1/2"]) expect(parseMessageId(bad)).toBeUndefined();
  });

  test("run ids are unique and carry no separator", () => {
    const ids = new Set(Array.from({ length: 50 }, () => newRunId(new Date("2025-01-01T00:00:00Z"))));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^20250101T000000Z-[0-9a-f]{6}$/);
  });
});

describe("total-queue accounting", () => {
  test("a clean history is valid: every ack consumed once", () => {
    const verdict = checkTotalQueue(
      ledgerFrom([
        ["p0/0", "ok", 1],
        ["p0/1", "ok", 1],
        ["p1/0", "ok", 1],
      ]),
      { duplicatesAllowed: false },
    );
    expect(verdict.valid).toBe(true);
    expect(verdict.counts).toMatchObject({ attempted: 3, acknowledged: 3, consumed: 3, lost: 0, unexpected: 0 });
    expect(verdict.fractions.okFrac).toBe(1);
  });

  test("flags an acknowledged message that nobody consumed as lost", () => {
    const verdict = checkTotalQueue(
      ledgerFrom([
        ["p0/0", "ok", 1],
        ["p0/1", "ok", 0],
      ]),
      { duplicatesAllowed: true },
    );
    expect(verdict.valid).toBe(false);
    expect(verdict.counts.lost).toBe(1);
    expect(verdict.samples.lost).toEqual([`${run}/p0/1`]);
    expect(verdict.fractions.lostFrac).toBe(0.5);
    expect(verdict.problems.join()).toContain("lost");
  });

  test("lists every lost message, beyond the samples, with the position its ack gave (none without one)", () => {
    const ledger = new Ledger(run);
    for (let seq = 0; seq < 30; seq++) {
      const id = ledger.idFor("p0", seq);
      ledger.attempted(id, seq);
      // A Kafka ack carries partition and offset; seq 29 stands for a RabbitMQ confirm, which carries none.
      ledger.acknowledged(id, seq + 1, seq < 29 ? { partition: seq % 3, offset: 100 + seq } : undefined);
    }
    const verdict = checkTotalQueue(ledger, { duplicatesAllowed: true });
    expect(verdict.counts.lost).toBe(30);
    expect(verdict.samples.lost).toHaveLength(20);
    expect(verdict.lostMessages).toHaveLength(30);
    expect(verdict.lostMessages[4]).toEqual({ id: `${run}/p0/4`, partition: 1, offset: 104 });
    expect(verdict.lostMessages[29]).toEqual({ id: `${run}/p0/29` });
  });

  test("flags a message of this run that was consumed but never sent as unexpected", () => {
    const verdict = checkTotalQueue(
      ledgerFrom([
        ["p0/0", "ok", 1],
        ["p0/7", "none", 1],
      ]),
      { duplicatesAllowed: true },
    );
    expect(verdict.valid).toBe(false);
    expect(verdict.counts.unexpected).toBe(1);
    expect(verdict.samples.unexpected).toEqual([`${run}/p0/7`]);
  });

  test("counts a malformed body and another run's message as unexpected: a run reads only what it wrote", () => {
    const ledger = ledgerFrom([["p0/0", "ok", 1]]);
    ledger.consumed("unreadable body of 12 bytes", { at: 1 });
    ledger.consumed("old-run/p0/0", { at: 1 });
    const verdict = checkTotalQueue(ledger, { duplicatesAllowed: true });
    expect(verdict.counts.unexpected).toBe(2);
    expect(verdict.counts.foreignRun).toBe(1);
    expect(verdict.samples.unexpected).toEqual(["unreadable body of 12 bytes", "old-run/p0/0"]);
    expect(verdict.valid).toBe(false);
    expect(verdict.problems).toEqual([
      "2 consumed message(s) were never sent by this run (unexpected, 1 of them from another run)",
    ]);
  });

  test("tells re-deliveries of one write from duplicate writes, on Kafka and on RabbitMQ", () => {
    const ledger = ledgerFrom([
      ["p0/0", "ok", 0],
      ["p0/1", "ok", 0],
      ["p0/2", "ok", 0],
      ["p0/3", "ok", 0],
    ]);
    const id = (seq: number) => `${run}/p0/${seq}`;
    // Kafka: read twice at one offset (a consumer restarted before committing), then one value at two offsets.
    ledger.consumed(id(0), { at: 1, partition: 0, offset: 10 });
    ledger.consumed(id(0), { at: 2, partition: 0, offset: 10 });
    ledger.consumed(id(1), { at: 3, partition: 0, offset: 11 });
    ledger.consumed(id(1), { at: 4, partition: 0, offset: 12 });
    // RabbitMQ: a delivery flagged redelivered, then a second unflagged copy.
    ledger.consumed(id(2), { at: 5, queue: "q" });
    ledger.consumed(id(2), { at: 6, queue: "q", redelivered: true });
    ledger.consumed(id(3), { at: 7, queue: "q" });
    ledger.consumed(id(3), { at: 8, queue: "q" });
    const { counts, samples } = checkTotalQueue(ledger, { duplicatesAllowed: true });
    expect(counts).toMatchObject({ duplicated: 4, redelivered: 2, duplicateWrites: 2 });
    expect(samples.duplicateWrites).toEqual([id(1), id(3)]);
  });

  test("reports duplicates, and fails on them only where they are not allowed", () => {
    const history: Array<[string, "ok", number]> = [
      ["p0/0", "ok", 2],
      ["p0/1", "ok", 1],
    ];
    const atLeastOnce = checkTotalQueue(ledgerFrom(history), { duplicatesAllowed: true });
    expect(atLeastOnce.valid).toBe(true);
    expect(atLeastOnce.counts.duplicated).toBe(1);
    expect(atLeastOnce.counts.deliveries).toBe(3);
    const idempotent = checkTotalQueue(ledgerFrom(history), { duplicatesAllowed: false });
    expect(idempotent.valid).toBe(false);
    expect(idempotent.samples.duplicated).toEqual([`${run}/p0/0`]);
  });

  test("an unknown outcome may be missing (unknown-missing) or present (recovered), both valid", () => {
    const verdict = checkTotalQueue(
      ledgerFrom([
        ["p0/0", "unknown", 1],
        ["p0/1", "unknown", 0],
        ["p0/2", "pending", 1],
        ["p0/3", "fail", 0],
      ]),
      { duplicatesAllowed: false },
    );
    expect(verdict.valid).toBe(true);
    expect(verdict.counts).toMatchObject({ recovered: 2, unknownMissing: 1, unknown: 2, pending: 1, failed: 1 });
  });

  test("a late confirm after a timeout makes the message acknowledged, so losing it is a loss", () => {
    const ledger = new Ledger(run);
    const id = ledger.idFor("p0", 0);
    ledger.attempted(id, 0);
    ledger.unknown(id, 5000);
    ledger.acknowledged(id, 5200);
    expect(checkTotalQueue(ledger, { duplicatesAllowed: true }).counts.lost).toBe(1);
  });

  test("a failed send (a nack) that shows up anyway is failed-but-consumed, and fails the verdict", () => {
    const verdict = checkTotalQueue(ledgerFrom([["p0/0", "fail", 1]]), { duplicatesAllowed: true });
    expect(verdict.counts.failedButConsumed).toBe(1);
    expect(verdict.valid).toBe(false);
    expect(verdict.problems).toEqual(["1 publish(es) that definitely failed (nack, return) were consumed anyway"]);
    expect(checkTotalQueue(ledgerFrom([["p0/0", "fail", 0]]), { duplicatesAllowed: true }).valid).toBe(true);
  });
});

describe("live counters", () => {
  test("unseen rises on ack, falls on first delivery, ignores redeliveries and ack-after-delivery", () => {
    const ledger = new Ledger(run);
    const [a, b, c] = [0, 1, 2].map((seq) => ledger.idFor("p0", seq)) as [string, string, string];
    for (const id of [a, b, c]) ledger.attempted(id, 0);
    expect(ledger.inFlight).toBe(3);
    ledger.acknowledged(a, 10);
    ledger.acknowledged(b, 10);
    expect(ledger.unseen).toBe(2);
    expect(ledger.inFlight).toBe(1);
    ledger.consumed(a, { at: 20 });
    ledger.consumed(a, { at: 21 });
    expect(ledger.unseen).toBe(1);
    ledger.consumed(c, { at: 22 }); // Kafka consumers can see a record before its producer callback runs
    ledger.acknowledged(c, 23);
    expect(ledger.unseen).toBe(1);
  });

  test("returns ack and end-to-end latency from the send time", () => {
    const ledger = new Ledger(run);
    const id = ledger.idFor("p0", 0);
    ledger.attempted(id, 100);
    expect(ledger.acknowledged(id, 130)).toBe(30);
    expect(ledger.consumed(id, { at: 175 })).toBe(75);
  });

  test("refuses ids of another run and double attempts: those are bugs in the producer", () => {
    const ledger = new Ledger(run);
    expect(() => ledger.attempted("other/p0/0", 0)).toThrow(/not a message id of run/);
    ledger.attempted(ledger.idFor("p0", 0), 0);
    expect(() => ledger.attempted(ledger.idFor("p0", 0), 0)).toThrow(/attempted twice/);
    expect(() => ledger.acknowledged(ledger.idFor("p0", 1), 0)).toThrow(/before it was attempted/);
  });
});

describe("scale", () => {
  test("accounts for a million messages (its footprint: npm run bench -- --ledger)", () => {
    const ledger = new Ledger(run);
    const n = 1_000_000;
    for (let seq = 0; seq < n; seq++) {
      const id = ledger.idFor(`p${seq % 4}`, seq >> 2);
      ledger.attempted(id, seq);
      ledger.acknowledged(id, seq + 1, { partition: seq % 4, offset: seq >> 2 });
      if (seq !== 123) ledger.consumed(id, { at: seq + 2, partition: seq % 4, offset: seq >> 2, consumer: "c0" });
    }
    const verdict = checkTotalQueue(ledger, { duplicatesAllowed: false });
    expect(verdict.counts.attempted).toBe(n);
    expect(verdict.counts.lost).toBe(1);
    expect(verdict.samples.lost).toEqual([`${run}/p3/30`]);
  }, 60_000);
});
