// The drills staging runs on a schedule, on the embedded default: the active KRaft controller killed, every node of
// a system restarted one at a time under load (Strimzi's rolling-restart invariant), and repeated leader kills.
// Each must end with every acknowledged message consumed and the cluster healthy.

import type { SystemName } from "../../contract/systems";
import type { Target } from "../../contract/target";
import { harnessFor } from "../drills/harness";
import { type DrillOptions, runDrill } from "../drills/run-drill";
import { scenarioNamed } from "../drills/scenarios";
import { EmbeddedFaults } from "../faults/embedded";
import { failuresOf } from "../reports/run-report";
import { embeddedTarget, expectSafeDrill, liveDrillOptions } from "./embedded-target";

jest.setTimeout(420_000);

// Two rounds for repeated-kills, and a lighter load: these drills hold faults longer (a whole rolling restart).
const options: DrillOptions = {
  ...liveDrillOptions,
  settings: { ...liveDrillOptions.settings, rounds: 2 },
  workload: { ...liveDrillOptions.workload, ratePerSec: 500 },
};

let target: Target;
beforeAll(async () => {
  target = await embeddedTarget();
});

async function drill(system: SystemName, scenario: string) {
  const run = await runDrill(harnessFor(target, system), new EmbeddedFaults(), scenarioNamed(scenario), options);
  expectSafeDrill(run);
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
