// The drills' window onto Pulumi: for a target selected as a stack, the StackChanger (smoke-tests/faults/types.ts)
// that changes its broker settings by `pulumi up`; for any other target, none.

import type { StackChanger } from "../../smoke-tests/faults/types";
import { parseTargetSelector } from "../../smoke-tests/target-select/load";
import { repoRoot } from "../../toolchain/src/paths";
import { StackUpdate } from "./stack-update";

export function stackChangerFor(selector: string): StackChanger | undefined {
  const source = parseTargetSelector(selector);
  return source.kind === "stack" ? new StackUpdate({ stack: source.stack, repoRoot }) : undefined;
}
