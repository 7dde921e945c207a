// The gate's encryption checks, from the outside: every TLS listener presents a certificate that chains to the
// target's CA, names the host the client dialled and is in its validity period, and refuses a client that offers only
// CBC-mode suites or only TLS 1.1 (the platform's TLS profile); and where TLS replaced a plaintext
// listener, a plaintext client is refused. The clients themselves (kafkajs, amqplib, the management API) connect with
// verification on in every other check (brokers/tls.ts), so a wrong CA fails those too.
import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import * as tls from "node:tls";
import * as amqp from "amqplib";
import { Kafka, logLevel } from "kafkajs";
import { kafkajsSocketFactory } from "../../brokers/kafkajs-socket";
import { httpRequest } from "../../brokers/tls";
import type { SystemName } from "../../contract/systems";
import type { Target } from "../../contract/target";
import { type CheckResult, timed } from "./checks";

export interface Endpoint {
  /** "kafka-broker-0.…:9092 (client listener)", "…:5671 (AMQP)". */
  what: string;
  host: string;
  port: number;
}

/** Whether the target says this system serves TLS (Kafka's client listener; RabbitMQ's amqps URLs). */
export function tlsOn(target: Target, system: SystemName): boolean {
  return system === "kafka"
    ? target.kafka.tls
    : target.rabbitmq.amqpUrls.some((u) => u.startsWith("amqps:")) || target.rabbitmq.plaintextUrls !== undefined;
}

function hostPort(server: string): { host: string; port: number } {
  const at = server.lastIndexOf(":");
  return { host: server.slice(0, at), port: Number(server.slice(at + 1)) };
}

function urlEndpoint(url: string, what: string, defaultPort: number): Endpoint {
  const u = new URL(url);
  return { what: `${u.host} (${what})`, host: u.hostname, port: u.port ? Number(u.port) : defaultPort };
}

/** Pure: the endpoints that must present the stack's certificate. */
export function tlsEndpoints(target: Target, system: SystemName): Endpoint[] {
  if (system === "kafka") {
    return target.kafka.bootstrapServers.map((s) => ({ what: `${s} (client listener)`, ...hostPort(s) }));
  }
  return [
    ...target.rabbitmq.amqpUrls.map((u) => urlEndpoint(u, "AMQP", 5671)),
    ...target.rabbitmq.managementUrls.map((u) => urlEndpoint(u, "management API", 15671)),
  ];
}

/**
 * Pure: what is wrong with the certificate an endpoint presented, measured against the CA the target names (none:
 * only host and validity are checked here; the handshake checked the chain against the system's CAs) and the host
 * the client dialled. Empty when nothing is.
 */
export function certificateProblems(
  presented: X509Certificate,
  ca: X509Certificate | undefined,
  host: string,
  now: Date,
): string[] {
  const problems: string[] = [];
  if (ca !== undefined && !(presented.checkIssued(ca) && presented.verify(ca.publicKey))) {
    problems.push(
      `its certificate (issuer ${presented.issuer.replaceAll("\n", ", ")}) does not chain to the stack's CA (${ca.subject.replaceAll("\n", ", ")})`,
    );
  }
  const named = isIP(host) ? presented.checkIP(host) : presented.checkHost(host);
  if (named === undefined) {
    problems.push(
      `its certificate does not name ${host} (${presented.subjectAltName ?? "no subject alternative name"})`,
    );
  }
  if (now.getTime() < new Date(presented.validFrom).getTime())
    problems.push(`its certificate is not valid before ${presented.validFrom}`);
  if (now.getTime() > new Date(presented.validTo).getTime())
    problems.push(`its certificate expired at ${presented.validTo}`);
  return problems;
}

export interface Presented {
  certificate: X509Certificate;
  /** The handshake's own verdict with the target's CA as the only trust anchor (chain and host name). */
  authorized: boolean;
  authorizationError?: string;
  protocol: string;
}

