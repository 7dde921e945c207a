// Every message the verifiers send carries its id and send time in the body, so the consumer side can be
// counted (ledger) and timed (end-to-end latency) without trusting broker metadata.
// Layout: "<id> <sentAtMs>\n" followed by padding up to the requested size.

export interface Envelope {
  id: string;
  sentAt: number;
  body: Buffer;
}

const PAD = 0x2e; // '.', printable so a human can read a message in a broker UI

export function encodeEnvelope(id: string, sentAt: number, size: number): Envelope {
  if (/\s/.test(id)) throw new Error(`message id must not contain whitespace: ${JSON.stringify(id)}`);
  const header = Buffer.from(`${id} ${sentAt}\n`, "utf8");
  const body = Buffer.alloc(Math.max(size, header.length), PAD);
  header.copy(body);
  return { id, sentAt, body };
}

/**
 * The id a consumer reports for a body that encodeEnvelope did not write: never a valid message id, so the ledger
 * counts it as unexpected (a corrupted or foreign message must not pass unnoticed).
 */
export function unreadableBodyId(body: Buffer | null): string {
  return `unreadable body of ${body?.length ?? 0} bytes`;
}

/** Returns undefined for bodies that were not written by encodeEnvelope (foreign traffic). */
export function decodeEnvelope(body: Buffer): { id: string; sentAt: number } | undefined {
  const nl = body.indexOf(0x0a);
  if (nl <= 0 || nl > 256) return undefined;
  const [id, sentAt] = body.subarray(0, nl).toString("utf8").split(" ");
  const t = Number(sentAt);
  if (!id || !Number.isFinite(t)) return undefined;
  return { id, sentAt: t };
}
