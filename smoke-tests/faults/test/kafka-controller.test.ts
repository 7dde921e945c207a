import { leaderFromQuorumStatus } from "../kafka-controller";

describe("the active KRaft controller, read from the quorum", () => {
  const status = [
    "ClusterId:              UVClQ8eUhX4HiwBnG23QKw",
    "LeaderId:               102",
    "LeaderEpoch:            3",
    'CurrentVoters:          [{"id": 100, "endpoints": ["CONTROLLER://kafka-broker-0.kafka-broker-headless.kafka.svc.cluster.local:9093"]}, {"id": 102, "endpoints": ["CONTROLLER://kafka-broker-2.kafka-broker-headless.kafka.svc.cluster.local:9093"]}]',
    "CurrentObservers:       []",
  ].join("\n");

  it("is the voter whose id is LeaderId, named by its endpoint's pod name", () => {
    expect(leaderFromQuorumStatus(status)).toBe("kafka-broker-2");
  });

  it("nothing when the tool failed or there is no leader yet", () => {
    expect(leaderFromQuorumStatus("org.apache.kafka.common.errors.TimeoutException")).toBeUndefined();
    expect(
      leaderFromQuorumStatus(status.replace("LeaderId:               102", "LeaderId:               -1")),
    ).toBeUndefined();
  });
});
