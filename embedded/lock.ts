// One environment operation at a time (an `up` from a test and a `down` from a terminal must not interleave).
// The lock file holds the owner's pid; a lock left by a dead process is taken over.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { machinePaths } from "./state";
import { waitFor } from "./waits";

function ownerAlive(): boolean {
  try {
    const pid = Number.parseInt(readFileSync(machinePaths.lock, "utf8"), 10);
    if (pid === process.pid) return false;
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function tryAcquire(): boolean {
  mkdirSync(dirname(machinePaths.lock), { recursive: true });
  try {
    writeFileSync(machinePaths.lock, String(process.pid), { flag: "wx" });
    return true;
  } catch {
    if (ownerAlive()) return false;
    rmSync(machinePaths.lock, { force: true });
    return false;
  }
}

export async function withLock<T>(what: string, fn: () => Promise<T>, timeoutMs = 300_000): Promise<T> {
  await waitFor(`the environment lock (${machinePaths.lock}) for ${what}`, timeoutMs, tryAcquire, 250);
  try {
    return await fn();
  } finally {
    rmSync(machinePaths.lock, { force: true });
  }
}
