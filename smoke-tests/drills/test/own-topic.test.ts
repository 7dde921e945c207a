// createOwnTopic against a stand-in admin: a try that timed out but created the topic anyway is the drill's own
// topic (seen in the e2e of 2026-12-07 on a loaded machine: "cannot create the drill's topic …: it still exists").
import type { ITopicConfig, ITopicMetadata } from "kafkajs";
import { createOwnTopic } from "../own-topic";

const spec = { topic: "mp-drill-rolling-update", numPartitions: 3, replicationFactor: 3 };

/** A stand-in admin whose creates answer in turn from `answers` (true, false, or an Error to throw). */
function admin(answers: Array<boolean | Error>, existing: ITopicMetadata[] = []) {
  const calls: string[] = [];
  const a = {
    async deleteTopics({ topics }: { topics: string[] }) {
      calls.push(`delete ${topics.join(",")}`);
    },
    async createTopics({ topics }: { topics: ITopicConfig[] }) {
      calls.push(`create ${topics.map((t) => t.topic).join(",")}`);
      const answer = answers.shift() ?? false;
      if (answer instanceof Error) throw answer;
      return answer;
    },
    async fetchTopicMetadata() {
      calls.push("metadata");
      return { topics: existing };
    },
  };
  return { a: a as unknown as Parameters<typeof createOwnTopic>[0], calls };
}
const noWait = async () => undefined;
const threePartitions: ITopicMetadata = {
  name: spec.topic,
  partitions: [0, 1, 2].map((p) => ({ partitionId: p, leader: 0, replicas: [], isr: [], partitionErrorCode: 0 })),
};

describe("createOwnTopic", () => {
  test("a try that timed out but created the topic counts as created once it shows the partitions asked for", async () => {
    const { a, calls } = admin([new Error("Request createTopics timed out"), false], [threePartitions]);
    await createOwnTopic(a, spec, 15, noWait);
    expect(calls).toEqual([`delete ${spec.topic}`, `create ${spec.topic}`, `create ${spec.topic}`, "metadata"]);
  });

  test("a leftover still being deleted is waited for, then the topic is created", async () => {
    const { a, calls } = admin([false, false, true], [threePartitions]);
    await createOwnTopic(a, spec, 15, noWait);
    // No try failed: "it exists" is the leftover's deletion under way, never taken for the drill's own topic.
    expect(calls.filter((c) => c === "metadata")).toEqual([]);
    expect(calls.filter((c) => c.startsWith("create"))).toHaveLength(3);
  });

  test("a topic that never goes away fails naming it, after every try", async () => {
    const { a, calls } = admin([]);
    await expect(createOwnTopic(a, spec, 4, noWait)).rejects.toThrow(
      "cannot create the drill's topic mp-drill-rolling-update: it still exists",
    );
    expect(calls.filter((c) => c.startsWith("create"))).toHaveLength(4);
  });

  test("after a failed try, a topic with other partitions is not taken for the drill's own", async () => {
    const other = { ...threePartitions, partitions: threePartitions.partitions.slice(0, 1) };
    const { a } = admin([new Error("timed out"), false, false], [other]);
    // The earlier try's failure is named: the reason "it still exists" may be that try's own topic.
    await expect(createOwnTopic(a, spec, 3, noWait)).rejects.toThrow(
      "cannot create the drill's topic mp-drill-rolling-update: it still exists (an earlier try: timed out)",
    );
  });
});
