// X.509 for the stack's TLS: a CA and the server certificates it signs (node-forge builds them: node:crypto reads
// certificates but cannot create them). The Pulumi program issues the stack's with these (infra/components/
// certificates.ts), and the verification's tests issue their own, so the two agree on what a certificate holds.
// Each function requires what it uses inside its body: Pulumi serializes them into its dynamic providers.

export interface CaMaterial {
  /** PEM certificate (public: clients trust it). */
  certPem: string;
  /** PEM PKCS#8 private key (secret). */
  keyPem: string;
  /** ISO time the certificate expires. */
  notAfter: string;
}

export interface CertificateRequest {
  commonName: string;
  /** Subject alternative names (DNS). The first is also the common name's usual value. */
  dnsNames: string[];
  validityDays: number;
}

/** Clock skew allowance: a certificate is valid from a few minutes before it was issued. */
const backdateMs = 5 * 60_000;

/**
 * Pure: a serial number (hex) from 16 random bytes, positive and minimally encoded as DER wants (RFC 5280). The top
 * bit of the first byte is cleared (positive, no 00 pad needed) and the next set (never a leading zero byte): a
 * serial of "00" and random bytes starting 00 then below 80 was refused by OpenSSL ("illegal padding"), once in 512.
 */
export function serialNumberHex(random: Uint8Array): string {
  const bytes = Uint8Array.from(random);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return Buffer.from(bytes).toString("hex");
}

/**
 * Pure (but random): a new RSA 2048 key (from node:crypto: fast, native) and a certificate for it with a serial and a
 * backdated start, not yet named, extended or signed: how a CA and a server certificate both begin.
 */
function newKeyAndUnsignedCertificate(now: Date) {
  const forge = require("node-forge") as typeof import("node-forge");
  const crypto = require("node:crypto") as typeof import("node:crypto");
  const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const key = forge.pki.privateKeyFromPem(keyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = serialNumberHex(crypto.randomBytes(16));
  cert.validity.notBefore = new Date(now.getTime() - backdateMs);
  return { keyPem, key, cert };
}

/**
 * Pure (but random): a self-signed CA certificate and its key. RSA 2048 keys come from node:crypto (fast, native);
 * node-forge builds and signs the certificate (SHA-256).
 */
export function newCertificateAuthority(commonName: string, validityDays: number, now = new Date()): CaMaterial {
  const forge = require("node-forge") as typeof import("node-forge");
  const { keyPem, key, cert } = newKeyAndUnsignedCertificate(now);
  cert.validity.notAfter = new Date(now.getTime() + validityDays * 86_400_000);
  const subject = [{ name: "commonName", value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem, notAfter: cert.validity.notAfter.toISOString() };
}

/** Pure (but random): a server certificate for `req`, signed by the CA. Usable by servers and by brokers as clients. */
export function issueCertificate(ca: { certPem: string; keyPem: string }, req: CertificateRequest, now = new Date()) {
  const forge = require("node-forge") as typeof import("node-forge");
  if (req.dnsNames.length === 0) throw new Error(`certificate ${req.commonName}: no DNS name to issue it for`);
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const { keyPem, cert } = newKeyAndUnsignedCertificate(now);
  // Never beyond the CA: a chain is only as valid as its shortest-lived link.
  const wanted = now.getTime() + req.validityDays * 86_400_000;
  cert.validity.notAfter = new Date(Math.min(wanted, caCert.validity.notAfter.getTime()));
  cert.setSubject([{ name: "commonName", value: req.commonName }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: "basicConstraints", cA: false, critical: true },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    // serverAuth for the listeners; clientAuth because a broker is also the client of its peers.
    { name: "extKeyUsage", serverAuth: true, clientAuth: true },
    { name: "subjectAltName", altNames: req.dnsNames.map((value) => ({ type: 2, value })) },
    { name: "subjectKeyIdentifier" },
    {
      name: "authorityKeyIdentifier",
      keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes(),
    },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem, notAfter: cert.validity.notAfter.toISOString() };
}
