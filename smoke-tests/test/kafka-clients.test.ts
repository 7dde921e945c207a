// The kill-leader drill with each Kafka client an application might bring (kafkajs runs in drills.test.ts): the same
// ledger and checks, the client's own durable settings. And the checker is not vacuous for a native client either:
// librdkafka with acks=1 loses what a lone leader acknowledged, and the ledger sees it.

import type { Target } from "../../contract/target";
import type { KafkaClientName } from "../clients/kafka-client";
import { harnessFor } from "../drills/harness";
import { runDrill } from "../drills/run-drill";
import { scenarioNamed } from "../drills/scenarios";
import { EmbeddedFaults } from "../faults/embedded";
import { embeddedTarget, expectSafeDrill, liveDrillOptions } from "./embedded-target";

jest.setTimeout(300_000);

let target: Target;
beforeAll(async () => {
  target = await embeddedTarget();
});

describe.each<KafkaClientName>(["librdkafka", "platformatic"])("Kafka with %s", (kafkaClient) => {
  it("keeps every acknowledged message when the leader is killed, and times each partition's stall", async () => {
    const run = await runDrill(
      harnessFor(target, "kafka", { kafkaClient }),
      new EmbeddedFaults(),
      scenarioNamed("kill-leader"),
      liveDrillOptions,
    );
    expectSafeDrill(run);
    expect(run.client?.name).toBe(kafkaClient);
    expect(run.client?.settings).toMatch(/idempoten/);
    // Acks came from the client's own delivery reports, each with its position: the offset checks ran on them.
    expect(run.kafka?.valid).toBe(true);
    expect(run.kafka?.partitions.every((p) => p.acked > 0 && p.lastAckedOffset >= p.firstAckedOffset)).toBe(true);
    // Every partition wrote again after the kill; the placements at the fault are known, and the killed node led one.
    const [stalls] = run.partitionStalls ?? [];
    console.log(
      `${kafkaClient}: ${stalls?.partitions.map((p) => `p${p.partition} ${p.leader} (victim ${p.victim}) ${p.ms} ms`).join(", ")}`,
    );
    expect(stalls?.partitions.length).toBe(run.kafka?.partitions.length);
    // Every partition wrote again: none ended the load in a stall (a trailing gap of over a second).
    expect(stalls?.partitions.every((p) => p.victim !== undefined && !(p.untilEnd && p.ms > 1_000))).toBe(true);
    expect(stalls?.partitions.some((p) => p.victim === "leader")).toBe(true);
    expect(stalls?.victimLedMs).toEqual(expect.any(Number));
  });
});

describe("the checker is not vacuous with librdkafka", () => {
  it("acks=1 loses what a leader cut off from its followers acknowledged alone", async () => {
    const run = await runDrill(
      harnessFor(target, "kafka", { unsafe: "acks-leader", kafkaClient: "librdkafka" }),
      new EmbeddedFaults(),
      scenarioNamed("kill-lone-leader"),
      { ...liveDrillOptions, drainQuietMs: 15_000 },
    );
    const c = run.ledger.counts;
    console.log(`librdkafka acks=1, kill-lone-leader: ${c.acknowledged} acknowledged, ${c.lost} lost`);
    expect(run.client?.settings).toMatch(/acks=1/);
    expect(c.lost).toBeGreaterThan(0);
    expect(run.ledger.valid).toBe(false);
    expect(run.kafka?.samples.unseen[0]).toMatch(/acked at p0@\d+$/);
  });
});
