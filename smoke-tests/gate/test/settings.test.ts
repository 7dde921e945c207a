// The gate's settings for a run: the stack's, or the defaults, with the client and systems the command names.
import { defaultGateSettings, type GateSettings } from "../../../contract/gate-settings";
import { gateSettingsFor } from "../settings";

const stack: GateSettings = { ...defaultGateSettings, kafkaClient: "librdkafka", nodeFailure: false };

describe("gateSettingsFor", () => {
  it("the stack's settings as they are when nothing is overridden, the defaults without a stack", () => {
    expect(gateSettingsFor(stack, {})).toEqual(stack);
    expect(gateSettingsFor(undefined, {})).toEqual(defaultGateSettings);
  });

  it("the named client and systems replace the stack's, and nothing else changes", () => {
    expect(gateSettingsFor(stack, { kafkaClient: "platformatic", systems: ["rabbitmq"] })).toEqual({
      ...stack,
      kafkaClient: "platformatic",
      systems: ["rabbitmq"],
    });
    expect(gateSettingsFor(undefined, { systems: ["kafka"] })).toEqual({ ...defaultGateSettings, systems: ["kafka"] });
  });

  it("--workers replaces the stack's gate.workers", () => {
    expect(gateSettingsFor({ ...stack, workers: 4 }, { workers: 2 }).workers).toBe(2);
    expect(gateSettingsFor({ ...stack, workers: 4 }, {}).workers).toBe(4);
  });
});
