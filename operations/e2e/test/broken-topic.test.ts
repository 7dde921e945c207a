import { parse } from "yaml";
import { brokenTopicConfig } from "../broken-topic";

const file = [
  "config:",
  "  messaging-platform:environment: staging",
  "  messaging-platform:kafka:",
  "    topics:",
  "      - {name: smoke, partitions: 3}",
  "      - {name: orders, partitions: 6}",
  "encryptionsalt: v1:salt",
  "",
].join("\n");

describe("brokenTopicConfig", () => {
  it("declares the first topic with min.insync.replicas 1 and leaves the rest as it was", () => {
    const out = parse(brokenTopicConfig(file));
    expect(out.config["messaging-platform:kafka"].topics).toEqual([
      { name: "smoke", partitions: 3, minInsyncReplicas: 1 },
      { name: "orders", partitions: 6 },
    ]);
    expect(out.config["messaging-platform:environment"]).toBe("staging");
    expect(out.encryptionsalt).toBe("v1:salt");
  });

  it("as development, where the config check allows it and only the gate can catch it", () => {
    const out = parse(brokenTopicConfig(file, "development"));
    expect(out.config["messaging-platform:environment"]).toBe("development");
  });

  it("refuses a stack without topics, naming what is missing", () => {
    expect(() => brokenTopicConfig("config:\n  messaging-platform:environment: staging\n")).toThrow(
      "declares no messaging-platform:kafka topics",
    );
  });
});
