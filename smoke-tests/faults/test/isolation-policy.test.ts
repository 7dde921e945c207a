import { isolationPolicy } from "../isolation-policy";

describe("Kubernetes isolation policy", () => {
  const np = isolationPolicy("kafka", "kafka-broker-1");

  it("selects exactly the one pod by its StatefulSet pod name", () => {
    expect(np.spec?.podSelector).toEqual({ matchLabels: { "statefulset.kubernetes.io/pod-name": "kafka-broker-1" } });
    expect(np.metadata).toMatchObject({ name: "isolate-kafka-broker-1", namespace: "kafka" });
  });

  it("denies all ingress and all egress (a real partition, both directions)", () => {
    expect(np.spec?.policyTypes).toEqual(expect.arrayContaining(["Ingress", "Egress"]));
    expect(np.spec?.ingress).toEqual([]);
    expect(np.spec?.egress).toEqual([]);
  });

  it("is labelled so healAll can find every isolation it created", () => {
    expect(np.metadata?.labels).toEqual({ "messaging-platform.io/fault": "isolate" });
  });
});
