import { judgeRoll } from "../../drills/scenarios";
import { foldRoll } from "../roll-observation";
import type { PodSample } from "../types";

const pod = (name: string, uid: string, ready = true): PodSample => ({ name, uid, ready });
const before = [pod("kafka-broker-0", "a0"), pod("kafka-broker-1", "a1"), pod("kafka-broker-2", "a2")];

describe("foldRoll: what a StatefulSet roll did", () => {
  it("one pod at a time, highest ordinal first, every pod replaced", () => {
    const samples = [
      before,
      [pod("kafka-broker-0", "a0"), pod("kafka-broker-1", "a1"), pod("kafka-broker-2", "a2", false)],
      [pod("kafka-broker-0", "a0"), pod("kafka-broker-1", "a1")],
      [pod("kafka-broker-0", "a0"), pod("kafka-broker-1", "a1"), pod("kafka-broker-2", "b2")],
      [pod("kafka-broker-0", "a0"), pod("kafka-broker-1", "b1", false), pod("kafka-broker-2", "b2")],
      [pod("kafka-broker-0", "b0", false), pod("kafka-broker-1", "b1"), pod("kafka-broker-2", "b2")],
      [pod("kafka-broker-0", "b0"), pod("kafka-broker-1", "b1"), pod("kafka-broker-2", "b2")],
    ];
    expect(foldRoll(before, samples)).toEqual({
      pods: ["kafka-broker-0", "kafka-broker-1", "kafka-broker-2"],
      replaced: ["kafka-broker-0", "kafka-broker-1", "kafka-broker-2"],
      order: ["kafka-broker-2", "kafka-broker-1", "kafka-broker-0"],
      mostDownAtOnce: 1,
      samples: 7,
    });
  });

  it("counts two pods of one StatefulSet down in the same sample (the most of any sample), and a pod never replaced", () => {
    const samples = [
      [pod("kafka-broker-0", "a0"), pod("kafka-broker-1", "a1", false)],
      [pod("kafka-broker-0", "a0"), pod("kafka-broker-1", "b1")],
      [pod("kafka-broker-0", "a0"), pod("kafka-broker-1", "b1"), pod("kafka-broker-2", "b2")],
    ];
    const r = foldRoll(before, samples);
    expect(r.mostDownAtOnce).toBe(2);
    expect(r.replaced).toEqual(["kafka-broker-1", "kafka-broker-2"]);
  });

  it("pods of different StatefulSets down together are one each (controllers and brokers roll side by side)", () => {
    const two = [pod("k-controller-0", "c0"), pod("k-broker-0", "b0")];
    const r = foldRoll(two, [
      [pod("k-controller-0", "c0", false)],
      [pod("k-controller-0", "c1"), pod("k-broker-0", "b1")],
    ]);
    expect(r.mostDownAtOnce).toBe(1);
  });
});

describe("judgeRoll", () => {
  const roll = foldRoll(before, [
    [pod("kafka-broker-0", "a0"), pod("kafka-broker-1", "a1")],
    [pod("kafka-broker-0", "b0"), pod("kafka-broker-1", "b1"), pod("kafka-broker-2", "b2")],
  ]);
  const kept = { lowest: { least: 2, needed: 2, detail: "smoke-0 ISR [1,2] of [0,1,2]" }, seen: 40, failed: 1 };

  it("passes a full one-at-a-time roll that kept min ISR, naming the order and the lowest redundancy", () => {
    const j = judgeRoll(roll, kept);
    expect(j.ok).toBe(true);
    expect(j.detail).toContain("kafka-broker-2");
    expect(j.detail).toContain("smoke-0 ISR [1,2]");
    expect(j.detail).toContain("1 unanswered");
  });

  it("fails when redundancy fell below what a write needs", () => {
    const j = judgeRoll(roll, { ...kept, lowest: { least: 1, needed: 2, detail: "smoke-1 ISR [0] of [0,1,2]" } });
    expect(j).toEqual({ ok: false, detail: expect.stringContaining("redundancy fell to 1 < 2") });
  });

  it("fails when nothing rolled (a change that did not reach the pod template)", () => {
    const j = judgeRoll(foldRoll(before, [before]), kept);
    expect(j).toEqual({ ok: false, detail: expect.stringContaining("replaced 0 of 3 pods") });
  });

  it("fails without a single redundancy sample", () => {
    expect(judgeRoll(roll, { seen: 0, failed: 30 }).detail).toContain("no redundancy sample");
  });
});
