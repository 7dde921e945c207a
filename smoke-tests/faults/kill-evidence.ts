// Pure: whether a kill on Kubernetes was a SIGKILL, and when it landed, from the container's last termination.
import type * as k8s from "@kubernetes/client-node";
import type { KillEvidence } from "./types";

/** What the container's last termination says about how it died: exit code 137 is 128 + 9, SIGKILL. */
export function describeTermination(
  container: string,
  t: Pick<k8s.V1ContainerStateTerminated, "exitCode" | "signal" | "reason">,
): Omit<KillEvidence, "landedAt"> {
  const bySigkill = t.exitCode === 137 || t.signal === 9;
  const how = `exit code ${t.exitCode}${bySigkill ? " (SIGKILL)" : ""}${t.reason ? `, reason ${t.reason}` : ""}`;
  return { bySigkill, detail: `container ${container} terminated: ${how}` };
}

/**
 * When the kill took effect, epoch ms. The container's `finishedAt` says when its main process died, but only to the
 * second (RFC 3339 without fractions), so it is bounded by the exec: not before the exec began, not after it ended
 * (the broker was dead by then). A `finishedAt` before the exec began is an earlier death, not ours: then the exec's
 * end is all we know.
 */
export function killLandedAt(execStartedAt: number, execEndedAt: number, finishedAt?: Date | string): number {
  const finished = finishedAt === undefined ? Number.NaN : new Date(finishedAt).getTime();
  // One second of slack: finishedAt is truncated to its second, so our kill may show up to 999 ms early.
  if (Number.isNaN(finished) || finished + 1000 <= execStartedAt) return execEndedAt;
  return Math.min(execEndedAt, Math.max(execStartedAt, finished));
}
