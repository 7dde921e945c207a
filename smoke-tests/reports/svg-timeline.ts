// The timeline chart as one inline SVG string: throughput, p99 latency and publish errors per second, stacked on a
// shared time axis, with every fault→heal window shaded and labelled. No scripts, fonts or external references, so
// the HTML page that embeds it works from a file:// URL, an e-mail attachment or a CI artifact viewer.
import type { NodeLane, NodeState } from "../faults/node-states";
import { coarsen, type Timeline, type TimelineBucket, type TimelineEvent } from "../stats/timeline";
import { escapeXml } from "./format";

export interface ChartSeries {
  label: string;
  color: string;
  value: (b: TimelineBucket) => number | null;
  /** Bars suit sparse counts (errors); lines suit rates and latencies. */
  style: "line" | "bars";
}

interface Panel {
  title: string;
  unit: string;
  series: ChartSeries[];
}

export const chartColors = {
  sent: "#8a8f98",
  acked: "#1f6feb",
  consumed: "#1a7f37",
  ackP99: "#d4730b",
  endToEndP99: "#8250df",
  errors: "#cf222e",
  faultShade: "#cf222e",
  healLine: "#1a7f37",
} as const;

/** Ready is quiet; a cordon is a warning; NotReady and gone are loud; a read that failed is a pale gap. */
export const nodeStateColors: Record<NodeState, { fill: string; text: string }> = {
  Ready: { fill: "#aee3bd", text: "#1f2328" },
  "Ready, cordoned": { fill: "#e3b341", text: "#1f2328" },
  NotReady: { fill: "#cf222e", text: "#ffffff" },
  "NotReady, cordoned": { fill: "#82071e", text: "#ffffff" },
  gone: { fill: "#0a3069", text: "#ffffff" },
  unknown: { fill: "#eaeef2", text: "#57606a" },
};

const layout = { width: 960, panelHeight: 150, panelGap: 34, left: 64, right: 150, top: 28, bottom: 36 };

export function timelinePanels(secondsPerPoint: number): Panel[] {
  const perSecond = (n: number) => n / secondsPerPoint;
  return [
    {
      title: "Throughput",
      unit: "msg/s",
      series: [
        { label: "sent", color: chartColors.sent, style: "line", value: (b) => perSecond(b.sent) },
        { label: "acked", color: chartColors.acked, style: "line", value: (b) => perSecond(b.acked) },
        { label: "consumed", color: chartColors.consumed, style: "line", value: (b) => perSecond(b.consumed) },
      ],
    },
    {
      title: "Latency p99",
      unit: "ms",
      series: [
        { label: "publish→ack", color: chartColors.ackP99, style: "line", value: (b) => b.ackP99Ms },
        { label: "end-to-end", color: chartColors.endToEndP99, style: "line", value: (b) => b.endToEndP99Ms },
      ],
    },
    {
      title: "Publish errors",
      unit: "/s",
      series: [
        {
          label: "failed + unknown",
          color: chartColors.errors,
          style: "bars",
          value: (b) => perSecond(b.failed + b.unknown),
        },
      ],
    },
  ];
}

/** Round tick values (1, 2, 5 × 10^n) covering [0, max]. */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Fault windows: each fault until its heal, else until the next fault, else the end of the chart. */
export function faultWindows(
  events: TimelineEvent[],
  endMs: number,
): Array<{ fromMs: number; toMs: number; label: string }> {
  const faults = events.filter((e) => e.kind === "fault");
  return faults.map((fault, i) => {
    const next = faults[i + 1]?.atMs ?? endMs;
    const heal = events.find((e) => e.kind === "heal" && e.atMs >= fault.atMs && e.atMs <= next);
    return { fromMs: fault.atMs, toMs: heal?.atMs ?? next, label: fault.label };
  });
}

/** A panel of sampled series (the platform's view: Prometheus points every few seconds), on the timeline's axis. */
export interface PointPanel {
  title: string;
  unit: string;
  series: Array<{ label: string; color: string; points: Array<{ atMs: number; value: number }> }>;
}

/** An alert firing from `fromMs` until `toMs` (null: still firing at the end), one lane each. */
export interface AlertLane {
  label: string;
  fromMs: number;
  toMs: number | null;
}

/** The platform's panels and alert lanes, drawn under the client's panels on the same time axis. */
export interface PlatformPanels {
  panels: PointPanel[];
  alerts: AlertLane[];
}

