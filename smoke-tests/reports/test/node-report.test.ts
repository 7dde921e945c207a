// The Kubernetes nodes' states in every report format: one lane per node under the client's panels on the same time
// axis, with a legend; report.json carries the segments; Markdown, HTML and the terminal one line per node that was
// anything but Ready; a run without node reads (embedded) shows none of it.
import type { NodeStates } from "../../faults/node-states";
import { renderHtml } from "../html";
import { renderJson } from "../json";
import { renderMarkdown } from "../markdown";
import { nodeChangeLines, nodeReadsText } from "../node-text";
import type { SystemRun } from "../run-report";
import { nodeStateColors, renderTimelineSvg } from "../svg-timeline";
import { formatTerminalSummary } from "../terminal";
import { sampleKafkaRun, sampleReport } from "./sample-run";

// The sample run's timeline starts at 1_700_000_000_000 ms: 22:13:20 UTC.
const frozen: NodeStates = {
  lanes: [
    { node: "cluster-node-1", segments: [{ state: "Ready", fromMs: 0, toMs: 110_000 }] },
    {
      node: "cluster-node-2",
      segments: [
        { state: "Ready", fromMs: 0, toMs: 20_000 },
        { state: "NotReady", fromMs: 20_000, toMs: 115_000 },
        { state: "Ready", fromMs: 115_000, toMs: 120_000 },
      ],
    },
    {
      node: "cluster-node-3",
      segments: [
        { state: "Ready", fromMs: 0, toMs: 30_000 },
        { state: "unknown", fromMs: 30_000, toMs: 31_000 },
        { state: "Ready, cordoned", fromMs: 31_000, toMs: 50_000 },
        { state: "gone", fromMs: 50_000, toMs: 120_000 },
      ],
    },
    { node: "cluster-node-4", segments: [{ state: "Ready", fromMs: 60_000, toMs: 120_000 }] },
  ],
  reads: 120,
  failedReads: 1,
  lastError: "no answer within 5 s",
};
const withNodes = (nodes: NodeStates): SystemRun => ({ ...sampleKafkaRun(), nodes });

