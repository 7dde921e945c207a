import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { carryLines } from "../../../smoke-tests/reports/carry";
import { landGateReports, localizedReport } from "../gate-reports";
import { gateReportFromLog } from "../in-cluster";

describe("the in-cluster gate's report, read from its pod's log", () => {
  it("from the report's first line to the end, progress lines left out", () => {
    const log =
      "smoke gate: checking the target…\n[ 5.0s] kafka: sent 10/s\nsmoke gate on cluster: PASS in 90.0 s\n\nKafka\n  ✓ x\n";
    expect(gateReportFromLog(log)).toBe("smoke gate on cluster: PASS in 90.0 s\n\nKafka\n  ✓ x");
  });

  it("a log without a report (the gate crashed): its last lines", () => {
    expect(gateReportFromLog("a\nb\nError: boom\n")).toBe("a\nb\nError: boom");
  });
});

describe("the in-cluster gate's report files, brought back from its log", () => {
  const files = [
    { path: "gate-20261207T013200Z-ed42f3/gate.json", content: Buffer.from('{"passed":false}\n') },
    { path: "gate-20261207T013200Z-ed42f3-node-failure/report.html", content: Buffer.from("<html></html>") },
  ];
  const report =
    "smoke gate on cluster: FAIL in 205.3 s\n\nreport: /reports/gate-20261207T013200Z-ed42f3/gate.json\n" +
    "drill report: /reports/gate-20261207T013200Z-ed42f3-node-failure/report.html (234.7 s)";

  it("the report names where they are on this machine, not in the pod", () => {
    expect(localizedReport(report, files, "/home/me/mp/reports")).toBe(
      "smoke gate on cluster: FAIL in 205.3 s\n\nreport: /home/me/mp/reports/gate-20261207T013200Z-ed42f3/gate.json\n" +
        "drill report: /home/me/mp/reports/gate-20261207T013200Z-ed42f3-node-failure/report.html (234.7 s)",
    );
  });

  it("written under the local reports folder; the carried lines are not part of the report a person reads", () => {
    const root = mkdtempSync(join(tmpdir(), "mp-gate-reports-test-"));
    try {
      const log = `[ 5.0s] progress\n${report}\n${carryLines(files).join("\n")}\n`;
      const read = gateReportFromLog(log);
      expect(read).toBe(report);
      expect(landGateReports(log, read, root)).toContain(`report: ${root}/gate-20261207T013200Z-ed42f3/gate.json`);
      expect(readFileSync(join(root, files[1]?.path ?? ""), "utf8")).toBe("<html></html>");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
