// PerfTest's truststore over amqps, checked with the JVM's own handshake against loopback servers of two CAs.
// The reference tools' summaries, parsed from the summary lines captured on the embedded default (npm run bench,
// 2026-11-29), after an interim line in the tools' own format: the figures the bench compares must be read exactly,
// or the ratios mean nothing.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tls from "node:tls";
import { issueCertificate, newCertificateAuthority } from "../../../contract/certificates";
import { sampleTarget } from "../../../contract/test/sample-target";
import {
  describeTuning,
  parsePerfTest,
  parseProducerPerformance,
  perfTestArgs,
  perfTestEnv,
  perfTestTrustStore,
  producerPerformanceArgs,
  producerProperties,
} from "../reference-tools";

const producerPerformanceOutput = [
  "50001 records sent, 10000.2 records/sec (9.77 MB/sec), 80.1 ms avg latency, 870.0 ms max latency.",
  "100000 records sent, 29612.081729 records/sec (28.92 MB/sec), 36.48 ms avg latency, 870.00 ms max latency, 27 ms 50th, 100 ms 95th, 139 ms 99th, 172 ms 99.9th.",
].join("\n");

const perfTestOutput = [
  "id: test-202545-123, time 1.000 s, sent: 4512 msg/s, confirmed: 4490 msg/s, nacked: 0 msg/s, received: 4480 msg/s",
  "test stopped (Reached time limit)",
  "time               sent    confirmed       nacked     received       consumer latency        confirm latency",
  "sending rate avg: 4740 msg/s",
  "receiving rate avg: 4740 msg/s",
  "consumer latency min/median/75th/95th/99th 6691/41676/62645/172754/403071 µs",
  "confirm latency min/median/75th/95th/99th 2073/23632/33372/47535/74142 µs",
].join("\n");

describe("ProducerPerformance's summary", () => {
  it("reads the final line, not an interim one: count, rate, MB/s and latency percentiles", () => {
    expect(parseProducerPerformance(producerPerformanceOutput)).toMatchObject({
      messages: 100_000,
      messagesPerSec: 29612.081729,
      megabytesPerSec: 28.92,
      p50Ms: 27,
      p95Ms: 100,
      p99Ms: 139,
    });
  });

  it("fails, quoting the output, when there is no summary", () => {
    expect(() => parseProducerPerformance("Exception in thread main")).toThrow(/printed no summary line/);
  });

  it("runs with the tuning it is given, and says so", () => {
    const tuning = { batchBytes: 544_000, lingerMs: 0, maxInFlight: 5 };
    const args = producerPerformanceArgs("/tmp/p.properties", "mp-bench", 1000, 1024, tuning);
    expect(args.slice(args.indexOf("--producer-props"))).toEqual([
      "--producer-props",
      "batch.size=544000",
      "linger.ms=0",
      "max.in.flight.requests.per.connection=5",
    ]);
    expect(describeTuning(tuning)).toBe("batch.size=544000 linger.ms=0 max.in.flight=5");
  });
});

describe("PerfTest's summary", () => {
  it("reads the average sending rate and the confirm latency percentiles (µs → ms); the count is rate × time", () => {
    const r = parsePerfTest(perfTestOutput, 1024, 10);
    expect(r).toMatchObject({
      messagesPerSec: 4740,
      consumedPerSec: 4740,
      messages: 47_400,
      p50Ms: 23.632,
      p95Ms: 47.535,
      p99Ms: 74.142,
    });
    expect(r.megabytesPerSec).toBeCloseTo((4740 * 1024) / (1024 * 1024), 6);
  });

  it("fails, quoting the output, when there is no summary", () => {
    expect(() => parsePerfTest("Connection refused", 1024, 10)).toThrow(/printed no summary/);
  });
});

