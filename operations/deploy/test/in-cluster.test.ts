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
