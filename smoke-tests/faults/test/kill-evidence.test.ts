import { describeTermination, judgeKill, killLandedAt, readKillOutput, shortContainerId } from "../kill-evidence";

describe("a kill counts only when the container died by SIGKILL", () => {
  it("exit code 137 (128 + 9) is SIGKILL, with the reason in the detail", () => {
    expect(describeTermination("kafka", { exitCode: 137, reason: "Error" })).toEqual({
      bySigkill: true,
      detail: "container kafka terminated: exit code 137 (SIGKILL), reason Error",
    });
  });

  it("the kill landed at the container's finishedAt, bounded by the exec (finishedAt has one-second resolution)", () => {
    const began = Date.parse("2026-01-01T10:00:05.400Z");
    const ended = Date.parse("2026-01-01T10:00:06.700Z");
    // Died in the exec's second 6: that second, as the API reports it.
    expect(killLandedAt(began, ended, "2026-01-01T10:00:06Z")).toBe(Date.parse("2026-01-01T10:00:06Z"));
    // Truncated to second 5, before the exec began: not earlier than the exec.
    expect(killLandedAt(began, ended, "2026-01-01T10:00:05Z")).toBe(began);
    // A later second than the exec's end cannot be: the exec ended after the broker died.
    expect(killLandedAt(began, ended, new Date("2026-01-01T10:00:09Z"))).toBe(ended);
  });

  it("an earlier death (finishedAt a second or more before the exec) or none known: the exec's end", () => {
    const began = Date.parse("2026-01-01T10:00:05.000Z");
    const ended = began + 900;
    expect(killLandedAt(began, ended, "2026-01-01T10:00:04Z")).toBe(ended);
    expect(killLandedAt(began, ended, "2026-01-01T09:58:00Z")).toBe(ended);
    expect(killLandedAt(began, ended)).toBe(ended);
    expect(killLandedAt(began, ended, "not a date")).toBe(ended);
  });

  it("a clean exit or a SIGTERM shutdown is not a hard kill", () => {
    expect(describeTermination("kafka", { exitCode: 0, reason: "Completed" }).bySigkill).toBe(false);
    expect(describeTermination("rabbitmq", { exitCode: 143, reason: "Error" }).bySigkill).toBe(false);
  });
});

describe("a kill on Kubernetes is ours only by the killed container's own record", () => {
  const killedId = "containerd://aaaaaaaaaaaa1111";
  const before = { name: "kafka", containerID: killedId };
  const began = Date.parse("2026-01-01T10:00:05.400Z");
  const ended = began + 600;
  const killedPids = ["2243 java"];
  const ours = { containerID: killedId, exitCode: 137, reason: "Error", finishedAt: new Date("2026-01-01T10:00:05Z") };

  it("still running: no record yet, the injector keeps waiting", () => {
    const now = { name: "kafka", containerID: killedId, state: { running: {} } };
    expect(judgeKill({ killedPids, before, now, execStartedAt: began, execEndedAt: ended })).toBeUndefined();
  });

  it("restarted at once: lastState is our container's, and the report names the new one", () => {
    const now = {
      name: "kafka",
      containerID: "containerd://bbbbbbbbbbbb2222",
      state: { running: {} },
      lastState: { terminated: ours },
    };
    const e = judgeKill({ killedPids, before, now, execStartedAt: began, execEndedAt: ended });
    expect(e?.bySigkill).toBe(true);
    expect(e?.detail).toBe(
      "SIGKILL by exec (2243 java); container aaaaaaaaaaaa: terminated: exit code 137 (SIGKILL), reason Error, " +
        "finishedAt 2026-01-01T10:00:05.000Z; restarted as bbbbbbbbbbbb",
    );
  });

  it("held down: the restarted container is named as waiting in the hold-down hook, not as the broker", () => {
    const now = {
      name: "kafka",
      containerID: "containerd://bbbbbbbbbbbb2222",
      state: { running: {} },
      lastState: { terminated: ours },
    };
    const e = judgeKill({ killedPids, before, now, execStartedAt: began, execEndedAt: ended, heldDown: true });
    expect(e?.bySigkill).toBe(true);
    expect(e?.detail).toMatch(/; restarted as bbbbbbbbbbbb, held down by the hold-down hook$/);
  });

  it("held by the kubelet's back-off (the case a restart-count check failed): still our kill", () => {
    const now = {
      name: "kafka",
      containerID: killedId,
      state: { waiting: { reason: "CrashLoopBackOff" } },
      lastState: { terminated: ours },
    };
    const e = judgeKill({ killedPids, before, now, execStartedAt: began, execEndedAt: ended });
    expect(e?.bySigkill).toBe(true);
    expect(e?.detail).toMatch(/not restarted yet \(CrashLoopBackOff: the kubelet's restart back-off\)$/);
    // Not yet moved to lastState: the record in state.terminated is read as well.
    const exited = { name: "kafka", containerID: killedId, state: { terminated: ours } };
    expect(judgeKill({ killedPids, before, now: exited, execStartedAt: began, execEndedAt: ended })?.bySigkill).toBe(
      true,
    );
  });

  it("another container's 137 (an earlier crash or an OOM kill) is not evidence", () => {
    const now = {
      name: "kafka",
      containerID: killedId,
      state: { running: {} },
      lastState: { terminated: { ...ours, containerID: "containerd://cccccccccccc3333", reason: "OOMKilled" } },
    };
    expect(judgeKill({ killedPids, before, now, execStartedAt: began, execEndedAt: ended })).toBeUndefined();
  });

  it("a death before the exec began, or an exec that killed nothing, fails the kill", () => {
    const early = { ...ours, finishedAt: new Date("2026-01-01T10:00:03Z") };
    const now = { name: "kafka", containerID: killedId, state: { waiting: {} }, lastState: { terminated: early } };
    const e = judgeKill({ killedPids, before, now, execStartedAt: began, execEndedAt: ended });
    expect(e?.bySigkill).toBe(false);
    expect(e?.detail).toMatch(/before the exec began: not our kill/);
    const none = { name: "kafka", containerID: killedId, state: { waiting: {} }, lastState: { terminated: ours } };
    const n = judgeKill({ killedPids: [], before, now: none, execStartedAt: began, execEndedAt: ended });
    expect(n?.bySigkill).toBe(false);
    expect(n?.detail).toMatch(/^SIGKILL by exec \(nothing: not our kill\)/);
  });

  it("IDs are shown without the runtime prefix, as crictl shows them", () => {
    expect(shortContainerId("containerd://0123456789abcdef")).toBe("0123456789ab");
    expect(shortContainerId(undefined)).toBe("(no id)");
  });
});

describe("what kill-everything.sh printed", () => {
  it("the processes it killed, and whether it held the node down first", () => {
    expect(readKillOutput("held: /run/hold-down/held\n2243 java\n2301 sh\n")).toEqual({
      killedPids: ["2243 java", "2301 sh"],
      held: true,
    });
    expect(readKillOutput("2243 java\n")).toEqual({ killedPids: ["2243 java"], held: false });
  });

  it("a refusal to hold down (no hook) is neither a hold nor a kill", () => {
    const out = "sh: 1: cannot create /run/hold-down/held: Directory nonexistent\ncannot create /run/hold-down/held: …";
    expect(readKillOutput(out)).toEqual({ killedPids: [], held: false });
  });
});