export function renderTimelineSvg(
  timeline: Timeline,
  title = "Timeline",
  platform?: PlatformPanels,
  nodes: readonly NodeLane[] = [],
): string {
  // Per-second points read better than 250 ms ones and keep the SVG small for long drills.
  const pointMs = Math.max(timeline.bucketMs, 1000);
  const points = coarsen(timeline, pointMs);
  const panels = timelinePanels(pointMs / 1000);
  const pointPanels = platform?.panels ?? [];
  const lanes = platform?.alerts ?? [];
  const endMs = Math.max(
    points.length * pointMs,
    ...timeline.events.map((e) => e.atMs),
    ...pointPanels.flatMap((p) => p.series.flatMap((s) => s.points.map((pt) => pt.atMs))),
    ...lanes.map((l) => l.toMs ?? l.fromMs),
    ...nodes.flatMap((n) => n.segments.map((seg) => seg.toMs)),
    1000,
  );
  const plotWidth = layout.width - layout.left - layout.right;
  const x = (ms: number) => layout.left + (ms / endMs) * plotWidth;
  const panelCount = panels.length + pointPanels.length;
  const lanesHeight = lanes.length > 0 ? layout.panelGap + alertLaneHeight * lanes.length : 0;
  const nodesHeight = nodes.length > 0 ? layout.panelGap + nodeLaneHeight * nodes.length : 0;
  const height =
    layout.top + panelCount * (layout.panelHeight + layout.panelGap) + lanesHeight + nodesHeight + layout.bottom;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${layout.width} ${height}" width="${layout.width}" height="${height}" role="img" aria-labelledby="timeline-title" font-family="system-ui, sans-serif" font-size="12">`,
    `<title id="timeline-title">${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${layout.width}" height="${height}" fill="#ffffff"/>`,
  );
  panels.forEach((panel, i) => {
    const top = layout.top + i * (layout.panelHeight + layout.panelGap);
    parts.push(renderPanel(panel, points, pointMs, top, x, timeline.events, endMs));
  });
  pointPanels.forEach((panel, i) => {
    const top = layout.top + (panels.length + i) * (layout.panelHeight + layout.panelGap);
    parts.push(renderPointPanel(panel, top, x, timeline.events, endMs));
  });
  if (lanes.length > 0) {
    const top = layout.top + panelCount * (layout.panelHeight + layout.panelGap);
    parts.push(renderAlertLanes(lanes, top, x, endMs));
  }
  if (nodes.length > 0) {
    const top = layout.top + panelCount * (layout.panelHeight + layout.panelGap) + lanesHeight;
    parts.push(renderNodeLanes(nodes, top, x));
  }
  parts.push(renderTimeAxis(endMs, x, height - layout.bottom + 4));
  parts.push("</svg>");
  return parts.join("\n");
}

/** Pure: a panel's value axis (its ticks from zero past the largest value, and a value's y), alike for every panel. */
function valueAxis(top: number, values: number[]): { bottom: number; ticks: number[]; y: (v: number) => number } {
  const bottom = top + layout.panelHeight;
  const ticks = niceTicks(Math.max(0, ...values));
  const yMax = ticks[ticks.length - 1] as number;
  return { bottom, ticks, y: (v: number) => bottom - (v / yMax) * layout.panelHeight };
}

function renderPanel(
  panel: Panel,
  points: TimelineBucket[],
  pointMs: number,
  top: number,
  x: (ms: number) => number,
  events: TimelineEvent[],
  endMs: number,
): string {
  const { bottom, ticks, y } = valueAxis(
    top,
    points.flatMap((b) => panel.series.map((s) => s.value(b) ?? 0)),
  );
  const right = layout.width - layout.right;
  const out: string[] = [`<g class="panel">`, ...panelFrame(panel, top, ticks, x, y, events, endMs)];
  for (const e of events.filter((e) => e.kind === "fault" || e.kind === "heal")) {
    const color = e.kind === "fault" ? chartColors.faultShade : chartColors.healLine;
    out.push(
      `<line class="marker-${e.kind}" x1="${fmt(x(e.atMs))}" x2="${fmt(x(e.atMs))}" y1="${top}" y2="${bottom}" stroke="${color}" stroke-width="1.5" stroke-dasharray="4 3"/>`,
    );
  }
  panel.series.forEach((s, i) => {
    out.push(seriesRenderers[s.style](s, points, pointMs, x, y));
    out.push(
      `<rect x="${right + 12}" y="${top + 8 + i * 18}" width="12" height="3" fill="${s.color}"/>`,
      `<text x="${right + 30}" y="${top + 13 + i * 18}">${escapeXml(s.label)}</text>`,
    );
  });
  if (top === layout.top) out.push(renderEventLabels(events, x, top));
  out.push("</g>");
  return out.join("\n");
}

const alertLaneHeight = 20;

