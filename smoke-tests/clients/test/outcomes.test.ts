// How a client's answer becomes Jepsen's ok / fail / unknown: only the broker saying "not stored" is a failure.
import { readToEndOffsets } from "../kafka-positions";
import { produceOutcomes } from "../kafkajs";
import { confirmOutcome } from "../rabbitmq";

describe("RabbitMQ publisher confirms", () => {
  it("a confirm is ok", () => {
    expect(confirmOutcome(null)).toEqual({ type: "ok" });
    expect(confirmOutcome(undefined)).toEqual({ type: "ok" });
  });

  it("a broker nack is a definite failure", () => {
    expect(confirmOutcome(new Error("message nacked"))).toEqual({ type: "fail", error: "nack: message nacked" });
  });

  it("a mandatory publish returned unroutable and then confirmed is a definite failure, not an ack", () => {
    expect(confirmOutcome(null, true)).toEqual({ type: "fail", error: "returned: no queue took it" });
    expect(confirmOutcome(null, false)).toEqual({ type: "ok" });
  });

  it("a confirm lost to a closed channel or connection is unknown: the broker may have enqueued it", () => {
    expect(confirmOutcome(new Error("channel closed"))).toEqual({ type: "info", error: "channel closed" });
    expect(confirmOutcome(new Error("Connection closed: 320 (CONNECTION-FORCED)"))).toMatchObject({ type: "info" });
  });
});

describe("Kafka produce responses", () => {
  it("a batch sits at consecutive offsets from the partition's base offset", () => {
    expect(produceOutcomes([{ partition: 2, baseOffset: "40" }], 2, 3)).toEqual([
      { type: "ok", position: { partition: 2, offset: 40 } },
      { type: "ok", position: { partition: 2, offset: 41 } },
      { type: "ok", position: { partition: 2, offset: 42 } },
    ]);
  });

  it("a response that does not name the partition acknowledges nothing: unknown, never ok", () => {
    const out = produceOutcomes([{ partition: 0, baseOffset: "7" }], 2, 2);
    expect(out).toEqual([
      { type: "info", error: "the produce response names no offset for partition 2 (partitions named: 0)" },
      { type: "info", error: "the produce response names no offset for partition 2 (partitions named: 0)" },
    ]);
    expect(produceOutcomes([], 1, 1)[0]).toMatchObject({ type: "info" });
    expect(produceOutcomes([{ partition: 1 }], 1, 1)[0]).toMatchObject({ type: "info" });
  });
});

describe("the drain reads every partition to its high watermark", () => {
  const end = new Map([
    [0, 120n],
    [1, 95n],
  ]);

  it("at the end when each partition's next offset reached its high watermark", () => {
    expect(
      readToEndOffsets(
        new Map([
          [0, 120n],
          [1, 95n],
        ]),
        end,
      ),
    ).toEqual({ atEnd: true, detail: "all 2 partitions read to their high watermark" });
  });

  it("not at the end while a partition holds records past what was read (an unknown write that landed)", () => {
    expect(readToEndOffsets(new Map([[0, 120n]]), end)).toEqual({ atEnd: false, detail: "p1 read to 0 of 95" });
    expect(
      readToEndOffsets(
        new Map([
          [0, 119n],
          [1, 95n],
        ]),
        end,
      ),
    ).toEqual({ atEnd: false, detail: "p0 read to 119 of 120" });
  });

  it("one of several workers' consumers speaks for the partitions assigned to it only", () => {
    expect(readToEndOffsets(new Map([[1, 95n]]), end, new Set([1]))).toEqual({
      atEnd: true,
      detail: "its 1 assigned partition(s) [1] read to their high watermark",
    });
    expect(readToEndOffsets(new Map([[1, 90n]]), end, new Set([1]))).toEqual({
      atEnd: false,
      detail: "p1 read to 90 of 95",
    });
  });
});
