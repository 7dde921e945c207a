import { Ledger } from "../../ledger/ledger";
import { checkTotalQueue } from "../../ledger/total-queue";
import { TimelineRecorder } from "../../stats/timeline";
import { Recording } from "../../workload/recording";
import { encodeRecord, type JournalRecord } from "../journal";
import { type ControlRecord, WorkerStream } from "../merge";

const run = "run-1";
const id = (worker: number, seq: number) => `${run}/w${worker}-p0/${seq}`;

function merged() {
  const ledger = new Ledger(run);
  const recording = new Recording(ledger, new TimelineRecorder(1000), 100);
  const control: ControlRecord[] = [];
  const stream = (worker: number) => new WorkerStream(worker, recording, (r) => control.push(r));
  return { ledger, recording, control, stream };
}

const lines = (records: JournalRecord[]) => records.map(encodeRecord).join("");
const ok = (at: number, i: string, partition = 0): JournalRecord => ({
  kind: "outcome",
  at,
  id: i,
  outcome: { type: "ok", position: { partition, offset: at } },
});
const delivery = (at: number, i: string, consumer = "c0"): JournalRecord => ({
  kind: "delivered",
  consumer,
  received: { id: i, sentAt: 1000, receivedAt: at, partition: 0, offset: String(at) },
});

describe("merging workers' journals into one ledger", () => {
  it("counts two workers' writes and deliveries as one run: each worker reads the other's messages", () => {
    const m = merged();
    const w0 = m.stream(0);
    const w1 = m.stream(1);
    w0.push(lines([{ kind: "sent", at: 1000, ids: [id(0, 0), id(0, 1)] }, ok(1010, id(0, 0)), ok(1010, id(0, 1))]));
    w1.push(lines([{ kind: "sent", at: 1001, ids: [id(1, 0)] }, ok(1011, id(1, 0), 1)]));
    w1.push(lines([delivery(1020, id(0, 0)), delivery(1021, id(0, 1))]));
    w0.push(lines([delivery(1022, id(1, 0)), { kind: "closed" }]));
    w1.push(lines([{ kind: "closed" }]));
    expect(w0.end(1100)).toEqual({ worker: 0, gone: false, inFlight: 0 });
    expect(w1.end(1100)).toEqual({ worker: 1, gone: false, inFlight: 0 });
    const v = checkTotalQueue(m.ledger, { duplicatesAllowed: true });
    expect(v.counts).toMatchObject({ attempted: 3, acknowledged: 3, consumed: 3, lost: 0, unexpected: 0, unknown: 0 });
    expect([w0.acknowledged, w1.acknowledged, w0.delivered, w1.delivered]).toEqual([2, 1, 1, 2]);
    expect(m.recording.stats.acked.messages).toBe(3);
    expect(m.control.map((c) => c.kind)).toEqual(["closed", "closed"]);
  });

  it("keeps every acknowledgement of a worker killed mid-run and counts its in-flight writes unknown, not lost", () => {
    const m = merged();
    const w1 = m.stream(1);
    const cut = encodeRecord(ok(1012, id(1, 2))).slice(0, 15);
    w1.push(lines([{ kind: "sent", at: 1000, ids: [id(1, 0), id(1, 1), id(1, 2)] }, ok(1010, id(1, 0))]) + cut);
    // Another worker read the acknowledged one, and the one whose ack never reached the coordinator.
    m.stream(0).push(lines([delivery(1020, id(1, 0)), delivery(1021, id(1, 2))]));
    expect(w1.end(1050)).toEqual({ worker: 1, gone: true, inFlight: 2, cutOff: cut });
    const v = checkTotalQueue(m.ledger, { duplicatesAllowed: true });
    expect(v.counts).toMatchObject({
      acknowledged: 1,
      lost: 0,
      unknown: 2,
      pending: 0,
      recovered: 1,
      unknownMissing: 1,
    });
    expect(v.valid).toBe(true);
    expect(m.recording.stats.lastError).toBe("worker w1 gone with the write in flight");
  });

  it("still counts an acknowledged write of a killed worker that nobody read as lost", () => {
    const m = merged();
    const w1 = m.stream(1);
    w1.push(lines([{ kind: "sent", at: 1000, ids: [id(1, 0)] }, ok(1010, id(1, 0))]));
    w1.end(1050);
    expect(checkTotalQueue(m.ledger, { duplicatesAllowed: true }).counts.lost).toBe(1);
  });

  it("notes a line that does not decode as the worker's error and goes on", () => {
    const m = merged();
    const w0 = m.stream(0);
    w0.push(`["zz"]\n${lines([{ kind: "sent", at: 1000, ids: [id(0, 0)] }])}`);
    expect(m.recording.stats.lastError).toMatch(/^w0: journal line .*"zz" is not a journal record/);
    expect(m.ledger.inFlight).toBe(1);
  });

  it("hands control records to the coordinator, in order", () => {
    const m = merged();
    m.stream(3).push(
      lines([{ kind: "hello", worker: 3, token: "t" }, { kind: "ready" }, { kind: "ends", atEnd: true, detail: "" }]),
    );
    expect(m.control).toEqual([
      { kind: "hello", worker: 3, token: "t" },
      { kind: "ready" },
      { kind: "ends", atEnd: true, detail: "" },
    ]);
  });
});