/** A panel's title, its fault windows shaded, and its value grid: the same for the client's panels and Prometheus's. */
function panelFrame(
  panel: { title: string; unit: string },
  top: number,
  ticks: number[],
  x: (ms: number) => number,
  y: (v: number) => number,
  events: TimelineEvent[],
  endMs: number,
): string[] {
  const right = layout.width - layout.right;
  const out = [
    `<text x="${layout.left}" y="${top - 8}" font-weight="600">${escapeXml(`${panel.title} (${panel.unit})`)}</text>`,
  ];
  for (const w of faultWindows(events, endMs)) {
    out.push(
      `<rect class="fault-window" x="${fmt(x(w.fromMs))}" y="${top}" width="${fmt(Math.max(1, x(w.toMs) - x(w.fromMs)))}" height="${layout.panelHeight}" fill="${chartColors.faultShade}" fill-opacity="0.12"><title>${escapeXml(w.label)}</title></rect>`,
    );
  }
  for (const t of ticks) {
    out.push(
      `<line x1="${layout.left}" x2="${right}" y1="${fmt(y(t))}" y2="${fmt(y(t))}" stroke="#d0d7de" stroke-width="${t === 0 ? 1 : 0.5}"/>`,
      `<text x="${layout.left - 6}" y="${fmt(y(t) + 4)}" text-anchor="end" fill="#57606a">${formatTick(t)}</text>`,
    );
  }
  return out;
}

function renderPointPanel(
  panel: PointPanel,
  top: number,
  x: (ms: number) => number,
  events: TimelineEvent[],
  endMs: number,
): string {
  const { ticks, y } = valueAxis(
    top,
    panel.series.flatMap((s) => s.points.map((p) => p.value)),
  );
  const right = layout.width - layout.right;
  const out: string[] = [`<g class="panel platform">`, ...panelFrame(panel, top, ticks, x, y, events, endMs)];
  panel.series.forEach((s, i) => {
    // A step line: a Prometheus sample holds until the next one.
    const d = s.points
      .map((p, j) => {
        return j === 0 ? `M${fmt(x(p.atMs))},${fmt(y(p.value))}` : `H${fmt(x(p.atMs))}V${fmt(y(p.value))}`;
      })
      .join("");
    out.push(
      `<path class="series" data-series="${escapeXml(s.label)}" d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8"/>`,
      `<rect x="${right + 12}" y="${top + 8 + i * 18}" width="12" height="3" fill="${s.color}"/>`,
      `<text x="${right + 30}" y="${top + 13 + i * 18}">${escapeXml(s.label)}</text>`,
    );
  });
  out.push("</g>");
  return out.join("\n");
}

function renderAlertLanes(lanes: AlertLane[], top: number, x: (ms: number) => number, endMs: number): string {
  const out: string[] = [
    `<g class="alerts">`,
    `<text x="${layout.left}" y="${top - 8}" font-weight="600">Alerts firing</text>`,
  ];
  lanes.forEach((l, i) => {
    const y = top + i * alertLaneHeight;
    const to = l.toMs ?? endMs;
    out.push(
      `<rect class="alert" x="${fmt(x(l.fromMs))}" y="${y}" width="${fmt(Math.max(2, x(to) - x(l.fromMs)))}" height="${alertLaneHeight - 6}" fill="${chartColors.errors}" fill-opacity="0.7"><title>${escapeXml(l.label)}</title></rect>`,
      `<text x="${fmt(x(l.fromMs) + 4)}" y="${y + 11}" font-size="11">${escapeXml(l.label)}</text>`,
    );
  });
  out.push("</g>");
  return out.join("\n");
}

const nodeLaneHeight = 20;

