// A comparison (`npm run compare`, `npm run compare:clients`): one scenario on a target, the runs side by side in one
// report, with the stack behind the target for the scenarios that change it. The two commands read flags and call this.
import { type DrillRequest, runScenarioWithSummary } from "../../smoke-tests/drills/run-scenario";
import { stackChangerFor } from "../stack-changes/for-target";

/** A drill request as a comparison makes it: titled, and the stack changer comes from the target. */
export type ComparisonRequest = Omit<DrillRequest, "stack" | "nodes" | "printer"> & { title: string };

/** Runs the comparison and returns the command's exit code: 0 when every run passed, else 1. */
export async function runComparison(request: ComparisonRequest): Promise<number> {
  const passed = await runScenarioWithSummary({ ...request, stack: stackChangerFor(request.target) });
  return passed ? 0 : 1;
}
