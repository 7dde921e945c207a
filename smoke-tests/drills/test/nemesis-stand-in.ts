// The NemesisContext a scenario's test runs against: it records what the scenario marks, judges and reports, and its
// waits poll on the event loop (no clock); each test gives its own harness, faults, settings and what else differs.
import type { NemesisContext } from "../nemesis";

/** One turn of the event loop: lets the fake cluster's pending work run before the scenario looks again. */
export const eventLoopTurn = () => new Promise<void>((r) => setImmediate(r));

/** The recorded context; `parts` (harness, faults, settings, and any override such as sleep or nodes) is spread last. */
export function recordingNemesisContext(parts: Record<string, unknown>) {
  const effects: Array<{ tookEffect: boolean; detail: string }> = [];
  const checks: Array<{ name: string; passed: boolean; detail: string }> = [];
  const marks: string[] = [];
  const fullService: Array<{ system: string; ms?: number }> = [];
  const ctx = {
    mark: (kind: string, label: string) => marks.push(`${kind}: ${label}`),
    landed: () => undefined,
    killMode: "hold-down",
    killed: () => undefined,
    released: () => undefined,
    fullService: (r: { system: string; ms?: number }) => fullService.push(r),
    waitHealthy: async () => undefined,
    waitForAckAfter: async () => true,
    async waitUntil(condition: () => Promise<boolean>) {
      for (let i = 0; i < 100; i++) {
        if (await condition()) return true;
        await eventLoopTurn();
      }
      return false;
    },
    effect: (tookEffect: boolean, detail: string) => effects.push({ tookEffect, detail }),
    check: (name: string, passed: boolean, detail: string) => checks.push({ name, passed, detail }),
    sleep: eventLoopTurn,
    holdForPlatform: async () => undefined,
    ...parts,
  } as unknown as NemesisContext;
  return { ctx, effects, checks, marks, fullService };
}
