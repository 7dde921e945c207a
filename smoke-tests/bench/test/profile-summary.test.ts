// Where our rounds' time went: self time per function and per package from a CPU profile, on a small hand-made one
// whose every figure is worked out below.
import { type CpuProfile, packageOf, profileLines, selfTimes, summarizeProfiles } from "../profile-summary";

const root = "/repo";
const frame = (functionName: string, url = "", lineNumber = -1) => ({ functionName, url, lineNumber });

/**
 * Samples at 1000 + the running sum of timeDeltas; each lasts until the next, the last until endTime (9400):
 * decode 1000+1000, delivered 2000, idle 1000, GC 600, writeGeneric 500, now 1000, readRecords 9400-8200 = 1200 µs.
 */
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame("(root)"), children: [2, 3, 4, 5, 6, 7, 8] },
    { id: 2, callFrame: frame("(idle)") },
    { id: 3, callFrame: frame("(garbage collector)") },
    { id: 4, callFrame: frame("decode", "file:///repo/node_modules/kafkajs/src/protocol/decoder.js", 9) },
    {
      id: 5,
      callFrame: frame("readRecords", "file:///repo/node_modules/@platformatic/kafka/dist/protocol/records.js", 3),
    },
    { id: 6, callFrame: frame("delivered", "file:///repo/smoke-tests/workload/recording.ts", 99) },
    { id: 7, callFrame: frame("writeGeneric", "node:internal/stream_base_commons", 4) },
    { id: 8, callFrame: frame("now") },
  ],
  startTime: 1000,
  endTime: 9400,
  samples: [4, 4, 6, 2, 3, 7, 8, 5],
  timeDeltas: [100, 1000, 1000, 2000, 1000, 600, 500, 1000],
};

describe("a CPU profile's self times", () => {
  it("each sample lasts until the next one, the last until the profile's end", () => {
    expect(Object.fromEntries(selfTimes(profile))).toEqual({
      4: 2000,
      6: 2000,
      2: 1000,
      3: 600,
      7: 500,
      8: 1000,
      5: 1200,
    });
    expect(selfTimes({ nodes: [], startTime: 0, endTime: 5 }).size).toBe(0);
  });

  it("groups by package: node_modules/<pkg> (scoped whole, the innermost), our folders, node internals, GC and idle", () => {
    expect(packageOf(frame("x", "file:///repo/node_modules/kafkajs/src/a.js"), root)).toBe("kafkajs");
    expect(packageOf(frame("x", "file:///repo/node_modules/@platformatic/kafka/dist/a.js"), root)).toBe(
      "@platformatic/kafka",
    );
    expect(packageOf(frame("x", "file:///repo/node_modules/a/node_modules/b/i.js"), root)).toBe("b");
    expect(packageOf(frame("x", "file:///repo/smoke-tests/clients/kafkajs.ts"), root)).toBe("smoke-tests/clients");
    expect(packageOf(frame("x", "file:///elsewhere/lib/x.js"), root)).toBe("/elsewhere/lib");
    expect(packageOf(frame("x", "node:internal/streams/readable"), root)).toBe("node internals");
    expect(packageOf(frame("now"), root)).toBe("node internals");
    expect(packageOf(frame("(garbage collector)"), root)).toBe("GC");
    expect(packageOf(frame("(idle)"), root)).toBe("idle");
    expect(packageOf(frame("(program)"), root)).toBe("V8 and native (program)");
  });

  it("sums per package and per function over every round's profile; the top functions leave idle out", () => {
    const s = summarizeProfiles([profile], root, 3);
    expect(s.sampledMs).toBeCloseTo(8.3);
    expect(s.busyMs).toBeCloseTo(7.3);
    expect(s.packages.map((p) => [p.pkg, Number(p.selfMs.toFixed(1))])).toEqual([
      ["kafkajs", 2],
      ["smoke-tests/workload", 2],
      ["node internals", 1.5],
      ["@platformatic/kafka", 1.2],
      ["idle", 1],
      ["GC", 0.6],
    ]);
    expect(s.top.map((f) => [f.name, f.pkg, f.where])).toEqual([
      ["decode", "kafkajs", "node_modules/kafkajs/src/protocol/decoder.js:10"],
      ["delivered", "smoke-tests/workload", "smoke-tests/workload/recording.ts:100"],
      ["readRecords", "@platformatic/kafka", "node_modules/@platformatic/kafka/dist/protocol/records.js:4"],
    ]);
    // Two rounds of the same client: every figure doubles, the order stays.
    const twice = summarizeProfiles([profile, profile], root, 3);
    expect(twice.sampledMs).toBeCloseTo(16.6);
    expect(twice.top.map((f) => f.selfMs)).toEqual([4, 4, 2.4]);
    expect(summarizeProfiles([profile], root).top).toHaveLength(6);
  });

  it("prints sampled and busy time, the packages' shares, then the top functions under their headings", () => {
    const s = summarizeProfiles(
      [{ ...profile, startTime: 0, endTime: 8_400_000, timeDeltas: profile.timeDeltas?.map((d) => d * 1000) }],
      root,
      2,
    );
    expect(profileLines("kafka, kafkajs producer", s, ["/r/bench-x/kafka-kafkajs-producer-round1.cpuprofile"])).toEqual(
      [
        "  CPU profile of kafka, kafkajs producer: 8,300 ms sampled, 7,300 ms busy (88.0%); /r/bench-x/kafka-kafkajs-producer-round1.cpuprofile",
        "    self time by package: kafkajs 24.1%, smoke-tests/workload 24.1%, node internals 18.1%, @platformatic/kafka 14.5%, idle 12.0%, GC 7.2%",
        "    self ms  self %  package                    function",
        "      2,000   24.1%  kafkajs                    decode (node_modules/kafkajs/src/protocol/decoder.js:10)",
        "      2,000   24.1%  smoke-tests/workload       delivered (smoke-tests/workload/recording.ts:100)",
      ],
    );
  });
});
