// After `pulumi up`: wait until both clusters are healthy through the same probes the drills use, so the gate never
// starts against a cluster that is still rolling.

import type { SystemName } from "../../contract/systems";
import type { Target } from "../../contract/target";
import { harnessFor } from "../../smoke-tests/drills/harness";

export async function waitHealthy(
  target: Target,
  systems: SystemName[],
  timeoutMs: number,
  progress: (line: string) => void,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const details: string[] = [];
  for (const system of systems) {
    const harness = harnessFor(target, system);
    let last = "";
    try {
      for (;;) {
        const h = await harness.health();
        if (h.healthy) {
          details.push(`${system}: ${h.detail}`);
          break;
        }
        if (h.detail !== last) progress(`waiting for ${system}: ${h.detail}`);
        last = h.detail;
        if (Date.now() > deadline) throw new Error(`${system} not healthy within ${timeoutMs / 1000} s: ${h.detail}`);
        await new Promise((r) => setTimeout(r, 2_000));
      }
    } finally {
      await harness.close();
    }
  }
  return details.join("; ");
}
