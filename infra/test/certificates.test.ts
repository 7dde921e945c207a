// The stack's CA and server certificates (infra/components/certificates.ts), as pure functions: read back with
// node:crypto's X509Certificate (an implementation other than the one that wrote them) and used in a real TLS
// handshake over loopback, as a client that verifies would.
import { createPrivateKey, X509Certificate } from "node:crypto";
import type { AddressInfo } from "node:net";
import * as tls from "node:tls";
import { serialNumberHex } from "../../contract/certificates";
import { issueCertificate, newCertificateAuthority } from "../components/certificates";

const day = 86_400_000;
// Whole seconds (X.509 times have no milliseconds), and now: the handshakes below check validity against the clock.
const now = new Date(Math.floor(Date.now() / 1000) * 1000);
const ca = newCertificateAuthority("messaging-platform production CA", 3650, now);
const names = ["kafka-broker-0.kafka-broker-headless.kafka.svc.cluster.local", "kafka.kafka.svc"];
const leaf = issueCertificate(ca, { commonName: "kafka", dnsNames: names, validityDays: 90 }, now);

describe("serial numbers", () => {
  it("are positive and minimally encoded whatever the random bytes, so OpenSSL reads every certificate", () => {
    // Random bytes that start 00 then below 80 gave a DER integer with an illegal 00 pad (OpenSSL: illegal padding).
    for (const first of [
      [0x00, 0x00],
      [0x00, 0x7f],
      [0xff, 0xff],
      [0x80, 0x00],
    ]) {
      const serial = serialNumberHex(Uint8Array.from([...first, ...new Array(14).fill(0x11)]));
      expect(serial).toMatch(/^[4-7][0-9a-f]{31}$/);
    }
  });
});

describe("the stack's certificate authority", () => {
  const x = new X509Certificate(ca.certPem);
  it("is a CA, self-signed, named as asked, valid for the days asked", () => {
    expect(x.ca).toBe(true);
    expect(x.subject).toBe("CN=messaging-platform production CA");
    expect(x.issuer).toBe(x.subject);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(new Date(x.validTo).getTime()).toBe(Math.floor((now.getTime() + 3650 * day) / 1000) * 1000);
    expect(ca.notAfter).toBe(new Date(now.getTime() + 3650 * day).toISOString());
    expect(new Date(x.validFrom).getTime()).toBeLessThan(now.getTime());
  });
  it("keeps its key as unencrypted PKCS#8 PEM (what Kafka's PEM keystore and RabbitMQ read), matching the certificate", () => {
    expect(ca.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(x.checkPrivateKey(createPrivateKey(ca.keyPem))).toBe(true);
  });
  it("is new every time: two CAs share neither key nor serial", () => {
    const other = newCertificateAuthority("messaging-platform production CA", 3650, now);
    expect(other.keyPem).not.toBe(ca.keyPem);
    expect(new X509Certificate(other.certPem).serialNumber).not.toBe(x.serialNumber);
  });
});

describe("a server certificate", () => {
  const x = new X509Certificate(leaf.certPem);
  const caX = new X509Certificate(ca.certPem);
  it("chains to the CA (issued by it, signature verifies) and is no CA itself", () => {
    expect(x.checkIssued(caX)).toBe(true);
    expect(x.verify(caX.publicKey)).toBe(true);
    expect(x.ca).toBe(false);
    expect(x.issuer).toBe(caX.subject);
  });
  it("names every host it was issued for, and no other", () => {
    expect(x.subjectAltName).toBe(names.map((n) => `DNS:${n}`).join(", "));
    for (const n of names) expect(x.checkHost(n)).toBe(n);
    expect(x.checkHost("kafka-broker-1.kafka-broker-headless.kafka.svc.cluster.local")).toBeUndefined();
  });
  it("expires after the days the stack set, never after its CA", () => {
    expect(leaf.notAfter).toBe(new Date(now.getTime() + 90 * day).toISOString());
    const long = issueCertificate(ca, { commonName: "x", dnsNames: ["x"], validityDays: 100_000 }, now);
    expect(long.notAfter).toBe(ca.notAfter);
  });
  it("is for servers and for brokers as clients of their peers", () => {
    expect(x.keyUsage).toEqual(expect.arrayContaining(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]));
    expect(x.checkPrivateKey(createPrivateKey(leaf.keyPem))).toBe(true);
    expect(leaf.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });
  it("refuses to issue for no name", () => {
    expect(() => issueCertificate(ca, { commonName: "x", dnsNames: [], validityDays: 1 })).toThrow(/no DNS name/);
  });
});

/** A TLS server on loopback presenting `cert`; resolves what a verifying client saw when it connected as `host`. */
async function handshake(cert: { certPem: string; keyPem: string }, trust: string, host: string) {
  const server = tls.createServer({ cert: cert.certPem, key: cert.keyPem }, (s) => s.end());
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  try {
    return await new Promise<{ authorized: boolean; error?: string }>((resolve) => {
      const s = tls.connect({ host: "127.0.0.1", port, servername: host, ca: [trust], rejectUnauthorized: false });
      s.on("secureConnect", () => {
        // Hostname checked the way Node's clients check it (tls.checkServerIdentity), chain by the handshake.
        const identity = tls.checkServerIdentity(host, s.getPeerCertificate());
        resolve({
          authorized: s.authorized && identity === undefined,
          error: s.authorizationError?.toString() ?? identity?.message,
        });
        s.destroy();
      });
      s.on("error", (e) => resolve({ authorized: false, error: e.message }));
    });
  } finally {
    server.close();
  }
}

describe("in a real TLS handshake (loopback)", () => {
  it("a client that trusts only the stack's CA accepts the server under one of its names", async () => {
    const r = await handshake(leaf, ca.certPem, names[0] as string);
    expect(r).toEqual({ authorized: true, error: undefined });
  });
  it("and refuses it under a name it was not issued for, or when it trusts another CA", async () => {
    expect(await handshake(leaf, ca.certPem, "rabbitmq.rabbitmq.svc")).toMatchObject({
      authorized: false,
      error: expect.stringMatching(/ALTNAME_INVALID|rabbitmq\.rabbitmq\.svc/),
    });
    const other = newCertificateAuthority("another CA", 1, now);
    expect(await handshake(leaf, other.certPem, names[0] as string)).toMatchObject({
      authorized: false,
      error: expect.stringMatching(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/i),
    });
  });
});
