// The latency comparison's pure parts: the rate, the reference tools' command lines, and their output read back.
// The samples are built from the tools' own formats: EndToEndLatency's from its printf strings in kafka-tools 4.3.1
// (EndToEndLatency.printResults, and its every-1000th-record "<i>\t<ms>" line), read with javap from the jar the
// toolchain provides; PerfTest's summary lines as captured on the embedded default (npm run bench, 2026-11-29; the
// same lines as parsers.test.ts), after a per-second line in PerfTest's default (not compact) metrics format, whose
// consumer latency must not be read as the summary's. A client log line stands for the tools' logging around them.
import { atRate, endToEndLatencyArgs, latencyRate, parseEndToEndLatency, parsePerfTestLatency } from "../latency-tools";
import { perfTestArgs } from "../reference-tools";

const endToEndLatencyOutput = [
  "[2026-12-07 18:40:01,123] WARN These configurations '[acks, enable.idempotence]' were supplied but are not used yet. (org.apache.kafka.clients.consumer.ConsumerConfig)",
  "0\t41.772131",
  "1000\t2.118532",
  "2000\t1.903318",
  "Avg latency: 2.4107 ms",
  "Percentiles: 50th = 2, 99th = 6, 99.9th = 17",
].join("\n");

const perfTestAtRateOutput = [
  "id: test-184012-345, time 1.000 s, sent: 4740 msg/s, confirmed: 4738 msg/s, nacked: 0 msg/s, received: 4735 msg/s, min/median/75th/95th/99th consumer latency: 1891/3310/4102/6922/9810 µs, confirm latency: 1203/2790/3318/5511/8210 µs",
  "test stopped (Reached time limit)",
  "sending rate avg: 4740 msg/s",
  "receiving rate avg: 4739 msg/s",
  "consumer latency min/median/75th/95th/99th 6691/41676/62645/172754/403071 µs",
  "confirm latency min/median/75th/95th/99th 2073/23632/33372/47535/74142 µs",
].join("\n");

describe("the rate latency is measured at", () => {
  it("is half our measured maximum, a whole number", () => {
    expect(latencyRate(20_500.6)).toBe(10_250);
    expect(latencyRate(1)).toBe(1);
  });

  it.each([0, -5, Number.NaN])("refuses a maximum of %p, naming the value and the rule", (max) => {
    expect(() => latencyRate(max)).toThrow(`our maximum rate = ${max}: must be > 0 msg/s`);
  });
});

describe("Kafka's EndToEndLatency", () => {
  it("runs with named arguments, acks=all, the properties file for credentials, and no password", () => {
    const args = endToEndLatencyArgs("/tmp/p.properties", ["k0:9092", "k1:9092"], "mp-bench", 3000, 1060);
    expect(args.slice(args.indexOf("org.apache.kafka.tools.EndToEndLatency"))).toEqual([
      "org.apache.kafka.tools.EndToEndLatency",
      "--bootstrap-server",
      "k0:9092,k1:9092",
      "--topic",
      "mp-bench",
      "--num-records",
      "3000",
      "--producer-acks",
      "all",
      "--record-size",
      "1060",
      "--command-config",
      "/tmp/p.properties",
    ]);
    expect(args.join(" ")).not.toMatch(/password/i);
  });

  it("reads p50 and p99 from the summary, not the per-1000th lines, and gives no p95 (the tool has none)", () => {
    const r = parseEndToEndLatency(endToEndLatencyOutput, 3000);
    expect(r).toMatchObject({ messages: 3000, p50Ms: 2, p99Ms: 6 });
    expect(r.p95Ms).toBeUndefined();
    expect(r.ratePerSec).toBeUndefined();
    expect(r.raw).toBe("Avg latency: 2.4107 ms; Percentiles: 50th = 2, 99th = 6, 99.9th = 17");
  });

  it("fails, quoting the output, without a summary", () => {
    expect(() => parseEndToEndLatency("0\t41.7\npoll() timed out before finding a result", 3000)).toThrow(
      /EndToEndLatency printed no percentiles:\n0\t41\.7/,
    );
  });
});

describe("PerfTest's latency at a rate", () => {
  it("holds its producer at the rate, with every other setting as the throughput rounds'", () => {
    const base = perfTestArgs("mp-bench", 10, 1024, 200, 500);
    expect(atRate(base, 4100)).toEqual([...base, "--rate", "4100"]);
  });

  it("reads the summary's consumer latency (µs) as ms, not the confirm latency nor the interim line", () => {
    expect(parsePerfTestLatency(perfTestAtRateOutput, 4740, 10)).toMatchObject({
      ratePerSec: 4740,
      messages: 47_390,
      p50Ms: 41.676,
      p95Ms: 172.754,
      p99Ms: 403.071,
      raw: "consumer latency min/median/75th/95th/99th 6691/41676/62645/172754/403071 µs",
    });
  });

  it("reads milliseconds as they are (PerfTest --use-millis)", () => {
    const millis = "consumer latency min/median/75th/95th/99th 1/3/4/7/10 ms";
    expect(parsePerfTestLatency(millis, 100, 10)).toMatchObject({ p50Ms: 3, p95Ms: 7, p99Ms: 10 });
  });

  it("fails, quoting the output, without a consumer latency", () => {
    expect(() => parsePerfTestLatency("sending rate avg: 4740 msg/s", 4740, 10)).toThrow(
      /PerfTest printed no consumer latency/,
    );
  });
});
