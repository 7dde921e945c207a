import { describeTermination, killLandedAt } from "../kill-evidence";

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
