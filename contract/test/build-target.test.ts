// The one Target builder: what goes in comes out in the contract's shape, and a target taken apart and built again
// is the same target (a stack on the embedded environment builds on the environment's own).
import { buildTarget, partsOf } from "../build-target";
import { defaultGateSettings } from "../gate-settings";
import type { Target } from "../target";
import { validateTarget } from "../validate-target";
import { sampleTarget } from "./sample-target";

const target = (): Target => buildTarget(partsOf(sampleTarget()));

describe("buildTarget", () => {
  it("builds a target the contract's validator accepts, SCRAM-SHA-512 for Kafka, no gate unless given", () => {
    const t = target();
    expect(validateTarget(JSON.parse(JSON.stringify(t)))).toEqual({ ok: true, target: t });
    expect(t).toEqual(sampleTarget());
    expect(t.kafka.sasl).toEqual({ mechanism: "scram-sha-512", username: "smoke", password: "s3cret" });
    expect("gate" in t).toBe(false);
    expect(buildTarget({ ...partsOf(t), gate: defaultGateSettings }).gate).toEqual(defaultGateSettings);
  });

  it("takes a target apart and builds the same target again, copying the declared topics and queues", () => {
    const t = target();
    const again = buildTarget(partsOf(t));
    expect(again).toEqual(t);
    expect(again.kafka.topics[0]).not.toBe(t.kafka.topics[0]);
    expect(again.rabbitmq.queues[0]).not.toBe(t.rabbitmq.queues[0]);
  });
});
