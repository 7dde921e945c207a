import { plannedChange, withSettingChanged } from "../stack-update";

describe("the stack config change of rolling-update", () => {
  it("flips to the other value than the one in effect: the stack's override, else the chart values, else the default", () => {
    expect(plannedChange("kafka", {}, {})).toMatchObject({
      key: "num.io.threads",
      from: 8,
      to: 9,
      dropOverride: false,
    });
    expect(plannedChange("kafka", { config: { "num.io.threads": 9 } }, {})).toMatchObject({ from: 9, to: 8 });
    expect(plannedChange("rabbitmq", {}, { config: { collect_statistics_interval: 10000 } })).toMatchObject({
      from: 10000,
      to: 5000,
    });
  });

  it("removes the stack's override instead of repeating the values file's value", () => {
    const c = plannedChange("kafka", { config: { "num.io.threads": 9 } }, { config: { "num.io.threads": 8 } });
    expect(c).toMatchObject({ from: 9, to: 8, dropOverride: true });
  });

  const file = [
    "# the cluster stack",
    "config:",
    "  messaging-platform:environment: staging",
    "  messaging-platform:kafka:",
    "    valuesFile: charts/kafka/examples/cluster.yaml # sized for two cores",
    "  messaging-platform:secret:",
    "    secure: v1:abc",
    "encryptionsalt: v1:salt",
    "",
  ].join("\n");

  it("writes the setting into a copy of the stack file, keeping comments, secrets and the salt", () => {
    const out = withSettingChanged(file, plannedChange("kafka", {}, {}));
    expect(out).toContain("# the cluster stack");
    expect(out).toContain("# sized for two cores");
    expect(out).toContain("secure: v1:abc");
    expect(out).toContain("encryptionsalt: v1:salt");
    expect(out).toMatch(/config:\n\s+num\.io\.threads: 9/);
  });

  it("creates the system's object when the stack has none, and drops an override", () => {
    expect(withSettingChanged(file, plannedChange("rabbitmq", {}, {}))).toMatch(
      /messaging-platform:rabbitmq:\n\s+config:\n\s+collect_statistics_interval: 10000/,
    );
    const withOverride = withSettingChanged(file, plannedChange("kafka", {}, {}));
    const dropped = withSettingChanged(withOverride, {
      system: "kafka",
      key: "num.io.threads",
      from: 9,
      to: 8,
      dropOverride: true,
    });
    expect(dropped).not.toContain("num.io.threads");
  });
});
