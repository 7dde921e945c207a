import {
  decodeCommand,
  decodeRecord,
  encodeCommand,
  encodeRecord,
  type JournalRecord,
  LineSplitter,
  workerProducer,
} from "../journal";

const records: JournalRecord[] = [
  { kind: "hello", worker: 2, token: "abc" },
  { kind: "ready" },
  { kind: "sent", at: 1000, ids: ["run/w1-p0/0", "run/w1-p0/1"] },
  { kind: "outcome", at: 1005, id: "run/w1-p0/0", outcome: { type: "ok", position: { partition: 2, offset: 17 } } },
  { kind: "outcome", at: 1005, id: "run/w1-p0/1", outcome: { type: "ok" } },
  { kind: "outcome", at: 1006, id: "run/w1-p0/2", outcome: { type: "fail", error: "nack" } },
  { kind: "outcome", at: 1007, id: "run/w1-p0/3", outcome: { type: "info", error: "timeout" } },
  {
    kind: "delivered",
    consumer: "c0",
    received: { id: "run/w0-p1/5", sentAt: 990, receivedAt: 1010, partition: 1, offset: "42" },
  },
  { kind: "delivered", consumer: "c0", received: { id: "q", sentAt: 990, receivedAt: 1011, redelivered: true } },
  { kind: "error", what: 'connection "lost"\nand a newline' },
  { kind: "stopped" },
  { kind: "stopped", cpuMicros: 1_250_000 },
  { kind: "ends", atEnd: false, detail: "p0 at 3 of 9" },
  { kind: "closed" },
];

describe("the journal's records", () => {
  it.each(records.map((r) => [`${r.kind}${"cpuMicros" in r ? " (with CPU)" : ""}`, r]))(
    "a %s record decodes to what was encoded",
    (_kind, r) => {
      const line = encodeRecord(r);
      expect(line.endsWith("\n")).toBe(true);
      expect(line.slice(0, -1)).not.toContain("\n");
      expect(decodeRecord(line.slice(0, -1))).toEqual(r);
    },
  );

  it("keeps a delivery without a send time (a foreign body) as NaN, not 0", () => {
    const r: JournalRecord = {
      kind: "delivered",
      consumer: "c0",
      received: { id: "x", sentAt: Number.NaN, receivedAt: 5 },
    };
    const back = decodeRecord(encodeRecord(r).trim());
    expect(back.kind === "delivered" && Number.isNaN(back.received.sentAt)).toBe(true);
  });

  it("refuses a line that is not JSON, naming the line", () => {
    expect(() => decodeRecord('["o",1000,"run/w')).toThrow(/journal line "\[\\"o\\",1000,\\"run\/w": not JSON/);
  });

  it("refuses an unknown record and a field of the wrong type, naming the field", () => {
    expect(() => decodeRecord('["zz"]')).toThrow(/"zz" is not a journal record/);
    expect(() => decodeRecord('["o","soon","id"]')).toThrow(/field 1 must be a number/);
    expect(() => decodeRecord('["s",1,[1,2]]')).toThrow(/field 2 must list ids/);
  });

  it("names each worker's producers with the worker, so two workers' ids never collide", () => {
    expect(workerProducer(0, 1)).toBe("w0-p1");
    expect(workerProducer(1, 0)).not.toBe(workerProducer(0, 1));
  });
});

describe("the coordinator's commands", () => {
  it("decode to what was encoded, and an unknown one is refused", () => {
    expect(decodeCommand(encodeCommand({ kind: "ends?" }).trim())).toEqual({ kind: "ends?" });
    expect(() => decodeCommand('{"kind":"explode"}')).toThrow(/kind must be one of assign, produce, stop/);
  });
});

describe("cutting the stream into lines", () => {
  it("joins a record split across chunks", () => {
    const s = new LineSplitter();
    expect(s.push('["rea')).toEqual([]);
    expect(s.push('dy"]\n["stop')).toEqual(['["ready"]']);
    expect(s.push('ped"]\n')).toEqual(['["stopped"]']);
    expect(s.end()).toBeUndefined();
  });

  it("hands back a truncated last line (the writer died mid-record) instead of decoding it", () => {
    const s = new LineSplitter();
    const whole = encodeRecord({ kind: "outcome", at: 1, id: "run/w0-p0/0", outcome: { type: "ok" } });
    const cut = encodeRecord({ kind: "outcome", at: 2, id: "run/w0-p0/1", outcome: { type: "ok" } }).slice(0, 12);
    expect(s.push(whole + cut)).toEqual([whole.trim()]);
    expect(s.end()).toBe(cut);
    expect(() => decodeRecord(cut)).toThrow(/not JSON/);
  });
});
