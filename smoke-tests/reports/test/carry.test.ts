import { carriedFileMarker, carriedFiles, carryLines, withoutCarried } from "../carry";

describe("reports carried in a log", () => {
  const files = [
    { path: "gate-20261207T013200Z-ed42f3/gate.json", content: Buffer.from('{"passed":true}\n') },
    { path: "gate-20261207T013200Z-ed42f3-node-failure/report.html", content: Buffer.from("<html>ü ✓</html>") },
  ];

  it("come back byte for byte, each under its own path, whatever else the log says", () => {
    const log = ["smoke gate on cluster: PASS", "report: /reports/x/gate.json", ...carryLines(files), ""].join("\n");
    expect(carriedFiles(log)).toEqual(files);
    expect(withoutCarried(log)).toBe("smoke gate on cluster: PASS\nreport: /reports/x/gate.json\n");
  });

  it("refuse a path that would leave the reports folder, and a line that does not decode", () => {
    const evil = carryLines([{ path: "gate/../../etc/passwd", content: Buffer.from("x") }]).join("\n");
    expect(() => carriedFiles(evil)).toThrow('carried report file "gate/../../etc/passwd": not a plain path');
    expect(() => carriedFiles(`${carriedFileMarker}/etc/passwd eA==`)).toThrow("not a plain path");
    expect(() => carriedFiles(`${carriedFileMarker}gate/gate.json bm90IGd6aXA=`)).toThrow(
      "carried report file gate/gate.json: does not decode",
    );
  });
});
