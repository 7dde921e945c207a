// The deliberate break of the end-to-end run: a kill-leader whose kill hits a decoy beside the broker (`--kill decoy`).
// The drill's own checks must catch it for real: the fault did not take effect, writes were not disrupted, and the
// platform noticed nothing. Pure: tested directly.
import type { DrillFigures } from "./summary";

/**
 * What the harmless run must show, per system: nothing lost or unexpected, "fault took effect" failed, writes "not
 * disrupted" (a status, never 0.0 s), and "the platform noticed" failed where the target has a Prometheus. Returns the
 * step's one-line result, or throws naming every expectation it missed.
 */
export function judgeHarmless(figures: readonly DrillFigures[], withPrometheus: boolean): string {
  if (figures.length === 0) throw new Error("the harmless run reported no system");
  const missed: string[] = [];
  const lines = figures.map((f) => {
    const noticed = f.platform?.noticed;
    if (f.lost !== 0 || f.unexpected !== 0) missed.push(`${f.system}: lost ${f.lost}, unexpected ${f.unexpected}`);
    if (f.faultTookEffect) missed.push(`${f.system}: "fault took effect" passed (${f.effect})`);
    if (!f.writesNotDisrupted) {
      const stall =
        f.writesRecoveredMs === null ? "not recovered" : `stalled ${(f.writesRecoveredMs / 1000).toFixed(1)} s`;
      missed.push(`${f.system}: writes were disrupted (${stall})`);
    }
    if (withPrometheus && noticed?.passed !== false)
      missed.push(`${f.system}: "the platform noticed" ${noticed ? "passed" : "was not judged"}`);
    return `${f.system}: fault took effect ✗, writes not disrupted${noticed ? `, the platform noticed ✗ (${noticed.detail})` : ""}`;
  });
  if (missed.length > 0) throw new Error(`a harmless fault was not caught: ${missed.join("; ")}`);
  return lines.join("; ");
}
