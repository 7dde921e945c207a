// The gate settings validator shared by stack config and targets: merge over a base, every problem at once.
import { defaultGateSettings, nodeFailureRate, parseGateSettings } from "../gate-settings";

describe("parseGateSettings", () => {
  it("nothing given: the base, unchanged", () => {
    expect(parseGateSettings(undefined, "gate")).toEqual({ settings: defaultGateSettings, problems: [] });
  });

  it("merges a partial config deeply over the base", () => {
    const { settings } = parseGateSettings(
      {
        systems: ["rabbitmq"],
        durability: { ratePerSec: 200 },
        throughput: { floors: { rabbitmq: { publishP99Ms: 250 } } },
      },
      "gate",
    );
    expect(settings?.systems).toEqual(["rabbitmq"]);
    expect(settings?.durability).toEqual({ ...defaultGateSettings.durability, ratePerSec: 200 });
    expect(settings?.throughput.floors.rabbitmq).toEqual({ messagesPerSec: 500, publishP99Ms: 250 });
    expect(settings?.throughput.floors.kafka).toEqual(defaultGateSettings.throughput.floors.kafka);
  });

  it("returns no settings when anything is wrong, and names each field under the given key", () => {
    const r = parseGateSettings({ systems: [], throughput: "fast", durability: { steadyMs: 1.5 } }, "target.gate");
    expect(r.settings).toBeUndefined();
    expect(r.problems.map((p) => p.field)).toEqual([
      "target.gate.systems",
      "target.gate.durability.steadyMs",
      "target.gate.throughput",
    ]);
  });

  it("a system named twice is refused", () => {
    const r = parseGateSettings({ systems: ["kafka", "kafka"] }, "gate");
    expect(r.problems).toEqual([
      { field: "gate.systems", value: ["kafka", "kafka"], rule: "names a system more than once" },
    ]);
  });
});

describe("gate.workers", () => {
  it("is absent (one load, in the gate's process) unless given, and read when it is", () => {
    expect(parseGateSettings(undefined, "gate").settings?.workers).toBeUndefined();
    expect(parseGateSettings({ workers: 4 }, "gate").settings?.workers).toBe(4);
  });

  it.each([0, -1, 65, 2.5, "2", "abc"])("refuses %j, naming the field, the value and the rule", (workers) => {
    expect(parseGateSettings({ workers }, "gate").problems).toEqual([
      { field: "gate.workers", value: workers, rule: "must be an integer from 1 to 64" },
    ]);
  });
});

describe("the node-failure load's rate", () => {
  it("is the requested rate, raised to the system's throughput floor where the stack has one", () => {
    // Default floors: Kafka 1000, RabbitMQ 500 msg/s.
    expect(nodeFailureRate(800, defaultGateSettings, "kafka")).toBe(1000);
    expect(nodeFailureRate(800, defaultGateSettings, "rabbitmq")).toBe(800);
    expect(nodeFailureRate(800, undefined, "kafka")).toBe(800);
  });
});
