// The pure parts of restart-all: when the power cut landed and whether it was one, which pods are not back yet, and
// each system's time-to-full-service line.
import {
  type FullServiceRecord,
  fullServiceText,
  judgeRestart,
  notBack,
  type PodRestart,
  replaced,
} from "../restart-all";
import type { PodBefore } from "../types";

const cut = (pod: string, replacedAt?: number): PodRestart => ({
  pod,
  killedPids: ["412 java"],
  ...(replacedAt === undefined ? {} : { replacedAt }),
});

describe("a whole-cluster restart's landing", () => {
  it("is when the last pod was seen replaced, not when the first was or when the deletes were asked", () => {
    const judged = judgeRestart(
      [cut("kafka-controller-0", 1_200), cut("kafka-broker-0", 3_400), cut("rabbitmq-0", 900)],
      9_000,
    );
    expect(judged.tookEffect).toBe(true);
    expect(judged.landedAt).toBe(3_400);
    expect(judged.detail).toBe(
      "SIGKILLed the broker of each of 3 pods (kafka-controller-0, kafka-broker-0, rabbitmq-0), deleted them all with grace 0; the last seen replaced 2500 ms after the first",
    );
  });

  it("did not take effect when a pod was never seen replaced: landed no earlier than the watch's end", () => {
    const judged = judgeRestart([cut("kafka-broker-0", 1_000), cut("rabbitmq-1")], 61_000);
    expect(judged).toMatchObject({ tookEffect: false, landedAt: 61_000 });
    expect(judged.detail).toBe("restart of kafka-broker-0, rabbitmq-1: rabbitmq-1: never seen replaced");
  });

  it("is no power cut when a broker was not SIGKILLed first or a pod was not deleted", () => {
    const gentle = judgeRestart([{ ...cut("kafka-broker-0", 1_000), killedPids: [] }], 2_000);
    expect(gentle.tookEffect).toBe(false);
    expect(gentle.detail).toContain("kafka-broker-0: the exec SIGKILLed nothing");
    const kept = judgeRestart([{ ...cut("rabbitmq-0", 1_000), deleteError: "HTTP 403 forbidden" }], 2_000);
    expect(kept.tookEffect).toBe(false);
    expect(kept.detail).toContain("rabbitmq-0: not deleted (HTTP 403 forbidden)");
    expect(judgeRestart([], 2_000)).toEqual({ tookEffect: false, landedAt: 2_000, detail: "no broker pod to restart" });
  });

  it("counts a pod replaced once its name is gone or runs under another uid", () => {
    expect(replaced("uid-1", undefined)).toBe(true);
    expect(replaced("uid-1", { uid: "uid-2" })).toBe(true);
    expect(replaced("uid-1", { uid: "uid-1" })).toBe(false);
  });
});

describe("which pods are not back", () => {
  const before: PodBefore[] = [
    { system: "kafka", namespace: "kafka", name: "kafka-broker-0", uid: "a" },
    { system: "kafka", namespace: "kafka", name: "kafka-broker-1", uid: "b" },
    { system: "kafka", namespace: "kafka", name: "kafka-broker-2", uid: "c" },
  ];
  it("names each pod missing, not replaced yet, or not Ready; none once all run anew and Ready", () => {
    expect(
      notBack(before, [
        { name: "kafka-broker-0", uid: "a", ready: true },
        { name: "kafka-broker-1", uid: "b2", ready: false },
      ]),
    ).toEqual(["kafka-broker-0 (not replaced yet)", "kafka-broker-1 (not Ready)", "kafka-broker-2 (no pod)"]);
    expect(
      notBack(before, [
        { name: "kafka-broker-0", uid: "a2", ready: true },
        { name: "kafka-broker-1", uid: "b2", ready: true },
        { name: "kafka-broker-2", uid: "c2", ready: true },
      ]),
    ).toEqual([]);
  });
});

describe("a system's time to full service", () => {
  const kafka: FullServiceRecord = {
    system: "kafka",
    pods: 6,
    judgedBy: "pods and health",
    ms: 84_230,
    waitedMs: 240_000,
  };
  it("says how long from the landing and what full service was judged by", () => {
    expect(fullServiceText(kafka)).toBe(
      "Kafka back to full service 84.2 s after the landing (6 pods Ready, health probe healthy)",
    );
    expect(fullServiceText({ ...kafka, system: "rabbitmq", pods: 3, judgedBy: "pods only", ms: 41_000 })).toBe(
      "RabbitMQ back to full service 41.0 s after the landing (3 pods Ready; judged by pod readiness only: this drill has no RabbitMQ client)",
    );
  });

  it("says what was still missing when it never came back within the wait", () => {
    const { ms: _, ...late } = kafka;
    expect(fullServiceText({ ...late, missing: "waiting for kafka-broker-1 (not Ready)" })).toBe(
      "Kafka not back to full service 240 s after the landing (waiting for kafka-broker-1 (not Ready); full service: 6 pods Ready, health probe healthy)",
    );
  });
});
