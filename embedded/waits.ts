// Waiting is always on a condition with a named timeout, never a bare sleep: a timeout says what never happened.
import { appendFileSync } from "node:fs";

export class WaitTimeout extends Error {}

/** MP_TRACE_WAITS=<file> appends how long each wait took: where the time of a slow `up` or test goes. */
function trace(line: string): void {
  const file = process.env.MP_TRACE_WAITS;
  if (file) appendFileSync(file, `${new Date().toISOString()} ${line}\n`);
}

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls `probe` until it returns something other than undefined/false, or fails with a message naming `what`
 * and the last error the probe threw.
 */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  intervalMs = 500,
): Promise<T> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  let lastError = "";
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) {
        trace(`${((Date.now() - started) / 1000).toFixed(1)} s waiting for ${what}`);
        return value;
      }
      lastError = "";
    } catch (e) {
      lastError = e instanceof Error ? e.message : String(e);
    }
    if (Date.now() >= deadline) {
      throw new WaitTimeout(
        `timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${lastError ? ` (last error: ${lastError})` : ""}`,
      );
    }
    await delay(intervalMs);
  }
}
