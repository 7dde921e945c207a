// The few lines of judgement every format shows first: did we lose anything, and how long were we down.
import type { LostMessage } from "../ledger/total-queue";
import type { FaultRecovery, RecoveryMeasure } from "../recovery/recovery";
import { formatCount, formatMs } from "./format";
import type { SystemRun, VerdictLine } from "./run-report";

export type Tone = "good" | "warn" | "bad";

export interface VerdictCell {
  label: string;
  value: string;
  tone: Tone;
  /** Why this tone, for a tooltip or a footnote. */
  note: string;
}

/** lost / unexpected / re-delivered / duplicate writes, each with the tone the durability rules give it. */
export function ledgerCells(run: SystemRun): VerdictCell[] {
  const c = run.ledger.counts;
  return [
    {
      label: "lost",
      value: formatCount(c.lost),
      tone: c.lost > 0 ? "bad" : "good",
      note: "acknowledged, never consumed; must be 0",
    },
    {
      label: "unexpected",
      value: formatCount(c.unexpected),
      tone: c.unexpected > 0 ? "bad" : "good",
      note: "consumed, never sent; must be 0",
    },
    {
      label: "re-delivered",
      value: formatCount(c.redelivered),
      tone: c.redelivered === 0 ? "good" : run.ledger.duplicatesAllowed ? "warn" : "bad",
      note: "the same write read again after a consumer restart; allowed (at-least-once delivery)",
    },
    {
      label: "duplicate writes",
      value: formatCount(c.duplicateWrites),
      // Kafka's producer is idempotent: one id at two offsets is a failure. RabbitMQ has no idempotent publish.
      tone: c.duplicateWrites === 0 ? "good" : run.system === "kafka" ? "bad" : "warn",
      note: "one message written twice (Kafka: two offsets; RabbitMQ: two unflagged copies); 0 with idempotence",
    },
  ];
}

export function recoveryText(measure: RecoveryMeasure): string {
  switch (measure.status) {
    case "recovered":
      return formatMs(measure.ms);
    case "not-disrupted":
      return "not disrupted";
    case "not-recovered":
      return "NOT RECOVERED";
    case "no-data":
      return "no data";
  }
}

export function recoveryTone(measure: RecoveryMeasure): Tone {
  return measure.status === "not-recovered" ? "bad" : measure.status === "no-data" ? "warn" : "good";
}

/** Every named reason of a drill's verdict, passed or not, followed by the ledger's two that must hold. */
export function verdictLines(run: SystemRun): VerdictLine[] {
  const c = run.ledger.counts;
  return [
    ...(run.verdict ?? []),
    {
      name: "no acknowledged message lost",
      passed: c.lost === 0,
      detail: `${formatCount(c.lost)} lost of ${formatCount(c.acknowledged)} acknowledged`,
    },
    {
      name: "nothing unexpected consumed",
      passed: c.unexpected === 0,
      detail: `${formatCount(c.unexpected)} unexpected`,
    },
  ];
}

/** "asked 20.00 s, landed 20.31 s": both moments of a fault; recovery is timed from the second. */
export function faultTimesText(recovery: FaultRecovery): string {
  const { atMs, landedAtMs } = recovery.fault;
  return `asked ${formatMs(atMs)}, ${landedAtMs === undefined ? "landing not reported" : `landed ${formatMs(landedAtMs)}`}`;
}

/** How many publishes awaited their outcome when the fault struck; "n/a" for a fault recorded without the count. */
export function inFlightText(recovery: FaultRecovery): string {
  const n = recovery.fault.inFlight;
  return n === undefined ? "n/a" : formatCount(n);
}

/** "run/p0/17 at p0@42" for Kafka, where to look in the log; the bare id when the write has no position. */
export function lostMessageText(m: LostMessage): string {
  return m.partition === undefined ? m.id : `${m.id} at p${m.partition}@${m.offset}`;
}

/** The first few lost messages for a human to read, and how many more report.json lists (or counts) beyond them. */
export function lostSample(run: SystemRun, shown = 10): { lines: string[]; more: number } {
  const lines = run.ledger.lostMessages.slice(0, shown).map(lostMessageText);
  return { lines, more: run.ledger.counts.lost - lines.length };
}