describe("the Kubernetes nodes in the reports", () => {
  test("the SVG draws one lane per node, named, each state's segment coloured, a legend, on the shared axis", () => {
    const run = withNodes(frozen);
    const svg = renderTimelineSvg(run.timeline, "t", undefined, run.nodes?.lanes);
    expect(svg).toContain(">Kubernetes nodes</text>");
    for (const node of ["cluster-node-1", "cluster-node-2", "cluster-node-3", "cluster-node-4"])
      expect(svg).toMatch(new RegExp(`<text class="node-name"[^>]*>${node}</text>`));
    expect(svg.match(/class="node-name"/g)).toHaveLength(4);
    expect(svg).toMatch(/data-node="cluster-node-2" data-state="NotReady"[^>]*fill="#cf222e"/);
    expect(svg).toMatch(/data-node="cluster-node-3" data-state="gone"[^>]*fill="#0a3069"/);
    expect(svg).toMatch(/data-node="cluster-node-3" data-state="Ready, cordoned"/);
    expect(svg).toContain("<title>cluster-node-2: NotReady, 20–115 s</title>");
    // Every state in the legend, in its own colour.
    expect(svg.match(/class="node-legend"/g)).toHaveLength(Object.keys(nodeStateColors).length);
    for (const [state, color] of Object.entries(nodeStateColors))
      expect(svg).toMatch(
        new RegExp(`class="node-legend"[^>]*fill="${color.fill}"[^>]*/>\\s*<text[^>]*>${state}</text>`),
      );
    // The axis reaches the nodes' last read (120 s), past the 60 s of client load.
    expect(svg).toMatch(/>120 s</);
    expect(svg).not.toContain("NaN");
  });

  test("the colours: six distinct ones, Ready light (quiet), NotReady and gone dark (loud), a cordon between", () => {
    // WCAG relative luminance: 0 is black, 1 white.
    const luminance = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => {
        const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      }) as [number, number, number];
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const fills = Object.values(nodeStateColors).map((c) => c.fill);
    expect(new Set(fills).size).toBe(fills.length);
    const l = (state: keyof typeof nodeStateColors) => luminance(nodeStateColors[state].fill);
    expect(l("Ready")).toBeGreaterThan(0.6);
    for (const loud of ["NotReady", "NotReady, cordoned", "gone"] as const) expect(l(loud)).toBeLessThan(0.2);
    expect(l("Ready, cordoned")).toBeGreaterThan(l("NotReady"));
    expect(l("Ready, cordoned")).toBeLessThan(l("Ready"));
  });

  test("the SVG grows by one lane per node, under everything else", () => {
    const run = sampleKafkaRun();
    const height = (svg: string) => Number(svg.match(/viewBox="0 0 960 (\d+)"/)?.[1]);
    const without = renderTimelineSvg(run.timeline, "t");
    const withLanes = renderTimelineSvg(run.timeline, "t", undefined, frozen.lanes);
    expect(height(withLanes) - height(without)).toBe(34 + 20 * frozen.lanes.length);
    expect(without).not.toContain("Kubernetes nodes");
  });

  test("one line per node that was anything but Ready, with UTC times and lengths; a late node says when it joined", () => {
    expect(nodeChangeLines(frozen, 1_700_000_000_000)).toEqual([
      "cluster-node-2: NotReady 22:13:40–22:15:15 (95 s)",
      "cluster-node-3: Ready, cordoned 22:13:51–22:14:10 (19 s); gone 22:14:10–22:15:20 (70 s)",
      "cluster-node-4: joined 22:14:20",
    ]);
    const quiet: NodeStates = { lanes: [frozen.lanes[0] as never], reads: 110, failedReads: 0 };
    expect(nodeChangeLines(quiet, 0)).toEqual([]);
    expect(nodeReadsText(quiet)).toBe(
      "1 Kubernetes node(s) read 110 times, about once a second; every node Ready throughout",
    );
    expect(nodeReadsText(frozen)).toBe(
      "4 Kubernetes node(s) read 120 times, about once a second, 1 unanswered (shown as unknown; last: no answer within 5 s)",
    );
    expect(nodeChangeLines(undefined, 0)).toEqual([]);
    expect(nodeReadsText(undefined)).toBeUndefined();
  });

  test("HTML draws the lanes and lists the changes; Markdown and the terminal the changes; report.json the segments", () => {
    const report = sampleReport([withNodes(frozen)]);
    const page = renderHtml(report);
    expect(page).toContain('data-state="NotReady"');
    expect(page).toContain("<li>cluster-node-2: NotReady 22:13:40–22:15:15 (95 s)</li>");
    expect(page).toContain("nodes: 4 Kubernetes node(s) read 120 times");
    const md = renderMarkdown(report);
    expect(md).toContain("- cluster-node-2: NotReady 22:13:40–22:15:15 (95 s)");
    expect(md).toContain("Nodes: 4 Kubernetes node(s) read 120 times");
    const terminal = formatTerminalSummary(report);
    expect(terminal).toContain("  node cluster-node-2: NotReady 22:13:40–22:15:15 (95 s)");
    expect(terminal).toContain("  nodes: 1 of 120 reads unanswered");
    expect(JSON.parse(renderJson(report)).systems[0].nodes.lanes[1]).toEqual(frozen.lanes[1]);
  });

  test("a run without node reads (embedded) has no lane, no line and no field", () => {
    const report = sampleReport([sampleKafkaRun()]);
    for (const text of [renderHtml(report), renderMarkdown(report), formatTerminalSummary(report)]) {
      expect(text).not.toContain("Kubernetes node");
      expect(text).not.toMatch(/^ {2}node /m);
      expect(text).not.toMatch(/\bnodes: /i);
    }
    expect(JSON.parse(renderJson(report)).systems[0].nodes).toBeUndefined();
  });
});
