// The deploy's last screen: one line per step, then what failed and where the reports are. Pure, so the wording a
// person reads after a failed deploy is tested directly. The report paths come last, where a CI log is cut.
import type { GateReport } from "../../smoke-tests/gate/gate";
import { failedChecks, type WrittenGateReport } from "../../smoke-tests/gate/report";
import { placementLines, type SystemPlacement } from "./placement";

/** "healthy": the brokers' own health (embedded, or reachable brokers); "rolled out": the StatefulSet await (in-cluster). */
export type StepName = "config" | "preview" | "up" | "healthy" | "rolled out" | "gate";

export interface StepResult {
  step: StepName;
  ok: boolean;
  detail: string;
  durationMs: number;
}

export interface DeployResult {
  stack: string;
  steps: StepResult[];
  gate?: { report: GateReport; written: WrittenGateReport };
  /** Where each broker pod runs (Kubernetes stacks, once rolled out). */
  placement?: SystemPlacement[];
}

/** Resource operations from Pulumi's change summary, in the CLI's own words ("3 created, 1 updated"). */
export function describeChanges(summary: Record<string, number> | undefined, tense: "plan" | "done"): string {
  const verbs: Array<[string, string, string]> = [
    ["create", "to create", "created"],
    ["update", "to update", "updated"],
    ["replace", "to replace", "replaced"],
    ["delete", "to delete", "deleted"],
    ["same", "unchanged", "unchanged"],
  ];
  const parts = verbs
    .filter(([op]) => (summary?.[op] ?? 0) > 0)
    .map(([op, plan, done]) => `${summary?.[op]} ${tense === "plan" ? plan : done}`);
  return parts.length > 0 ? parts.join(", ") : "no changes";
}

export function deployPassed(r: DeployResult): boolean {
  return r.steps.length === 5 && r.steps.every((s) => s.ok);
}

/** `npm run deploy`'s exit code: 0 when every step passed, 1 when the gate failed, 2 when the deploy did not get that far. */
export function deployExitCode(r: DeployResult): 0 | 1 | 2 {
  if (deployPassed(r)) return 0;
  return r.steps.some((s) => s.step === "gate" && !s.ok) ? 1 : 2;
}

/** What a failed step means for the stack, said after the steps. */
const afterFailure: Record<Exclude<StepName, "gate">, string> = {
  config: "nothing was changed",
  preview: "nothing was changed",
  up: "the deploy itself failed; the gate did not run",
  healthy: "pulumi up changed the stack, but the brokers are not healthy; the gate did not run",
  "rolled out": "pulumi up changed the stack, but the brokers did not roll out; the gate did not run",
};

export function formatSummary(r: DeployResult): string {
  const failed = r.steps.find((s) => !s.ok);
  const total = r.steps.reduce((sum, s) => sum + s.durationMs, 0);
  const verdict = deployPassed(r) ? "PASS" : `FAIL at ${failed?.step ?? "an unfinished step"}`;
  const lines = [`deploy ${r.stack}: ${verdict} in ${(total / 1000).toFixed(1)} s`];
  for (const s of r.steps) {
    lines.push(`  ${s.ok ? "✓" : "✗"} ${s.step.padEnd(8)} ${s.detail} (${(s.durationMs / 1000).toFixed(1)} s)`);
  }
  if (r.placement) lines.push("", ...placementLines(r.placement));
  if (failed?.step === "gate" && r.gate) {
    lines.push("", "failed checks:", ...failedChecks(r.gate.report).map((c) => `  ${c}`));
  } else if (failed && failed.step !== "gate") {
    lines.push("", afterFailure[failed.step]);
  }
  if (r.gate) {
    lines.push("", `gate report: ${r.gate.written.json}`, ...r.gate.written.html.map((h) => `drill report: ${h}`));
  }
  return lines.join("\n");
}
