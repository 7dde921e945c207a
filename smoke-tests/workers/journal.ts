// The wire between a worker and the coordinator that merges its ledger: one JSON array per line. A worker writes a
// record the moment each outcome happens (publish attempted, acknowledged, failed, unknown; each delivery), so a
// worker killed mid-run has already handed over every acknowledgement it received; the coordinator answers with
// commands. Pure: encode and decode only, no sockets.

import type { SystemName } from "../../contract/systems";
import type { Target } from "../../contract/target";
import type { PublishOutcome, Received } from "../clients/types";
import type { HarnessOptions } from "../drills/harness";
import type { WorkloadOptions } from "../workload/workload";

/** What a worker streams to the coordinator, in the order it happened. */
export type JournalRecord =
  | { kind: "hello"; worker: number; token: string }
  | { kind: "ready" }
  | { kind: "sent"; at: number; ids: string[] }
  | { kind: "outcome"; at: number; id: string; outcome: PublishOutcome }
  | { kind: "delivered"; consumer: string; received: Received }
  | { kind: "error"; what: string }
  /** cpuMicros: the worker's CPU (user + system) from "produce" to here, for the per-core rate of a plan. */
  | { kind: "stopped"; cpuMicros?: number }
  | { kind: "ends"; atEnd: boolean; detail: string }
  | { kind: "closed" };

/** What one worker runs: its share of the load, on the system and destination the coordinator's drill uses. */
export interface WorkerAssignment {
  runId: string;
  target: Target;
  system: SystemName;
  harness: HarnessOptions;
  workload: WorkloadOptions;
  publishers: number;
}

/** What the coordinator tells a worker; "ends?" asks whether its subscriber has read all the broker holds. */
export type WorkerCommand =
  | { kind: "assign"; assignment: WorkerAssignment }
  | { kind: "produce" }
  | { kind: "stop" }
  | { kind: "ends?" }
  | { kind: "close" };

/** The producer names of worker `worker`: its index in every id, so no two workers' ids can collide. */
export const workerProducer = (worker: number, publisher: number): string => `w${worker}-p${publisher}`;

export function encodeRecord(r: JournalRecord): string {
  return `${JSON.stringify(tuple(r))}\n`;
}

function tuple(r: JournalRecord): unknown[] {
  switch (r.kind) {
    case "hello":
      return ["hello", r.worker, r.token];
    case "sent":
      return ["s", r.at, r.ids];
    case "outcome": {
      const o = r.outcome;
      if (o.type === "ok")
        return o.position ? ["o", r.at, r.id, o.position.partition, o.position.offset] : ["o", r.at, r.id];
      return [o.type === "fail" ? "f" : "u", r.at, r.id, o.error];
    }
    case "delivered": {
      const d = r.received;
      // NaN (a body without a send time) has no JSON form: null stands for it.
      const sentAt = Number.isNaN(d.sentAt) ? null : d.sentAt;
      return [
        "d",
        r.consumer,
        d.id,
        sentAt,
        d.receivedAt,
        d.partition ?? null,
        d.offset ?? null,
        d.redelivered ?? null,
      ];
    }
    case "error":
      return ["e", r.what];
    case "ends":
      return ["ends", r.atEnd, r.detail];
    case "stopped":
      return r.cpuMicros === undefined ? ["stopped"] : ["stopped", r.cpuMicros];
    default:
      return [r.kind];
  }
}

/** One line (without its newline) back into a record; an error naming the line and the rule it breaks. */
export function decodeRecord(line: string): JournalRecord {
  const t = parseTuple(line);
  const fail = (rule: string): never => {
    throw new Error(`journal line ${abbreviate(line)}: ${rule}`);
  };
  const num = (i: number) => (typeof t[i] === "number" ? (t[i] as number) : fail(`field ${i} must be a number`));
  const str = (i: number) => (typeof t[i] === "string" ? (t[i] as string) : fail(`field ${i} must be a string`));
  const optional = <T>(i: number, type: string): T | undefined => {
    if (t[i] === null || t[i] === undefined) return undefined;
    return typeof t[i] === type ? (t[i] as T) : fail(`field ${i} must be a ${type} or null`);
  };
  switch (t[0]) {
    case "hello":
      return { kind: "hello", worker: num(1), token: str(2) };
    case "s": {
      const ids = t[2];
      if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string")) return fail("field 2 must list ids");
      return { kind: "sent", at: num(1), ids };
    }
    case "o":
      return {
        kind: "outcome",
        at: num(1),
        id: str(2),
        outcome: t.length > 3 ? { type: "ok", position: { partition: num(3), offset: num(4) } } : { type: "ok" },
      };
    case "f":
    case "u":
      return {
        kind: "outcome",
        at: num(1),
        id: str(2),
        outcome: { type: t[0] === "f" ? "fail" : "info", error: str(3) },
      };
    case "d": {
      const partition = optional<number>(5, "number");
      const offset = optional<string>(6, "string");
      const redelivered = optional<boolean>(7, "boolean");
      return {
        kind: "delivered",
        consumer: str(1),
        received: {
          id: str(2),
          sentAt: optional<number>(3, "number") ?? Number.NaN,
          receivedAt: num(4),
          ...(partition === undefined ? {} : { partition }),
          ...(offset === undefined ? {} : { offset }),
          ...(redelivered === undefined ? {} : { redelivered }),
        },
      };
    }
    case "e":
      return { kind: "error", what: str(1) };
    case "ends":
      return typeof t[1] === "boolean"
        ? { kind: "ends", atEnd: t[1], detail: str(2) }
        : fail("field 1 must be true or false");
    case "stopped": {
      const cpuMicros = optional<number>(1, "number");
      return cpuMicros === undefined ? { kind: "stopped" } : { kind: "stopped", cpuMicros };
    }
    case "ready":
    case "closed":
      return { kind: t[0] };
    default:
      return fail(
        `${JSON.stringify(t[0])} is not a journal record (hello, s, o, f, u, d, e, ready, stopped, ends, closed)`,
      );
  }
}

export function encodeCommand(c: WorkerCommand): string {
  return `${JSON.stringify(c)}\n`;
}

export function decodeCommand(line: string): WorkerCommand {
  const c = JSON.parse(line) as WorkerCommand;
  const kinds = ["assign", "produce", "stop", "ends?", "close"];
  if (typeof c !== "object" || c === null || !kinds.includes(c.kind)) {
    throw new Error(`worker command ${abbreviate(line)}: kind must be one of ${kinds.join(", ")}`);
  }
  return c;
}

function parseTuple(line: string): unknown[] {
  let t: unknown;
  try {
    t = JSON.parse(line);
  } catch {
    throw new Error(`journal line ${abbreviate(line)}: not JSON`);
  }
  if (!Array.isArray(t) || t.length === 0) throw new Error(`journal line ${abbreviate(line)}: must be a JSON array`);
  return t;
}

const abbreviate = (line: string) => JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}…` : line);

/**
 * Cuts a byte stream into lines. A stream that ends without a final newline ends mid-record (its writer died while
 * writing): end() returns that cut-off tail, so the reader can say so instead of decoding half a record.
 */
export class LineSplitter {
  private tail = "";

  push(chunk: string): string[] {
    const lines = (this.tail + chunk).split("\n");
    this.tail = lines.pop() as string;
    return lines.filter((l) => l !== "");
  }

  /** The cut-off last line, or undefined when the stream ended on a line boundary. */
  end(): string | undefined {
    const tail = this.tail;
    this.tail = "";
    return tail === "" ? undefined : tail;
  }
}
