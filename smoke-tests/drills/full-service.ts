// A system's time from a fault's landing back to full service, as restart-all and node-lost report it: every pod the
// drill took down runs again and is Ready, and, for the drill's own system, its health probe is healthy.

import type { SystemName } from "../../contract/systems";
import type { FullServiceJudge, FullServiceRecord } from "../faults/restart-all";
import type { NemesisContext } from "./nemesis";

export interface FullServiceWait {
  system: SystemName;
  /** How many of the system's pods the fault took down. */
  pods: number;
  /** The pods not back yet, each with why (an empty list: all back and Ready). */
  waiting(): Promise<string[]>;
  landedAt: number;
  /** Epoch ms: the longest the drill waits. */
  deadline: number;
}

/** Until the system is back to full service or the deadline: the record of how long that took, or what was missing. */
export async function waitFullService(ctx: NemesisContext, w: FullServiceWait): Promise<FullServiceRecord> {
  const judgedBy: FullServiceJudge = w.system === ctx.harness.system ? "pods and health" : "pods only";
  let missing = "not looked at";
  let at: number | undefined;
  await ctx.waitUntil(
    async () => {
      const waiting = await w.waiting();
      if (waiting.length > 0) {
        missing = `waiting for ${waiting.join(", ")}`;
        return false;
      }
      if (judgedBy === "pods and health") {
        const h = await ctx.harness.health();
        if (!h.healthy) {
          missing = `pods Ready, health probe: ${h.detail}`;
          return false;
        }
      }
      at = Date.now();
      return true;
    },
    Math.max(0, w.deadline - Date.now()),
  );
  const record = { system: w.system, pods: w.pods, judgedBy, waitedMs: w.deadline - w.landedAt };
  return at === undefined ? { ...record, missing } : { ...record, ms: at - w.landedAt };
}
