// Every message carries an id that names the run, the producer and a per-producer sequence number. The run id keeps
// leftovers from an earlier run (still in a topic or queue) from counting as ours; the sequence lets the ledger keep
// its bookkeeping in dense typed arrays instead of one object per message (10^6 messages must fit easily).
import { randomBytes } from "node:crypto";

export interface MessageIdParts {
  runId: string;
  producer: string;
  seq: number;
}

const separator = "/";

/** A run id that sorts by start time and is unique enough across concurrent runs: 20250101T120000Z-1a2b3c. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

export function formatMessageId(parts: MessageIdParts): string {
  if (parts.runId.includes(separator) || parts.producer.includes(separator)) {
    throw new Error(`run id and producer must not contain "${separator}": ${parts.runId}, ${parts.producer}`);
  }
  if (!Number.isSafeInteger(parts.seq) || parts.seq < 0)
    throw new Error(`seq must be a non-negative integer: ${parts.seq}`);
  return `${parts.runId}${separator}${parts.producer}${separator}${parts.seq}`;
}

/** Returns undefined for anything that is not an id we could have written (it then counts as unexpected). */
export function parseMessageId(id: string): MessageIdParts | undefined {
  const fields = id.split(separator);
  if (fields.length !== 3) return undefined;
  const [runId, producer, seqText] = fields as [string, string, string];
  if (runId === "" || producer === "" || !/^\d+$/.test(seqText)) return undefined;
  const seq = Number(seqText);
  return Number.isSafeInteger(seq) ? { runId, producer, seq } : undefined;
}
