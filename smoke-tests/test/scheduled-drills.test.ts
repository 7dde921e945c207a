// The drills staging runs on a schedule, on the embedded default: the active KRaft controller killed, every node of
// a system restarted one at a time under load (Strimzi's rolling-restart invariant), and repeated leader kills.
// Each must end with every acknowledged message consumed and the cluster healthy.
import { harnessFor } from "../drills/harness";
import { type DrillOptions, runDrill } from "../drills/run-drill";
import { scenarioNamed } from "../drills/scenarios";
import { LocalFaults } from "../faults/local";
import { failuresOf, type SystemName } from "../reports/run-report";
import type { Target } from "../target/types";
import { localTarget } from "./local-target";

jest.setTimeout(420_000);

const options: DrillOptions = {
  settings: { steadyMs: 3_000, faultMs: 12_000, afterMs: 2_000, rounds: 2, healthTimeoutMs: 120_000 },
  workload: { messageBytes: 1024, batchSize: 20, inFlightBatches: 2, ratePerSec: 500 },
  publishers: 1,
  drainTimeoutMs: 60_000,
};

let target: Target;
beforeAll(async () => {
  target = await localTarget();
});

async function drill(system: SystemName, scenario: string) {
  const run = await runDrill(harnessFor(target, system), new LocalFaults(), scenarioNamed(scenario), options);
  expect(failuresOf(run)).toEqual([]);
  expect(run.ledger.counts.acknowledged).toBeGreaterThan(1000);
  expect(run.ledger.counts.lost).toBe(0);
  expect(run.ledger.counts.unexpected).toBe(0);
  return run;
}

it("kafka: the active controller is killed, a new one takes over, nothing acknowledged is lost", async () => {
  const run = await drill("kafka", "kill-controller");
  expect(run.timeline.events.find((e) => e.kind === "fault")?.label).toMatch(/^kill kafka-\d \(active controller\)/);
});

describe.each<SystemName>(["kafka", "rabbitmq"])("%s", (system) => {
  it("a rolling restart under load restarts every node, one at a time, and loses nothing", async () => {
    const run = await drill(system, "rolling-restart");
    const restarted = run.timeline.events.filter((e) => e.kind === "fault").map((e) => e.label);
    expect(restarted).toHaveLength(3);
  });

  it("two rounds of leader kills lose nothing", async () => {
    const run = await drill(system, "repeated-kills");
    expect(run.timeline.events.filter((e) => e.kind === "fault")).toHaveLength(2);
    expect(run.recovery).toHaveLength(2);
  });
});
