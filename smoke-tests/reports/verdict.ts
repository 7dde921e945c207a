// The few lines of judgement every format shows first: did we lose anything, and how long were we down.
import type { RecoveryMeasure } from "../recovery/recovery";
import { formatCount, formatMs } from "./format";
import type { SystemRun } from "./run-report";

export type Tone = "good" | "warn" | "bad";

export interface VerdictCell {
  label: string;
  value: string;
  tone: Tone;
  /** Why this tone, for a tooltip or a footnote. */
  note: string;
}

/** lost / unexpected / duplicated, each with the tone the durability rules give it. */
export function ledgerCells(run: SystemRun): VerdictCell[] {
  const c = run.ledger.counts;
  return [
    { label: "lost", value: formatCount(c.lost), tone: c.lost > 0 ? "bad" : "good", note: "acknowledged, never consumed; must be 0" },
    {
      label: "unexpected",
      value: formatCount(c.unexpected),
      tone: c.unexpected > 0 ? "bad" : "good",
      note: "consumed, never sent; must be 0",
    },
    {
      label: "duplicated",
      value: formatCount(c.duplicated),
      tone: c.duplicated === 0 ? "good" : run.ledger.duplicatesAllowed ? "warn" : "bad",
      note: run.ledger.duplicatesAllowed ? "consumed more than once; allowed (at-least-once)" : "must be 0 with idempotence",
    },
  ];
}

export function recoveryText(measure: RecoveryMeasure): string {
  switch (measure.status) {
    case "recovered":
      return formatMs(measure.ms);
    case "not-disrupted":
      return `${formatMs(measure.ms)} (not disrupted)`;
    case "not-recovered":
      return "NOT RECOVERED";
    case "no-data":
      return "no data";
  }
}

export function recoveryTone(measure: RecoveryMeasure): Tone {
  return measure.status === "not-recovered" ? "bad" : measure.status === "no-data" ? "warn" : "good";
}
