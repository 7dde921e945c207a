// The @platformatic/kafka counting consumer against a stand-in for the library (no broker): where it starts, what it
// hands the ledger, where a new stream resumes after an error, what it commits, and whether it read to the end.
import type { EventEmitter } from "node:events";
import type { KafkaTarget } from "../../../contract/target";
import { encodeEnvelope } from "../envelope";
import { PlatformaticSubscriber } from "../platformatic-subscriber";
import type { Received } from "../types";

interface FakeMessage {
  value?: Buffer;
  partition: number;
  offset: bigint;
  commit: jest.Mock;
}

const mockLibrary = {
  ends: [] as bigint[],
  consumers: [] as Array<{ options: object; consumed: object[]; streams: EventEmitter[]; closed: boolean }>,
};

jest.mock("@platformatic/kafka", () => {
  const { EventEmitter: Emitter } = jest.requireActual<typeof import("node:events")>("node:events");
  class Stream extends Emitter {
    closed = false;
    async close() {
      this.closed = true;
    }
  }
  class Consumer {
    assignments = [{ topic: "mp-t", partitions: [0, 1] }];
    readonly state = { options: {}, consumed: [] as object[], streams: [] as Stream[], closed: false };
    constructor(options: object) {
      this.state.options = options;
      mockLibrary.consumers.push(this.state);
    }
    async listOffsets(o: { topics: string[] }) {
      return new Map([[o.topics[0], [...mockLibrary.ends]]]);
    }
    async consume(o: object) {
      this.state.consumed.push(o);
      const s = new Stream();
      this.state.streams.push(s);
      return s;
    }
    async close() {
      this.state.closed = true;
    }
  }
  return { Consumer };
});

const target = {
  bootstrapServers: ["10.213.0.10:9092"],
  sasl: { mechanism: "scram-sha-512", username: "app", password: "pw" },
  tls: false,
  nodes: [],
} as unknown as KafkaTarget;

const message = (partition: number, offset: bigint, value?: Buffer): FakeMessage => ({
  partition,
  offset,
  ...(value ? { value } : {}),
  commit: jest.fn(async () => undefined),
});

describe("PlatformaticSubscriber", () => {
  it("starts at the topic's end, counts every record, resumes a new stream after the last counted, commits it", async () => {
    mockLibrary.ends = [10n, 20n];
    const errors: string[] = [];
    const sub = new PlatformaticSubscriber(target, "mp-t", "mp-g", { clientId: "c", onError: (e) => errors.push(e) });
    const got: Received[] = [];
    await sub.start((d) => got.push(d));
    const consumer = mockLibrary.consumers[0];
    expect(consumer?.options).toMatchObject({ groupId: "mp-g", clientId: "c", autocommit: false });
    expect(consumer?.consumed[0]).toMatchObject({
      topics: ["mp-t"],
      mode: "manual",
      autocommit: false,
      offsets: [
        { topic: "mp-t", partition: 0, offset: 10n },
        { topic: "mp-t", partition: 1, offset: 20n },
      ],
    });

    const ours = encodeEnvelope("r1-b0-0", 1_000, 64).body;
    const m = [message(0, 10n, ours), message(0, 11n, ours), message(1, 20n, Buffer.from("foreign"))];
    for (const x of m) consumer?.streams[0]?.emit("data", x);
    expect(got.map((d) => [d.id, d.partition, d.offset])).toEqual([
      ["r1-b0-0", 0, "10"],
      ["r1-b0-0", 0, "11"],
      ["unreadable body of 7 bytes", 1, "20"],
    ]);

    // A failed stream is replaced by one that reads on from right after the last record counted.
    consumer?.streams[0]?.emit("error", new Error("broker gone"));
    expect(errors).toEqual(["platformatic consumer failed, reading on from the last counted offsets: broker gone"]);
    await new Promise((r) => setTimeout(r, 700));
    expect(consumer?.consumed[1]).toMatchObject({
      offsets: [
        { topic: "mp-t", partition: 0, offset: 12n },
        { topic: "mp-t", partition: 1, offset: 21n },
      ],
    });

    mockLibrary.ends = [12n, 21n];
    expect(await sub.atEnd()).toEqual({ atEnd: true, detail: "all 2 partitions read to their high watermark" });

    await sub.stop();
    // Only the last counted record of each partition is committed (its offset + 1 goes to the broker).
    expect(m.map((x) => x.commit.mock.calls.length)).toEqual([0, 1, 1]);
    expect(consumer?.closed).toBe(true);
  });

  it("is not at the end while a partition is behind its high watermark; shared, it speaks for its assigned ones", async () => {
    mockLibrary.ends = [0n, 0n, 0n];
    const sub = new PlatformaticSubscriber(target, "mp-t", "mp-g2", { clientId: "c", shared: true });
    await sub.start(() => undefined);
    mockLibrary.ends = [3n, 0n, 9n];
    // Partition 2 is not assigned to this member (assignments: 0 and 1): another worker reads it.
    expect(await sub.atEnd()).toEqual({ atEnd: false, detail: "p0 read to 0 of 3" });
    await sub.stop();
  });
});
