// Whether e2e stops the embedded default at its end: it leaves running nothing it started, and stops nothing it did
// not (an embedded environment already running belongs to whoever started it).

/**
 * `leftoversBefore`: what embedded/environment.ts `leftovers()` found before e2e's `embedded up` (namespaces, mounts,
 * the bridge; empty when nothing ran). `upAttempted`: e2e called `embedded up` (a failed or half-done up counts: what
 * it started must go).
 */
export function e2eStopsEmbedded(leftoversBefore: string[], upAttempted: boolean): boolean {
  return upAttempted && leftoversBefore.length === 0;
}
