// Pure: what a whole-cluster restart (the restart-all drill) did, from what the injector saw of the broker pods: when
// the power cut landed, whether it was one, and how long each system took to come back to full service.
import { type SystemName, systemTitle } from "../../contract/systems";
import type { PodBefore, PodSample } from "./types";

/** What the restart did to one pod: its broker SIGKILLed (which processes), its pod deleted, when it was seen replaced. */
export interface PodRestart {
  pod: string;
  /** "pid comm" per process the exec killed; empty when it killed nothing. */
  killedPids: string[];
  /** Why the delete failed; absent when the API server took it. */
  deleteError?: string;
  /** Epoch ms when the pod was first seen gone or running under another uid; absent when never within the watch. */
  replacedAt?: number;
}

/** Pure: a pod is replaced once its name is gone or belongs to a new pod (another uid). */
export function replaced(uidBefore: string, now: { uid: string } | undefined): boolean {
  return now === undefined || now.uid !== uidBefore;
}

/**
 * Pure: whether the restart was the power cut it claims (every broker SIGKILLed, every pod deleted and seen replaced)
 * and when it landed: when the last pod was seen replaced, not when the deletes were asked for. Where a pod was never
 * seen replaced, it landed (at the earliest) when the watch gave up.
 */
export function judgeRestart(
  pods: readonly PodRestart[],
  watchEndedAt: number,
): { tookEffect: boolean; landedAt: number; detail: string } {
  const problems = [
    ...pods.filter((p) => p.killedPids.length === 0).map((p) => `${p.pod}: the exec SIGKILLed nothing`),
    ...pods.filter((p) => p.deleteError !== undefined).map((p) => `${p.pod}: not deleted (${p.deleteError})`),
    ...pods.filter((p) => p.replacedAt === undefined).map((p) => `${p.pod}: never seen replaced`),
  ];
  const seen = pods.map((p) => p.replacedAt).filter((t): t is number => t !== undefined);
  const landedAt = seen.length === pods.length && seen.length > 0 ? Math.max(...seen) : watchEndedAt;
  const names = pods.map((p) => p.pod).join(", ");
  if (pods.length === 0) return { tookEffect: false, landedAt, detail: "no broker pod to restart" };
  if (problems.length > 0)
    return { tookEffect: false, landedAt, detail: `restart of ${names}: ${problems.join("; ")}` };
  return {
    tookEffect: true,
    landedAt,
    detail: `SIGKILLed the broker of each of ${pods.length} pods (${names}), deleted them all with grace 0; the last seen replaced ${landedAt - Math.min(...seen)} ms after the first`,
  };
}

/** Pure: the pods of `before` not yet back (running under a new uid and Ready), each with why; empty when all are. */
export function notBack(before: readonly PodBefore[], now: readonly PodSample[]): string[] {
  const byName = new Map(now.map((p) => [p.name, p]));
  return before.flatMap((p) => {
    const s = byName.get(p.name);
    if (!s) return [`${p.name} (no pod)`];
    if (s.uid === p.uid) return [`${p.name} (not replaced yet)`];
    return s.ready ? [] : [`${p.name} (not Ready)`];
  });
}

/** How a system's full service is judged: its pods Ready, and its health probe where the drill has a client of it. */
export type FullServiceJudge = "pods and health" | "pods only";

/** One system's time to full service after a restart-all, for the report. */
export interface FullServiceRecord {
  system: SystemName;
  /** Its broker pods (all of its StatefulSets'). */
  pods: number;
  judgedBy: FullServiceJudge;
  /** From the landing until full service was first seen; absent when it was not seen within the wait. */
  ms?: number;
  /** The longest the drill waited (ms from the landing). */
  waitedMs: number;
  /** What was still missing when the wait ended without full service. */
  missing?: string;
}

/** Pure: one system's line: "Kafka back to full service 84.2 s after the landing (6 pods Ready, health probe healthy)". */
export function fullServiceText(r: FullServiceRecord): string {
  const how =
    r.judgedBy === "pods and health"
      ? `${r.pods} pods Ready, health probe healthy`
      : `${r.pods} pods Ready; judged by pod readiness only: this drill has no ${systemTitle[r.system]} client`;
  if (r.ms === undefined)
    return `${systemTitle[r.system]} not back to full service ${(r.waitedMs / 1000).toFixed(0)} s after the landing (${r.missing ?? "unknown"}; full service: ${how})`;
  return `${systemTitle[r.system]} back to full service ${(r.ms / 1000).toFixed(1)} s after the landing (${how})`;
}