/** Opens a TLS connection (SNI = host), takes the certificate the server presents, and closes. */
export function presentedCertificate(
  e: Pick<Endpoint, "host" | "port">,
  ca: string | undefined,
  timeoutMs: number,
): Promise<Presented> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: e.host,
      port: e.port,
      ...(isIP(e.host) ? {} : { servername: e.host }),
      ...(ca === undefined ? {} : { ca: [ca] }),
      // Not trusted blindly: the verdict is read below, so a wrong certificate is named instead of just refused.
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no TLS handshake within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      const certificate = socket.getPeerX509Certificate();
      const result = {
        authorized: socket.authorized,
        ...(socket.authorizationError ? { authorizationError: String(socket.authorizationError) } : {}),
        protocol: socket.getProtocol() ?? "?",
      };
      socket.destroy();
      if (!certificate) reject(new Error("the server presented no certificate"));
      else resolve({ certificate, ...result });
    });
    socket.once("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`no TLS: ${err.message}`));
    });
  });
}

/**
 * The clients every listener must refuse (the platform's one TLS profile: TLS 1.2 and 1.3, and in TLS 1.2 only ECDHE
 * with AES-GCM or ChaCha20-Poly1305): one that offers only CBC-mode suites in TLS 1.2, and one that offers only
 * TLS 1.1. OpenSSL 3 speaks TLS 1.1 only at security level 0, so that client lowers its own level to be able to ask.
 */
export const refusedOffers = [
  {
    what: "a CBC-only TLS 1.2 client",
    options: {
      minVersion: "TLSv1.2",
      maxVersion: "TLSv1.2",
      ciphers: [
        "ECDHE-ECDSA-AES128-SHA",
        "ECDHE-RSA-AES128-SHA",
        "ECDHE-ECDSA-AES256-SHA",
        "ECDHE-RSA-AES256-SHA",
        "ECDHE-ECDSA-AES128-SHA256",
        "ECDHE-RSA-AES128-SHA256",
        "ECDHE-ECDSA-AES256-SHA384",
        "ECDHE-RSA-AES256-SHA384",
        "DHE-RSA-AES128-SHA",
        "DHE-RSA-AES256-SHA",
        "DHE-RSA-AES128-SHA256",
        "DHE-RSA-AES256-SHA256",
        "AES128-SHA",
        "AES256-SHA",
        "AES128-SHA256",
        "AES256-SHA256",
      ].join(":"),
    },
  },
  {
    what: "a TLS 1.1-only client",
    options: { minVersion: "TLSv1.1", maxVersion: "TLSv1.1", ciphers: "DEFAULT@SECLEVEL=0" },
  },
] as const satisfies ReadonlyArray<{ what: string; options: tls.ConnectionOptions }>;

export type RefusedOffer = (typeof refusedOffers)[number];

/** OpenSSL errors raised by this client itself before it could offer anything: the check could not ask. */
const cannotOffer = /NO_PROTOCOLS_AVAILABLE|NO_CIPHERS_AVAILABLE|NO_CIPHER_MATCH|ERR_INVALID_ARG/;

/**
 * Offers an endpoint what it must refuse. Resolves with what was negotiated when it accepted ("TLSv1.2
 * ECDHE-RSA-AES128-SHA"), or undefined when the handshake failed; throws when this client could not make the offer.
 */
export function acceptsOffer(
  e: Pick<Endpoint, "host" | "port">,
  offer: RefusedOffer,
  timeoutMs: number,
): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: e.host,
      port: e.port,
      ...(isIP(e.host) ? {} : { servername: e.host }),
      ...offer.options,
      // Only the handshake's outcome matters here; the certificate is judged by the main check.
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(undefined);
    }, timeoutMs);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      const negotiated = `${socket.getProtocol() ?? "?"} ${socket.getCipher()?.standardName ?? "?"}`;
      socket.destroy();
      resolve(negotiated);
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (cannotOffer.test(`${err.code} ${err.message}`))
        reject(new Error(`could not offer ${offer.what}: ${err.message}`));
      else resolve(undefined);
    });
  });
}

