// A drill beside the gate writes to a topic of its own, created fresh for each run: one left by a drill that died is
// deleted first, and deletion is asynchronous, so creating may take a few tries.
import type { Admin, ITopicConfig } from "kafkajs";

type TopicAdmin = Pick<Admin, "deleteTopics" | "createTopics" | "fetchTopicMetadata">;

/**
 * Deletes `spec.topic` if it exists, then creates it, trying once a second up to `attempts` times. "It already
 * exists" after a try that failed (a timeout on a loaded machine) may be that try's own topic, created after all: it
 * counts as created when it has the partitions asked for. Throws naming the topic and the last answer.
 */
export async function createOwnTopic(
  a: TopicAdmin,
  spec: ITopicConfig & { numPartitions: number },
  attempts = 15,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<void> {
  await a.deleteTopics({ topics: [spec.topic] }).catch(() => undefined);
  let firstFailure: string | undefined;
  let last = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    // true: created; false: it exists (its deletion under way, or an earlier try's); a string: the try failed.
    const created = await a
      .createTopics({ topics: [spec], waitForLeaders: true })
      .catch((e: Error) => e.message || String(e));
    if (created === true) return;
    if (created === false && firstFailure !== undefined) {
      const found = await a.fetchTopicMetadata({ topics: [spec.topic] }).catch(() => undefined);
      if (found?.topics[0]?.partitions.length === spec.numPartitions) return;
    }
    if (typeof created === "string") firstFailure ??= created;
    last = created === false ? "it still exists" : created;
    if (attempt < attempts) await sleep(1_000);
  }
  const earlier = firstFailure !== undefined && firstFailure !== last ? ` (an earlier try: ${firstFailure})` : "";
  throw new Error(`cannot create the drill's topic ${spec.topic}: ${last}${earlier}`);
}
