import { type PodView, rolloutState, unschedulable, unschedulableGraceMs } from "../rollout";

describe("the StatefulSet await: done only when the latest spec runs on every replica, Ready", () => {
  const rolledOut = {
    name: "kafka/kafka-broker",
    generation: 2,
    replicas: 3,
    status: { observedGeneration: 2, readyReplicas: 3, updatedReplicas: 3, currentRevision: "b", updateRevision: "b" },
  };

  it("rolled out", () => {
    expect(rolloutState(rolledOut)).toEqual({ done: true, detail: "kafka/kafka-broker: 3/3 ready at generation 2" });
  });

  it("a new spec the controller has not observed yet is not done, though every replica is Ready (the old one)", () => {
    const s = rolloutState({ ...rolledOut, generation: 3 });
    expect(s).toEqual({ done: false, detail: "kafka/kafka-broker: generation 3 not yet observed (2)" });
  });

  it("mid-roll: revisions differ", () => {
    const s = rolloutState({ ...rolledOut, status: { ...rolledOut.status, currentRevision: "a", updatedReplicas: 1 } });
    expect(s).toEqual({ done: false, detail: "kafka/kafka-broker: rolling, 1/3 updated" });
  });

  it("a replica not Ready", () => {
    const s = rolloutState({ ...rolledOut, status: { ...rolledOut.status, readyReplicas: 2 } });
    expect(s).toEqual({ done: false, detail: "kafka/kafka-broker: 2/3 ready, 3/3 updated" });
  });
});

describe("a broker pod the scheduler cannot place fails the wait at once", () => {
  /** A Pending pod as the API returns it after the scheduler gave up on it. */
  const pending: PodView = {
    metadata: { name: "kafka-broker-3", namespace: "kafka" },
    spec: {},
    status: {
      conditions: [
        {
          type: "PodScheduled",
          status: "False",
          reason: "Unschedulable",
          lastTransitionTime: "2026-12-06T17:00:00Z",
          message:
            "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are " +
            "available: 3 No preemption victims found for incoming pod.",
        },
      ],
    },
  };

  const refusedAt = Date.parse("2026-12-06T17:00:00Z");
  const later = refusedAt + unschedulableGraceMs;

  it("names the pod and gives the scheduler's message", () => {
    expect(unschedulable(pending, later)).toBe(
      "kafka/kafka-broker-3 cannot be scheduled: 0/3 nodes are available: 3 node(s) didn't match pod anti-affinity " +
        "rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
    );
  });

  it("a scheduled pod, or one not yet looked at, is not a failure", () => {
    expect(
      unschedulable({ ...pending, status: { conditions: [{ type: "PodScheduled", status: "True" }] } }, later),
    ).toBe(undefined);
    expect(unschedulable({ ...pending, status: { phase: "Pending" } as PodView["status"] }, later)).toBe(undefined);
  });

  it("another reason (SchedulerError) is not the scheduler's verdict on placement", () => {
    const c = { type: "PodScheduled", status: "False", reason: "SchedulerError", message: "x" };
    expect(unschedulable({ ...pending, status: { conditions: [c] } }, later)).toBe(undefined);
  });

  it("during `pulumi up`: a pod refused since before `up` began is one `up` may replace, not its verdict", () => {
    expect(unschedulable(pending, later, { refusedSince: refusedAt + 1 })).toBe(undefined);
    expect(unschedulable(pending, later, { refusedSince: refusedAt })).toMatch(/cannot be scheduled/);
  });

  it("within the grace (a released local volume is made Available again within seconds) it may still be placed", () => {
    expect(unschedulable(pending, later - 1)).toBe(undefined);
  });

  it("the Date the client library gives for lastTransitionTime counts as the string does", () => {
    const [c] = pending.status?.conditions ?? [];
    const withDate = { ...pending, status: { conditions: [{ ...c, lastTransitionTime: new Date(refusedAt) }] } };
    expect(unschedulable(withDate, later)).toBe(unschedulable(pending, later));
    expect(unschedulable(withDate, later)).toMatch(/^kafka\/kafka-broker-3 cannot be scheduled: 0\/3 nodes/);
  });
});