/** The `tls` check: every TLS endpoint of the system, in parallel; one line per endpoint that is wrong. */
export async function tlsCheck(target: Target, system: SystemName, timeoutMs = 5_000): Promise<CheckResult> {
  return timed(system, "tls", async () => {
    const caPem = system === "kafka" ? target.kafka.ca : target.rabbitmq.ca;
    const ca = caPem === undefined ? undefined : new X509Certificate(caPem);
    const endpoints = tlsEndpoints(target, system);
    const now = new Date();
    const results = await Promise.all(
      endpoints.map(async (e) => {
        try {
          const p = await presentedCertificate(e, caPem, timeoutMs);
          const problems = certificateProblems(p.certificate, ca, e.host, now);
          if (problems.length === 0 && !p.authorized)
            problems.push(`the handshake refused it: ${p.authorizationError}`);
          for (const offer of refusedOffers) {
            const negotiated = await acceptsOffer(e, offer, timeoutMs);
            if (negotiated !== undefined) problems.push(`it accepts ${offer.what} (${negotiated})`);
          }
          return { e, problems, validTo: p.certificate.validTo, protocol: p.protocol };
        } catch (err) {
          return { e, problems: [(err as Error).message], validTo: undefined, protocol: undefined };
        }
      }),
    );
    const bad = results.filter((r) => r.problems.length > 0);
    if (bad.length > 0) throw new Error(bad.map((r) => `${r.e.what}: ${r.problems.join("; ")}`).join(" | "));
    const expiries = results.map((r) => new Date(r.validTo as string).getTime());
    const protocols = [...new Set(results.map((r) => r.protocol))].join(", ");
    return (
      `${endpoints.length} endpoints present a certificate that chains to ${ca ? ca.subject.replaceAll("\n", ", ") : "a system CA"} ` +
      `and names its host (${protocols}); first expiry ${new Date(Math.min(...expiries)).toISOString()}; ` +
      `each refuses ${refusedOffers.map((o) => o.what).join(" and ")}`
    );
  });
}

/** How a refused connection failed, in words: refused outright, closed, or no answer at all (filtered). */
export function refusal(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  if (/ECONNREFUSED/.test(m)) return "connection refused";
  if (/timed? ?out|no answer|ETIMEDOUT/i.test(m)) return "no answer (filtered)";
  return `refused (${m.length > 80 ? `${m.slice(0, 77)}...` : m})`;
}

/** Pure: the endpoints where a plaintext client must be refused. */
export function plaintextEndpoints(target: Target, system: SystemName): string[] {
  return system === "kafka" ? target.kafka.bootstrapServers : (target.rabbitmq.plaintextUrls ?? []);
}

/**
 * The `plaintext refused` check. Kafka: a SASL client without TLS, with the right password, against each broker's
 * client listener (which speaks TLS on that port). RabbitMQ: AMQP and the management API without TLS on their
 * plaintext ports, with the right credentials. Each must fail; one that succeeds fails the check, naming it.
 */
export async function plaintextRefusedCheck(
  target: Target,
  system: SystemName,
  timeoutMs = 3_000,
): Promise<CheckResult> {
  return timed(system, "plaintext refused", async () => {
    const endpoints = plaintextEndpoints(target, system);
    if (endpoints.length === 0) throw new Error("the target lists no plaintext endpoint to try");
    const attempts = await Promise.all(
      endpoints.map(async (endpoint) => {
        try {
          await plaintextAttempt(target, system, endpoint, timeoutMs);
          return { endpoint, accepted: true, how: "accepted" };
        } catch (err) {
          return { endpoint, accepted: false, how: refusal(err) };
        }
      }),
    );
    const accepted = attempts.filter((a) => a.accepted);
    if (accepted.length > 0)
      throw new Error(`a plaintext client was served at ${accepted.map((a) => a.endpoint).join(", ")}`);
    return attempts.map((a) => `${a.endpoint}: ${a.how}`).join("; ");
  });
}

async function plaintextAttempt(target: Target, system: SystemName, endpoint: string, timeoutMs: number) {
  if (system === "kafka") {
    const t = target.kafka;
    const admin = new Kafka({
      clientId: "mp-gate-plaintext",
      brokers: [endpoint],
      ssl: false,
      socketFactory: kafkajsSocketFactory,
      sasl: t.sasl,
      connectionTimeout: timeoutMs,
      authenticationTimeout: timeoutMs,
      requestTimeout: timeoutMs,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    }).admin();
    try {
      await admin.connect();
      await admin.listTopics();
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    return;
  }
  const r = target.rabbitmq;
  const u = new URL(endpoint);
  if (u.protocol === "amqp:") {
    u.username = encodeURIComponent(r.username);
    u.password = encodeURIComponent(r.password);
    const conn = await amqp.connect(u.toString(), { timeout: timeoutMs });
    await conn.close();
    return;
  }
  const res = await httpRequest(new URL("/api/overview", u), {
    method: "GET",
    headers: { authorization: `Basic ${Buffer.from(`${r.username}:${r.password}`).toString("base64")}` },
    timeoutMs,
  });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
}
