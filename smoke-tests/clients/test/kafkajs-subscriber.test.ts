// The kafkajs counting consumer against a stand-in for kafkajs (no broker): a batch is counted without waiting for a
// commit (an awaited commit per batch held it to 3.1k msg/s), commits go out at most once per interval and one at a
// time, a join resumes each partition after the last counted record, and stop commits what is left.
import type { Kafka } from "kafkajs";
import { encodeEnvelope } from "../envelope";
import { KafkaSubscriber } from "../kafkajs";
import type { Received } from "../types";

type EachBatch = (p: {
  batch: { topic: string; partition: number; messages: Array<{ offset: string; value: Buffer | null }> };
  resolveOffset: (o: string) => void;
  heartbeat: () => Promise<void>;
  isRunning: () => boolean;
  isStale: () => boolean;
}) => Promise<void>;

function fakeKafka() {
  const commits: Array<Array<{ partition: number; offset: string }>> = [];
  const pending: Array<() => void> = [];
  const seeks: Array<{ partition: number; offset: string }> = [];
  const handlers = new Map<string, (e: unknown) => void>();
  let eachBatch: EachBatch | undefined;
  const consumer = {
    events: { CRASH: "crash", GROUP_JOIN: "join" },
    on: (event: string, h: (e: unknown) => void) => handlers.set(event, h),
    connect: async () => undefined,
    subscribe: async () => undefined,
    disconnect: async () => undefined,
    seek: (s: { partition: number; offset: string }) => seeks.push(s),
    async run(o: { eachBatch: EachBatch }) {
      eachBatch = o.eachBatch;
      handlers.get("join")?.({ payload: { memberAssignment: { "mp-t": [0, 1] } } });
    },
    // A commit answers only when the test says so: the reading must not wait for it.
    commitOffsets: (offsets: Array<{ partition: number; offset: string }>) => {
      commits.push(offsets.map(({ partition, offset }) => ({ partition, offset })));
      return new Promise<void>((resolve) => pending.push(resolve));
    },
  };
  const admin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    fetchTopicOffsets: async () => [
      { partition: 0, offset: "100" },
      { partition: 1, offset: "200" },
    ],
  };
  const client = { admin: () => admin, consumer: () => consumer } as unknown as Kafka;
  const batch = (partition: number, from: number, count: number) => {
    const resolved: string[] = [];
    const body = encodeEnvelope("r1-b0-0", 1, 64).body;
    const messages = Array.from({ length: count }, (_, i) => ({ offset: String(from + i), value: body }));
    return (eachBatch as EachBatch)({
      batch: { topic: "mp-t", partition, messages },
      resolveOffset: (o) => resolved.push(o),
      heartbeat: async () => undefined,
      isRunning: () => true,
      isStale: () => false,
    }).then(() => resolved);
  };
  return { client, commits, pending, seeks, batch, join: () => handlers.get("join") };
}

describe("KafkaSubscriber", () => {
  it("counts batches without waiting for commits, commits one at a time, resumes after the last counted", async () => {
    const k = fakeKafka();
    const sub = new KafkaSubscriber(k.client, "mp-t", "mp-g");
    const got: Received[] = [];
    await sub.start((d) => got.push(d));
    expect(k.seeks).toEqual([
      { topic: "mp-t", partition: 0, offset: "100" },
      { topic: "mp-t", partition: 1, offset: "200" },
    ]);

    // The first batch's commit never answers here, yet the next batches are read and counted.
    expect(await k.batch(0, 100, 3)).toEqual(["102"]);
    expect(await k.batch(1, 200, 2)).toEqual(["201"]);
    expect(await k.batch(0, 103, 2)).toEqual(["104"]);
    expect(got.map((d) => `${d.partition}@${d.offset}`)).toEqual([
      "0@100",
      "0@101",
      "0@102",
      "1@200",
      "1@201",
      "0@103",
      "0@104",
    ]);
    // The first commit also names where partition 1 starts: a member that takes it over starts there, not later.
    const first = [
      { partition: 0, offset: "103" },
      { partition: 1, offset: "200" },
    ];
    expect(k.commits).toEqual([first]);

    // A rejoin resumes each partition right after its last counted record.
    k.seeks.length = 0;
    k.join()?.({ payload: { memberAssignment: { "mp-t": [0, 1] } } });
    expect(k.seeks).toEqual([
      { topic: "mp-t", partition: 0, offset: "105" },
      { topic: "mp-t", partition: 1, offset: "202" },
    ]);

    // stop() waits for the commit in flight, then commits everything counted since.
    const stopped = sub.stop();
    k.pending.shift()?.();
    await new Promise((r) => setImmediate(r));
    k.pending.shift()?.();
    await stopped;
    expect(k.commits).toEqual([
      first,
      [
        { partition: 0, offset: "105" },
        { partition: 1, offset: "202" },
      ],
    ]);
  });
});
