// Live progress a person can follow: one line per phase and a rate line, rewritten in place on a terminal.
import type { ProgressSample } from "../workload/workload";
import { formatProgressLine, paintFor } from "./terminal";

/** Live progress: rewritten in place on a terminal, one line every 5 s otherwise (CI logs stay readable). */
export function progressPrinter(started = Date.now()) {
  const tty = Boolean(process.stdout.isTTY);
  const paint = paintFor(process.stdout);
  let lastPrinted = 0;
  return {
    line(text: string) {
      if (tty) process.stdout.write("\r\x1b[2K");
      process.stdout.write(`${text}\n`);
    },
    sample(phase: string, s: ProgressSample) {
      const now = Date.now();
      if (!tty && now - lastPrinted < 5_000) return;
      lastPrinted = now;
      const text = formatProgressLine(
        {
          phase,
          elapsedMs: now - started,
          sentPerSecond: s.sentPerSec,
          ackedPerSecond: s.ackedPerSec,
          consumedPerSecond: s.consumedPerSec,
          inFlight: s.inFlight,
          unseen: s.unseen,
          errors: s.errors,
        },
        paint,
      );
      if (tty) process.stdout.write(`\r\x1b[2K${text}`);
      else process.stdout.write(`${text}\n`);
    },
  };
}

export type ProgressPrinter = ReturnType<typeof progressPrinter>;
