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

  it("come back from parts shorter than a container runtime's log line, and name a part the log lost", () => {
    const big = {
      path: "gate-x-node-failure/report.json",
      content: Buffer.from(JSON.stringify(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 1009))),
    };
    const lines = carryLines([big], 100);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.every((l) => l.length < 100 + 60)).toBe(true);
    expect(carriedFiles(lines.join("\n"))).toEqual([big]);
    const cut = lines.slice(0, -1).join("\n");
    expect(() => carriedFiles(cut)).toThrow(
      `carried report file gate-x-node-failure/report.json: part(s) ${lines.length} of ${lines.length} missing from the log`,
    );
  });

  it("refuse a path that would leave the reports folder, and a line that does not decode", () => {
    const evil = carryLines([{ path: "gate/../../etc/passwd", content: Buffer.from("x") }]).join("\n");
    expect(() => carriedFiles(evil)).toThrow('carried report file "gate/../../etc/passwd": not a plain path');
    expect(() => carriedFiles(`${carriedFileMarker}/etc/passwd 1/1 eA==`)).toThrow("not a plain path");
    expect(() => carriedFiles(`${carriedFileMarker}gate/gate.json 1/1 bm90IGd6aXA=`)).toThrow(
      "carried report file gate/gate.json: does not decode",
    );
  });
});
