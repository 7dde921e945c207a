// Failover drills on the embedded default, for both systems: the leader is killed or partitioned away under load,
// the cluster heals, and the ledger must show that every acknowledged message was consumed. One deliberately
// unsafe setup proves the checker is not vacuous: without durability, the same fault loses messages.

import type { SystemName } from "../../contract/systems";
import type { Target } from "../../contract/target";
import { harnessFor } from "../drills/harness";
import { runDrill } from "../drills/run-drill";
import { scenarioNamed } from "../drills/scenarios";
import { EmbeddedFaults } from "../faults/embedded";
import { failuresOf } from "../reports/run-report";
import { embeddedTarget, expectSafeDrill, liveDrillOptions } from "./embedded-target";

jest.setTimeout(300_000);

const options = liveDrillOptions;

let target: Target;
beforeAll(async () => {
  target = await embeddedTarget();
});

describe.each<SystemName>(["kafka", "rabbitmq"])("%s", (system) => {
  it("keeps every acknowledged message when the leader is killed", async () => {
    const run = await runDrill(harnessFor(target, system), new EmbeddedFaults(), scenarioNamed("kill-leader"), options);
    expectSafeDrill(run);
    expect(run.verdict?.[0]?.detail).toMatch(/leader moved away from/);
    if (system === "kafka") {
      // The offset checks ran on real positions: every partition has acknowledged writes with their offsets.
      expect(run.kafka?.partitions.every((p) => p.acked > 0 && p.lastAckedOffset >= p.firstAckedOffset)).toBe(true);
    }
  });

  it("keeps every acknowledged message when the leader is partitioned away and healed", async () => {
    const run = await runDrill(
      harnessFor(target, system),
      new EmbeddedFaults(),
      scenarioNamed("isolate-node"),
      options,
    );
    expectSafeDrill(run);
    expect(run.timeline.events.map((e) => e.kind)).toEqual(expect.arrayContaining(["fault", "heal"]));
  });
});

describe("the checker is not vacuous", () => {
  it("Kafka with acks=1 loses what a leader cut off from its followers acknowledged alone, each with its offset", async () => {
    const run = await runDrill(
      harnessFor(target, "kafka", { unsafe: "acks-leader" }),
      new EmbeddedFaults(),
      scenarioNamed("kill-lone-leader"),
      { ...options, drainQuietMs: 15_000 },
    );
    const c = run.ledger.counts;
    console.log(
      `acks=1, kill-lone-leader: ${c.acknowledged} acknowledged, ${c.lost} lost (${run.kafka?.samples.unseen.slice(0, 3).join("; ")})`,
    );
    // Only some writes are lost: those the lone leader acknowledged; the rest are read back.
    expect(run.ledger.counts.lost).toBeGreaterThan(0);
    expect(run.ledger.counts.lost).toBeLessThan(run.ledger.counts.acknowledged / 2);
    expect(run.ledger.valid).toBe(false);
    const k = run.kafka;
    expect(k?.counts.unseen).toBe(run.ledger.counts.lost);
    expect(k?.samples.unseen[0]).toMatch(/acked at p0@\d+$/);
    // Writes that came after the loss took the lost ones' offsets: the log was truncated under them.
    expect((k?.counts.lostWrites ?? 0) + (k?.counts.inconsistentOffsets ?? 0)).toBeGreaterThan(0);
  });

  it("the same fault with acks=all loses nothing: the lone leader acknowledges nothing", async () => {
    const run = await runDrill(
      harnessFor(target, "kafka"),
      new EmbeddedFaults(),
      scenarioNamed("kill-lone-leader"),
      options,
    );
    expectSafeDrill(run);
    expect(run.kafka?.valid).toBe(true);
  });

  it("reports loss when a non-durable classic queue's node is killed", async () => {
    const run = await runDrill(
      harnessFor(target, "rabbitmq", { unsafe: "classic-transient" }),
      new EmbeddedFaults(),
      scenarioNamed("kill-leader"),
      // Unthrottled, so the backlog the kill destroys is there by construction, not by luck.
      { ...options, workload: { ...options.workload, ratePerSec: undefined }, drainQuietMs: 10_000 },
    );
    const c = run.ledger.counts;
    console.log(`classic-transient, kill-leader: ${c.acknowledged} acknowledged, ${c.lost} lost, ${c.failed} failed`);
    expect(run.ledger.counts.lost).toBeGreaterThan(0);
    expect(run.ledger.valid).toBe(false);
  });
});
