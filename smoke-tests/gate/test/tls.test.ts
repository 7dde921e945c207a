// The gate's encryption checks (smoke-tests/gate/tls.ts): the pure verdict on a presented certificate, and the real
// checks against TLS and plaintext servers on loopback, each with the stack's CA and with a certificate from another.
import { X509Certificate } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as tls from "node:tls";
import { buildTarget } from "../../../contract/build-target";
import { issueCertificate, newCertificateAuthority } from "../../../contract/certificates";
import type { Target } from "../../../contract/target";
import { certificateProblems, plaintextEndpoints, plaintextRefusedCheck, tlsCheck, tlsEndpoints, tlsOn } from "../tls";

const ca = newCertificateAuthority("messaging-platform test CA", 30);
const other = newCertificateAuthority("someone else's CA", 30);
const issue = (by: typeof ca, names: string[], days = 10) =>
  issueCertificate(by, { commonName: names[0] as string, dnsNames: names, validityDays: days });

function target(o: { kafka?: string[]; amqp?: string[]; management?: string[]; plaintext?: string[] }): Target {
  const node = { name: "n-0", host: "localhost", id: "100", roles: ["broker" as const] };
  return buildTarget({
    name: "test",
    placement: { kind: "embedded", stateDir: "/nonexistent" },
    kafka: {
      bootstrapServers: o.kafka ?? ["localhost:1"],
      username: "app",
      password: "pw",
      tls: true,
      ca: ca.certPem,
      nodes: [node],
      expected: { replicationFactor: 3, minInsyncReplicas: 2, uncleanLeaderElection: false, autoCreateTopics: false },
      topics: [],
    },
    rabbitmq: {
      amqpUrls: o.amqp ?? ["amqps://localhost:1"],
      managementUrls: o.management ?? ["https://localhost:1"],
      ca: ca.certPem,
      ...(o.plaintext ? { plaintextUrls: o.plaintext } : {}),
      username: "admin",
      password: "pw",
      vhost: "/",
      nodes: [node],
      expected: { defaultQueueType: "quorum", quorumInitialGroupSize: 3, clusterSize: 1 },
      queues: [],
    },
  });
}

const servers: Array<{ close(): void }> = [];
afterAll(() => {
  for (const s of servers) s.close();
});
async function listen(server: tls.Server | http.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as AddressInfo).port;
}
/** The platform's profile (Mozilla intermediate, ECDHE only): TLS 1.2 and 1.3, in TLS 1.2 ECDHE with AEAD only. */
const strict: tls.TlsOptions = {
  minVersion: "TLSv1.2",
  ciphers: [
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
  ].join(":"),
};
/** node:tls's defaults: TLS 1.2 and 1.3, with CBC-mode suites in TLS 1.2 (as the JVM's defaults). */
const cbcToo: tls.TlsOptions = {};
/** Down to TLS 1.1 (which OpenSSL 3 serves only at security level 0). */
const tls11Too: tls.TlsOptions = { minVersion: "TLSv1.1", ciphers: "DEFAULT@SECLEVEL=0" };
const tlsServer = (cert: { certPem: string; keyPem: string }, profile: tls.TlsOptions = strict) =>
  listen(tls.createServer({ ...profile, cert: cert.certPem, key: cert.keyPem }, (s) => s.end()));

describe("certificateProblems (pure)", () => {
  const caX = new X509Certificate(ca.certPem);
  const now = new Date();
  it("none for a certificate of the stack's CA naming the host, in its validity period", () => {
    expect(
      certificateProblems(new X509Certificate(issue(ca, ["b-0.kafka.svc"]).certPem), caX, "b-0.kafka.svc", now),
    ).toEqual([]);
  });
  it("names another CA, a host the certificate does not name, and an expired certificate", () => {
    const foreign = new X509Certificate(issue(other, ["b-0.kafka.svc"]).certPem);
    expect(certificateProblems(foreign, caX, "b-0.kafka.svc", now)).toEqual([
      "its certificate (issuer CN=someone else's CA) does not chain to the stack's CA (CN=messaging-platform test CA)",
    ]);
    const mine = new X509Certificate(issue(ca, ["b-0.kafka.svc"]).certPem);
    expect(certificateProblems(mine, caX, "b-1.kafka.svc", now)).toEqual([
      "its certificate does not name b-1.kafka.svc (DNS:b-0.kafka.svc)",
    ]);
    const later = new Date(now.getTime() + 11 * 86_400_000);
    expect(certificateProblems(mine, caX, "b-0.kafka.svc", later)).toEqual([
      `its certificate expired at ${mine.validTo}`,
    ]);
  });
});

describe("which endpoints each check tries (pure)", () => {
  const t = target({
    kafka: ["k-0:9092", "k-1:9092"],
    amqp: ["amqps://r-0:5671"],
    management: ["https://r-0:15671"],
    plaintext: ["amqp://r-0:5672", "http://r-0:15672"],
  });
  it("TLS: every Kafka broker's client listener; every node's AMQP and management API", () => {
    expect(tlsEndpoints(t, "kafka").map((e) => [e.host, e.port])).toEqual([
      ["k-0", 9092],
      ["k-1", 9092],
    ]);
    expect(tlsEndpoints(t, "rabbitmq").map((e) => e.what)).toEqual(["r-0:5671 (AMQP)", "r-0:15671 (management API)"]);
  });
  it("plaintext: Kafka's TLS listeners themselves, RabbitMQ's replaced ports", () => {
    expect(plaintextEndpoints(t, "kafka")).toEqual(["k-0:9092", "k-1:9092"]);
    expect(plaintextEndpoints(t, "rabbitmq")).toEqual(["amqp://r-0:5672", "http://r-0:15672"]);
  });
  it("only where the target says TLS", () => {
    expect(tlsOn(t, "kafka")).toBe(true);
    expect(tlsOn(t, "rabbitmq")).toBe(true);
    const plain = target({ amqp: ["amqp://r-0:5672"], management: ["http://r-0:15672"] });
    expect(tlsOn({ ...plain, kafka: { ...plain.kafka, tls: false } }, "kafka")).toBe(false);
    expect(tlsOn(plain, "rabbitmq")).toBe(false);
  });
});

