// The bench's JSON report: in a directory of its own per run, under the reports root it is given.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { newBenchReportDir, writeBenchReport } from "../write-report";

describe("writeBenchReport", () => {
  const root = mkdtempSync(join(tmpdir(), "mp-bench-report-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("writes bench.json in reports/bench-<run id>/, the results as they are, and a second run beside it", () => {
    const file = writeBenchReport([], root);
    expect(relative(root, file)).toMatch(/^bench-\d{8}T\d{6}Z-[0-9a-f]{6}\/bench\.json$/);
    expect(readFileSync(file, "utf8")).toBe("[]\n");
    expect(dirname(writeBenchReport([], root))).not.toBe(dirname(file));
  });

  it("writes into a folder made first when the rounds wrote there already (--profile)", () => {
    const dir = newBenchReportDir(root);
    expect(relative(root, dir)).toMatch(/^bench-\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(writeBenchReport([], root, dir)).toBe(join(dir, "bench.json"));
  });
});
