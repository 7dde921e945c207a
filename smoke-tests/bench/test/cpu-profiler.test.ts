// --profile's capture: a real profile of this process around a body, written where the bench's report goes, and
// summarized under its label (no broker: the body is a busy loop of our own).
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CpuProfiler } from "../cpu-profiler";

function spinForProfile(ms: number): number {
  const until = Date.now() + ms;
  let x = 0;
  while (Date.now() < until) x += Math.sqrt(x + 1);
  return x;
}

describe("CpuProfiler", () => {
  const dir = mkdtempSync(join(tmpdir(), "mp-bench-profile-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("profiles each round into <file>.cpuprofile, sums a label's rounds, and returns what the body returned", async () => {
    const profiler = new CpuProfiler(dir, process.cwd());
    try {
      for (const round of [1, 2]) {
        const result = await profiler.around("kafka, test producer", `kafka-test-round${round}`, async () => {
          spinForProfile(150);
          return round;
        });
        expect(result).toBe(round);
      }
      const [summary, ...more] = profiler.summaries();
      expect(more).toEqual([]);
      expect(summary?.label).toBe("kafka, test producer");
      expect(summary?.files).toEqual([
        join(dir, "kafka-test-round1.cpuprofile"),
        join(dir, "kafka-test-round2.cpuprofile"),
      ]);
      for (const f of summary?.files ?? []) {
        expect(existsSync(f)).toBe(true);
        expect(JSON.parse(readFileSync(f, "utf8"))).toHaveProperty("samples");
      }
      // Sampled time is wall time (idle included); the spin is busy, and ours, named by its folder.
      expect(summary?.summary.sampledMs).toBeGreaterThan(250);
      expect(summary?.summary.top.map((t) => `${t.pkg} ${t.name}`)).toContain("smoke-tests/bench/test spinForProfile");
      expect(profiler.summaries()).toEqual([]);
    } finally {
      profiler.close();
    }
  });
});
