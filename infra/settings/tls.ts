// Stack config `tls:`: TLS on every listener of both systems, with a CA and server certificates the program generates
// and keeps as Pulumi secrets (infra/components/certificates.ts). On by default; staging and production cannot turn
// it off, and a stack serves plaintext only when it says so itself (`tls: {enabled: false}`), as the embedded and dev
// stacks do.
import type { Problems } from "../problems";
import type { Environment, Platform } from "./levels";

export interface TlsSettings {
  /** Every Kafka listener (client, inter-broker, controller) and RabbitMQ's AMQP and management API over TLS. */
  enabled: boolean;
  /** Days a server certificate is valid from its issue (never beyond its CA). */
  validityDays: number;
  /** Days the stack's CA is valid. */
  caValidityDays: number;
  /** Raise it to re-issue both server certificates under the same CA through `pulumi up` (rotation). */
  renewal: number;
  /**
   * RabbitMQ's Erlang distribution (clustering and quorum-queue replication, which carries every message body) over
   * TLS too. On with TLS; only a development stack may turn it off (to measure what it costs: docs/security.md).
   */
  distribution: boolean;
}

export const defaultTls: Omit<TlsSettings, "enabled" | "distribution"> = {
  validityDays: 365,
  caValidityDays: 3650,
  renewal: 0,
};
const tlsKeys = ["enabled", "validityDays", "caValidityDays", "renewal", "distribution"] as const;

export function parseTls(
  p: Problems,
  value: unknown,
  env: Environment | undefined,
  platform: Platform | undefined,
): TlsSettings | undefined {
  const raw = p.object("tls", value, true);
  if (!raw) return undefined;
  p.knownKeys("tls", raw, tlsKeys);
  const embedded = platform === "embedded";
  let enabled: boolean | undefined = true;
  if (raw.enabled !== undefined) enabled = p.bool("tls.enabled", raw.enabled);
  else if (embedded) {
    enabled = p.add(
      "tls.enabled",
      undefined,
      "must be set: the embedded platform serves plaintext, and a stack runs without TLS only when it says so (tls: {enabled: false})",
    );
  }
  if (enabled === true && embedded) {
    p.add("tls.enabled", true, "is not available on the embedded platform (its brokers serve plaintext): set false");
  }
  if (enabled === false && (env === "staging" || env === "production")) {
    p.add("tls.enabled", false, `must be true in ${env}: every listener is encrypted outside development`);
  }
  const validityDays = p.int("tls.validityDays", raw.validityDays ?? defaultTls.validityDays, 1);
  const caValidityDays = p.int("tls.caValidityDays", raw.caValidityDays ?? defaultTls.caValidityDays, 1);
  const renewal = p.int("tls.renewal", raw.renewal ?? defaultTls.renewal, 0);
  const distribution = raw.distribution === undefined ? enabled : p.bool("tls.distribution", raw.distribution);
  if (distribution === true && enabled === false) {
    p.add("tls.distribution", true, "needs tls.enabled: the distribution uses the same certificates");
  }
  if (distribution === false && enabled === true && (env === "staging" || env === "production")) {
    p.add("tls.distribution", false, `must be true in ${env}: quorum-queue replication carries every message body`);
  }
  if (validityDays !== undefined && caValidityDays !== undefined && validityDays > caValidityDays) {
    p.add(
      "tls.validityDays",
      validityDays,
      `is more than tls.caValidityDays = ${caValidityDays}: a certificate cannot outlive its CA`,
    );
  }
  if (
    enabled === undefined ||
    validityDays === undefined ||
    caValidityDays === undefined ||
    renewal === undefined ||
    distribution === undefined
  )
    return undefined;
  return { enabled, validityDays, caValidityDays, renewal, distribution };
}
