// Pure: whether a kill on Kubernetes was a SIGKILL, and when it landed, from the container's last termination.
import type * as k8s from "@kubernetes/client-node";
import type { KillEvidence } from "./types";

type Termination = Pick<k8s.V1ContainerStateTerminated, "exitCode" | "signal" | "reason">;

/** Exit code 137 is 128 + 9: SIGKILL. */
function diedBySigkill(t: Termination): boolean {
  return t.exitCode === 137 || t.signal === 9;
}

/** "terminated: exit code 137 (SIGKILL), reason Error": how the container died. */
function terminationText(t: Termination): string {
  return `terminated: exit code ${t.exitCode}${diedBySigkill(t) ? " (SIGKILL)" : ""}${t.reason ? `, reason ${t.reason}` : ""}`;
}

/** What the container's last termination says about how it died. */
export function describeTermination(container: string, t: Termination): Omit<KillEvidence, "landedAt"> {
  return { bySigkill: diedBySigkill(t), detail: `container ${container} ${terminationText(t)}` };
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

type Status = Pick<k8s.V1ContainerStatus, "name" | "containerID" | "state" | "lastState">;

/** A container ID without its runtime prefix, cut to the 12 characters `crictl ps` shows. */
export function shortContainerId(id: string | undefined): string {
  return (id ?? "").replace(/^[a-z]+:\/\//, "").slice(0, 12) || "(no id)";
}

/**
 * The termination the kubelet recorded for the container we exec'd into, found by its ID: `state.terminated` while
 * it is not yet restarted, `lastState.terminated` once the kubelet waits out its back-off or has restarted it.
 * Another container's termination (an earlier crash, an OOM kill) never matches.
 */
export function terminationOf(containerId: string, now: Pick<Status, "state" | "lastState"> | undefined) {
  for (const t of [now?.state?.terminated, now?.lastState?.terminated]) {
    if (t?.containerID && t.containerID === containerId) return t;
  }
  return undefined;
}

/** What kill-everything.sh printed: the processes it killed ("pid comm" lines), and whether it held the node down. */
export function readKillOutput(out: string): { killedPids: string[]; held: boolean } {
  const lines = out.trim().split("\n");
  return { killedPids: lines.filter((l) => /^\d+ /.test(l)), held: lines.some((l) => l.startsWith("held: ")) };
}

/**
 * Pure: the kill's evidence once the killed container has a termination record. It was our kill only when the exec
 * killed processes, the record is that of the container it ran in, the container died by SIGKILL and not before the
 * exec began (finishedAt has one-second resolution); the report names both container IDs and what the kubelet did next.
 */
export function judgeKill(input: {
  killedPids: string[];
  before: Pick<Status, "containerID">;
  now: Status;
  execStartedAt: number;
  execEndedAt: number;
  /** The kill held the node down: a restarted container is waiting in the charts' hold-down hook, not the broker. */
  heldDown?: boolean;
}): KillEvidence | undefined {
  const { before, now, killedPids, execStartedAt, execEndedAt, heldDown } = input;
  if (!before.containerID) return undefined;
  const t = terminationOf(before.containerID, now);
  if (!t) return undefined;
  const finished = t.finishedAt === undefined ? Number.NaN : new Date(t.finishedAt).getTime();
  const afterExec = !Number.isNaN(finished) && finished + 1000 > execStartedAt;
  const next = now.state?.running
    ? `restarted as ${shortContainerId(now.containerID)}${heldDown ? ", held down by the hold-down hook" : ""}`
    : `not restarted yet${now.state?.waiting?.reason ? ` (${now.state.waiting.reason}: the kubelet's restart back-off)` : ""}`;
  const when = Number.isNaN(finished)
    ? "no finishedAt"
    : `finishedAt ${new Date(finished).toISOString()}${afterExec ? "" : ", before the exec began: not our kill"}`;
  const killed = killedPids.length > 0 ? killedPids.join(", ") : "nothing: not our kill";
  return {
    bySigkill: diedBySigkill(t) && afterExec && killedPids.length > 0,
    detail: `SIGKILL by exec (${killed}); container ${shortContainerId(before.containerID)}: ${terminationText(t)}, ${when}; ${next}`,
    landedAt: killLandedAt(execStartedAt, execEndedAt, t.finishedAt),
  };
}
