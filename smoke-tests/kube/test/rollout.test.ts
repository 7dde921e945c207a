import { rolloutState } from "../rollout";

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