describe("the tls check against servers on loopback", () => {
  it("passes when every endpoint presents a certificate of the stack's CA naming it", async () => {
    const port = await tlsServer(issue(ca, ["localhost"]));
    const r = await tlsCheck(target({ kafka: [`localhost:${port}`] }), "kafka");
    expect(r).toMatchObject({ system: "kafka", name: "tls", passed: true });
    expect(r.detail).toContain("1 endpoints present a certificate that chains to CN=messaging-platform test CA");
    expect(r.detail).toContain("each refuses a CBC-only TLS 1.2 client and a TLS 1.1-only client");
  });

  it("fails naming each listener that accepts a CBC-only or a TLS 1.1-only client, and only those", async () => {
    const good = await tlsServer(issue(ca, ["localhost"]));
    const cbc = await tlsServer(issue(ca, ["localhost"]), cbcToo);
    const old = await tlsServer(issue(ca, ["localhost"]), tls11Too);
    const r = await tlsCheck(target({ kafka: [`localhost:${good}`, `localhost:${cbc}`, `localhost:${old}`] }), "kafka");
    expect(r).toMatchObject({ system: "kafka", name: "tls", passed: false });
    const lines = r.detail.split(" | ");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(
        `^localhost:${cbc} \\(client listener\\): it accepts a CBC-only TLS 1.2 client \\(TLSv1\\.2 TLS_\\w+_CBC_\\w+\\)$`,
      ),
    );
    expect(lines[1]).toMatch(
      new RegExp(
        `^localhost:${old} \\(client listener\\): it accepts a CBC-only TLS 1.2 client \\(TLSv1\\.2 TLS_\\w+_CBC_\\w+\\); ` +
          `it accepts a TLS 1.1-only client \\(TLSv1\\.1 TLS_\\w+\\)$`,
      ),
    );
    expect(r.detail).not.toContain(`localhost:${good} `);
  });

  it("fails naming the check, the endpoint and the reason when a listener serves another CA's certificate", async () => {
    const good = await tlsServer(issue(ca, ["localhost"]));
    const bad = await tlsServer(issue(other, ["localhost"]));
    const r = await tlsCheck(
      target({ amqp: [`amqps://localhost:${good}`], management: [`https://localhost:${bad}`] }),
      "rabbitmq",
    );
    expect(r).toMatchObject({ system: "rabbitmq", name: "tls", passed: false });
    expect(r.detail).toBe(
      `localhost:${bad} (management API): its certificate (issuer CN=someone else's CA) does not chain to the stack's CA (CN=messaging-platform test CA)`,
    );
  });

  it("fails when the certificate does not name the host dialled, or the port speaks no TLS", async () => {
    const wrongName = await tlsServer(issue(ca, ["kafka-broker-9.example"]));
    const plain = await listen(http.createServer((_q, res) => res.end("plaintext")));
    const r = await tlsCheck(target({ kafka: [`localhost:${wrongName}`, `localhost:${plain}`] }), "kafka");
    expect(r.passed).toBe(false);
    expect(r.detail).toContain(`localhost:${wrongName} (client listener): its certificate does not name localhost`);
    expect(r.detail).toContain(`localhost:${plain} (client listener): no TLS`);
  });
});

describe("the plaintext refused check against loopback", () => {
  it("passes when nothing serves the plaintext ports", async () => {
    const closed = await listen(http.createServer());
    servers.pop()?.close();
    await new Promise((r) => setTimeout(r, 50));
    const r = await plaintextRefusedCheck(
      target({ plaintext: [`amqp://localhost:${closed}`, `http://localhost:${closed}`] }),
      "rabbitmq",
    );
    expect(r).toMatchObject({ name: "plaintext refused", passed: true });
    expect(r.detail).toBe(
      `amqp://localhost:${closed}: connection refused; http://localhost:${closed}: connection refused`,
    );
  });

  it("fails naming the endpoint when a plaintext management API answers", async () => {
    const open = await listen(http.createServer((_q, res) => res.end("{}")));
    const r = await plaintextRefusedCheck(target({ plaintext: [`http://localhost:${open}`] }), "rabbitmq");
    expect(r).toMatchObject({ name: "plaintext refused", passed: false });
    expect(r.detail).toBe(`a plaintext client was served at http://localhost:${open}`);
  });

  it("a Kafka client without TLS is refused by a TLS listener", async () => {
    const port = await tlsServer(issue(ca, ["localhost"]));
    const r = await plaintextRefusedCheck(target({ kafka: [`localhost:${port}`] }), "kafka", 1_000);
    expect(r).toMatchObject({ name: "plaintext refused", passed: true });
  });
});