/** One lane per Kubernetes node, its name in the right margin, a legend of the states beside the title. */
function renderNodeLanes(nodes: readonly NodeLane[], top: number, x: (ms: number) => number): string {
  const right = layout.width - layout.right;
  const out: string[] = [
    `<g class="nodes">`,
    `<text x="${layout.left}" y="${top - 8}" font-weight="600">Kubernetes nodes</text>`,
  ];
  // ~6.5 px per character at 11 px: each legend entry starts after the previous one's label.
  let legendX = layout.left + 130;
  for (const [state, color] of Object.entries(nodeStateColors)) {
    out.push(
      `<rect class="node-legend" x="${legendX}" y="${top - 18}" width="10" height="10" fill="${color.fill}" stroke="#8c959f" stroke-width="0.5"/>`,
      `<text x="${legendX + 14}" y="${top - 9}" font-size="11">${escapeXml(state)}</text>`,
    );
    legendX += 14 + Math.ceil(6.5 * state.length) + 12;
  }
  nodes.forEach((lane, i) => {
    const y = top + i * nodeLaneHeight;
    out.push(`<text class="node-name" x="${right + 12}" y="${y + 11}">${escapeXml(lane.node)}</text>`);
    for (const seg of lane.segments) {
      const color = nodeStateColors[seg.state];
      const width = Math.max(1, x(seg.toMs) - x(seg.fromMs));
      const times = `${formatTick(seg.fromMs / 1000)}–${formatTick(seg.toMs / 1000)} s`;
      out.push(
        `<rect class="node-state" data-node="${escapeXml(lane.node)}" data-state="${escapeXml(seg.state)}" x="${fmt(x(seg.fromMs))}" y="${y}" width="${fmt(width)}" height="${nodeLaneHeight - 6}" fill="${color.fill}"><title>${escapeXml(`${lane.node}: ${seg.state}, ${times}`)}</title></rect>`,
      );
      // The state written in every stretch that is not Ready and wide enough to hold it.
      if (seg.state !== "Ready" && width > 6.5 * seg.state.length + 8)
        out.push(
          `<text x="${fmt(x(seg.fromMs) + 4)}" y="${y + 11}" font-size="11" fill="${color.text}">${escapeXml(seg.state)}</text>`,
        );
    }
  });
  out.push("</g>");
  return out.join("\n");
}

/** Draws one series of a panel: the renderers share this signature so that a series' style picks one. */
type SeriesRenderer = (
  s: ChartSeries,
  points: TimelineBucket[],
  pointMs: number,
  x: (ms: number) => number,
  y: (v: number) => number,
) => string;

const renderLine: SeriesRenderer = (s, points, pointMs, x, y) => {
  // A null (no data in that second) breaks the line rather than drawing a misleading zero.
  let d = "";
  let penDown = false;
  for (const b of points) {
    const v = s.value(b);
    if (v === null) {
      penDown = false;
      continue;
    }
    d += `${penDown ? "L" : "M"}${fmt(x(b.atMs + pointMs / 2))},${fmt(y(v))}`;
    penDown = true;
  }
  return `<path class="series" data-series="${escapeXml(s.label)}" d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8" stroke-linejoin="round"/>`;
};

const renderBars: SeriesRenderer = (s, points, pointMs, x, y) => {
  const bars = points
    .filter((b) => (s.value(b) ?? 0) > 0)
    .map((b) => {
      const v = s.value(b) as number;
      const width = Math.max(1, x(pointMs) - x(0) - 1);
      return `<rect x="${fmt(x(b.atMs))}" y="${fmt(y(v))}" width="${fmt(width)}" height="${fmt(y(0) - y(v))}" fill="${s.color}"/>`;
    });
  return `<g class="series" data-series="${escapeXml(s.label)}">${bars.join("")}</g>`;
};

const seriesRenderers: Record<ChartSeries["style"], SeriesRenderer> = { line: renderLine, bars: renderBars };

function renderEventLabels(events: TimelineEvent[], x: (ms: number) => number, top: number): string {
  // Labels close together (a fault and its heal a second apart) go on successive rows instead of overprinting.
  let lastEnd = Number.NEGATIVE_INFINITY;
  let row = 0;
  return events
    .filter((e) => e.kind === "fault" || e.kind === "heal")
    .map((e) => {
      const at = x(e.atMs);
      // ~7 px per character at 12 px: a label overlaps the previous one if it starts before that one ends.
      row = at < lastEnd ? (row + 1) % 4 : 0;
      lastEnd = at + 3 + 7 * e.label.length;
      const color = e.kind === "fault" ? chartColors.faultShade : chartColors.healLine;
      return `<text class="marker-label" x="${fmt(at + 3)}" y="${top + 12 + row * 14}" fill="${color}" font-weight="600">${escapeXml(e.label)}</text>`;
    })
    .join("\n");
}

function renderTimeAxis(endMs: number, x: (ms: number) => number, y: number): string {
  const ticks = niceTicks(endMs / 1000, 10).filter((s) => s * 1000 <= endMs);
  const labels = ticks.map(
    (s) => `<text x="${fmt(x(s * 1000))}" y="${y + 12}" text-anchor="middle" fill="#57606a">${formatTick(s)} s</text>`,
  );
  return `<g class="time-axis">${labels.join("")}</g>`;
}

function formatTick(v: number): string {
  if (v >= 10_000) return `${Number((v / 1000).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}

/** Two decimals are plenty for pixels and keep the markup small. */
function fmt(n: number): string {
  return String(Math.round(n * 100) / 100);
}
