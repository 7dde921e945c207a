// The platform's view in every report format: the series drawn on the client's time axis in the HTML chart, the
// alerts that fired and resolved with their times, and "the platform noticed" among the verdict lines; a target
// without Prometheus says so and gets no such line.
import { noPrometheus, type PlatformView } from "../../platform-view/view";
import { renderHtml } from "../html";
import { renderJson } from "../json";
import { renderMarkdown } from "../markdown";
import { alertRows, platformPanels, platformSummaryText } from "../platform-text";
import type { SystemRun } from "../run-report";
import { renderTimelineSvg } from "../svg-timeline";
import { sampleKafkaRun, sampleReport } from "./sample-run";

const observed: PlatformView = {
  kind: "observed",
  source: "http://10.244.1.7:9090",
  series: [
    {
      name: "under-replicated partitions",
      unit: "partitions",
      points: [
        { atMs: 15_000, value: 0 },
        { atMs: 25_000, value: 2 },
        { atMs: 95_000, value: 0 },
      ],
    },
    { name: "ISR shrinks", unit: "/s", points: [{ atMs: 25_000, value: 0.05 }] },
    { name: "ISR expands", unit: "/s", points: [{ atMs: 40_000, value: 0.05 }] },
  ],
  alerts: [
    { alertname: "KafkaNodeDown", subject: "pod=kafka-1", firedAtMs: 85_000, resolvedAtMs: 110_000 },
    { alertname: "KafkaUnderReplicatedPartitions", subject: "pod=kafka-0", firedAtMs: 90_000, resolvedAtMs: null },
  ],
  expected: ["KafkaNodeDown", "KafkaUnderReplicatedPartitions"],
  forSeconds: { KafkaNodeDown: 60, KafkaUnderReplicatedPartitions: 60 },
  resolutionWait: { waitedMs: 180_000, quiet: false },
};
const noticed = { name: "the platform noticed", passed: false, detail: "KafkaUnderReplicatedPartitions still firing" };
const withView = (platform: PlatformView, verdict = [noticed]): SystemRun => {
  const run = sampleKafkaRun();
  return { ...run, platform, verdict: [...(run.verdict ?? []), ...verdict] };
};

describe("the platform's view in the reports", () => {
  test("the HTML chart draws each series and each alert on the client's time axis, which reaches the last point", () => {
    const run = withView(observed);
    const svg = renderTimelineSvg(run.timeline, "t", platformPanels(run.platform));
    for (const label of ["under-replicated partitions", "ISR shrinks", "ISR expands"])
      expect(svg).toContain(`data-series="${label}"`);
    expect(svg).toContain("KafkaNodeDown (pod=kafka-1)");
    expect(svg).toContain("Alerts firing");
    // One unit, one panel: ISR shrinks and expands share theirs.
    expect(platformPanels(run.platform)?.panels.map((p) => p.unit)).toEqual(["partitions", "/s"]);
    // The axis runs to the last Prometheus point (110 s), past the 60 s of client load.
    expect(svg).toMatch(/>100 s</);
    expect(svg).not.toContain("NaN");
    for (const tag of ["g", "text", "rect", "path", "svg"]) {
      const opened = svg.match(new RegExp(`<${tag}[\\s>]`, "g"))?.length ?? 0;
      const closed =
        (svg.match(new RegExp(`</${tag}>`, "g"))?.length ?? 0) +
        (svg.match(new RegExp(`<${tag}[^>]*/>`, "g"))?.length ?? 0);
      expect({ tag, opened }).toEqual({ tag, opened: closed });
    }
  });

  test("the HTML page lists the alerts with fired and resolved times from the drill's start, and the verdict line", () => {
    const page = renderHtml(sampleReport([withView(observed)]));
    expect(page).toContain(
      '<td>KafkaNodeDown</td><td>pod=kafka-1</td><td class="num">1 min 25 s</td><td class="num">1 min 50 s</td>',
    );
    expect(page).toContain("still firing");
    expect(page).toContain("the platform noticed");
    expect(page).toContain("from Prometheus at http://10.244.1.7:9090");
  });

  test("Markdown carries the same alerts and line; report.json the whole view", () => {
    const report = sampleReport([withView(observed)]);
    const md = renderMarkdown(report);
    expect(md).toMatch(/\| KafkaNodeDown \| pod=kafka-1 \| 1 min 25 s \| 1 min 50 s \|/);
    expect(md).toContain("the platform noticed");
    expect(JSON.parse(renderJson(report)).systems[0].platform.alerts).toHaveLength(2);
  });

  test("no Prometheus in the target: every format says so, with no alert table and no 'platform noticed' line", () => {
    const report = sampleReport([withView(noPrometheus, [])]);
    for (const text of [renderHtml(report), renderMarkdown(report)]) {
      expect(text).toContain("platform view: no Prometheus in this target");
      expect(text).not.toContain("the platform noticed");
      expect(text).not.toContain("KafkaNodeDown");
    }
    expect(platformPanels(noPrometheus)).toBeUndefined();
  });

  test("an observed view where no alert fired says so instead of an empty table", () => {
    const quiet: PlatformView = { ...observed, alerts: [] };
    expect(alertRows(quiet)).toEqual([]);
    expect(renderMarkdown(sampleReport([withView(quiet)]))).toContain("No alert fired during the drill.");
  });

  test("the summary names a wait that ended with the alerts still active, and an unreadable Prometheus", () => {
    expect(platformSummaryText(observed)).toContain("still active after waiting 3 min 0 s");
    expect(platformSummaryText({ kind: "unavailable", source: "(pod not found)", reason: "no Running pod" })).toBe(
      "platform view unavailable ((pod not found)): no Running pod",
    );
  });
});
