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
import { embeddedTarget, liveDrillOptions } from "./embedded-target";

jest.setTimeout(300_000);

const options = liveDrillOptions;

let target: Target;
beforeAll(async () => {
  target = await embeddedTarget();
});

describe.each<SystemName>(["kafka", "rabbitmq"])("%s", (system) => {
  it("keeps every acknowledged message when the leader is killed", async () => {
    const run = await runDrill(harnessFor(target, system), new EmbeddedFaults(), scenarioNamed("kill-leader"), options);
    expect(failuresOf(run)).toEqual([]);
    expect(run.ledger.counts.acknowledged).toBeGreaterThan(1000);
    expect(run.ledger.counts.lost).toBe(0);
    expect(run.ledger.counts.unexpected).toBe(0);
    expect(run.recovery[0]?.writes.status).toMatch(/recovered|not-disrupted/);
  });

  it("keeps every acknowledged message when the leader is partitioned away and healed", async () => {
    const run = await runDrill(
      harnessFor(target, system),
      new EmbeddedFaults(),
      scenarioNamed("isolate-node"),
      options,
    );
    expect(failuresOf(run)).toEqual([]);
    expect(run.ledger.counts.lost).toBe(0);
    expect(run.ledger.counts.unexpected).toBe(0);
    expect(run.timeline.events.map((e) => e.kind)).toEqual(expect.arrayContaining(["fault", "heal"]));
  });
});

describe("the checker is not vacuous", () => {
  it("reports loss when a non-durable classic queue's node is killed", async () => {
    const run = await runDrill(
      harnessFor(target, "rabbitmq", { unsafe: "classic-transient" }),
      new EmbeddedFaults(),
      scenarioNamed("kill-leader"),
      { ...options, drainTimeoutMs: 10_000 },
    );
    expect(run.ledger.counts.lost).toBeGreaterThan(0);
    expect(run.ledger.valid).toBe(false);
  });
});