describe("the reference tools' credentials", () => {
  const t = sampleTarget();
  const password = "Ref3renceToolsPw";
  const rabbitmq = { ...t.rabbitmq, password };
  const kafka = { ...t.kafka, sasl: { ...t.kafka.sasl, password } };

  it("PerfTest: the URI with its credentials is in the environment under our prefix, never an argument", () => {
    const args = perfTestArgs("mp-bench", 3, 1024, 200, 500);
    expect(args.join(" ")).not.toContain(password);
    // Its consumer's prefetch is ours, not PerfTest's unlimited default.
    expect(args.join(" ")).toContain("--consumers 1 --qos 500");
    // A shape of the sweep: as many producers and consumers as asked, the rest unchanged.
    const at4 = perfTestArgs("mp-bench", 3, 1024, 200, 500, [], { producers: 4, consumers: 4 });
    expect(at4.join(" ")).toContain("--producers 4 --consumers 4 --qos 500");
    expect(at4.filter((a) => !["4", "1"].includes(a))).toEqual(args.filter((a) => a !== "1"));
    expect(args).not.toContain("--uri");
    const env = perfTestEnv(rabbitmq);
    expect(env.RABBITMQ_PERF_TEST_ENV_PREFIX).toBe("MP_PERF_TEST_");
    const uri = new URL(env.MP_PERF_TEST_URI ?? "");
    expect([uri.username, uri.password, uri.pathname]).toEqual([rabbitmq.username, password, "/%2F"]);
  });

  it("ProducerPerformance: the password is in the properties file, the command line names the file", () => {
    expect(producerProperties(kafka)).toContain(`password="${password}"`);
    expect(producerPerformanceArgs("/tmp/p.properties", "mp-bench", 1000, 1024).join(" ")).not.toContain(password);
  });
});

describe("PerfTest over amqps verifies the server against the target's CA", () => {
  const t = sampleTarget();
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const ca = newCertificateAuthority("perf-test CA", 2);
  const other = newCertificateAuthority("another CA", 2);
  const server = issueCertificate(ca, { commonName: "localhost", dnsNames: ["localhost"], validityDays: 1 });
  const foreign = issueCertificate(other, { commonName: "localhost", dnsNames: ["localhost"], validityDays: 1 });

  /** The JVM's default SSLContext (what PerfTest uses when a javax.net.ssl property is set) dialling a server. */
  async function jvmHandshake(jvmArgs: string[], cert: { certPem: string; keyPem: string }): Promise<string> {
    const srv = tls.createServer({ cert: cert.certPem, key: cert.keyPem }, (s) => s.end());
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), "mp-perftest-trust-"));
    dirs.push(dir);
    writeFileSync(
      join(dir, "Handshake.java"),
      `public class Handshake { public static void main(String[] a) throws Exception {
  var s = (javax.net.ssl.SSLSocket) javax.net.ssl.SSLContext.getDefault().getSocketFactory().createSocket("localhost", ${port});
  s.startHandshake(); System.out.println("verified " + s.getSession().getProtocol()); s.close(); } }`,
    );
    const java = join(process.env.JAVA_HOME ?? "/usr/lib/jvm/java-17-openjdk-amd64", "bin", "java");
    const r = await new Promise<{ out: string }>((resolve) => {
      let out = "";
      const child = spawn(java, [...jvmArgs, join(dir, "Handshake.java")]);
      child.stdout.on("data", (d) => {
        out += d;
      });
      child.stderr.on("data", (d) => {
        out += d;
      });
      child.on("close", () => resolve({ out }));
    });
    srv.close();
    return r.out;
  }

  it("none for a plaintext target; a truststore of the CA alone, without a password, for amqps", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mp-perftest-trust-"));
    dirs.push(dir);
    expect(await perfTestTrustStore({ ...t.rabbitmq, amqpUrls: ["amqp://localhost:5672"] }, dir)).toEqual([]);
    const args = await perfTestTrustStore({ ...t.rabbitmq, amqpUrls: ["amqps://localhost:5671"], ca: ca.certPem }, dir);
    expect(args).toEqual([
      `-Djavax.net.ssl.trustStore=${join(dir, "truststore.p12")}`,
      "-Djavax.net.ssl.trustStoreType=PKCS12",
    ]);
    expect(args.join(" ")).not.toMatch(/Password/i);
    expect(perfTestArgs("q", 3, 1024, 200, 500, args).slice(0, 3)).toEqual(["-Xmx512m", ...args]);
  });

  it("the JVM trusts the stack's server with it, and refuses another CA's", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mp-perftest-trust-"));
    dirs.push(dir);
    const args = await perfTestTrustStore({ ...t.rabbitmq, amqpUrls: ["amqps://localhost:5671"], ca: ca.certPem }, dir);
    expect(await jvmHandshake(args, server)).toMatch(/^verified TLSv1\.[23]/);
    expect(await jvmHandshake(args, foreign)).toContain("PKIX path building failed");
  }, 60_000);

  it("refuses an amqps target without a CA", async () => {
    await expect(
      perfTestTrustStore({ ...t.rabbitmq, amqpUrls: ["amqps://localhost:5671"], ca: undefined }, tmpdir()),
    ).rejects.toThrow("the target serves amqps but names no CA: PerfTest could not verify the server");
  });
});
