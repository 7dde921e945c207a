import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { headlineFailure, renderHtml } from "../html";
import { renderJson } from "../json";
import { renderMarkdown } from "../markdown";
import { reportPassed } from "../run-report";
import { faultWindows, niceTicks, renderTimelineSvg } from "../svg-timeline";
import { formatProgressLine, formatTerminalSummary } from "../terminal";
import { writeRunReport } from "../write";
import { sampleKafkaRun, sampleReport } from "./sample-run";

const good = sampleReport([sampleKafkaRun()]);
const lossy = sampleReport([sampleKafkaRun({ loseEvery: 1000 })]);

const voidElements = new Set(["meta", "br", "hr", "img", "input", "link", "col", "area", "base", "source", "wbr"]);

/** Checks that every opened tag is closed in order: enough to catch a broken page or a broken SVG. */
function unbalancedTags(markup: string): string[] {
  const stack: string[] = [];
  const problems: string[] = [];
  const body = markup.replace(/<!DOCTYPE[^>]*>/i, "").replace(/<style>[\s\S]*?<\/style>/g, "");
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][\w-]*)([^>]*?)(\/?)>/g)) {
    const [, closing, name, , selfClosing] = m as unknown as [string, string, string, string, string];
    const tag = name.toLowerCase();
    if (selfClosing || (voidElements.has(tag) && !closing)) continue;
    if (!closing) stack.push(tag);
    else if (stack.pop() !== tag) problems.push(`unexpected </${tag}>`);
  }
  return [...problems, ...stack.map((t) => `unclosed <${t}>`)];
}

describe("HTML report", () => {
  const html = renderHtml(good);

  test("is a complete, well-formed page", () => {
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain(`<meta charset="utf-8">`);
    expect(unbalancedTags(html)).toEqual([]);
  });

  test("is self-contained: no scripts, stylesheets, fonts, images or URLs to fetch", () => {
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|@font-face/i);
    const urls = [...html.matchAll(/(?:src|href)\s*=|https?:\/\/[^\s"'<]+/g)].map((m) => m[0]);
    expect(urls).toEqual(["http://www.w3.org/2000/svg"]); // the SVG namespace is a name, never fetched
  });

  test("contains the timeline SVG with every series and the fault window shaded", () => {
    expect(html).toContain("<svg");
    for (const series of ["sent", "acked", "consumed", "publish→ack", "end-to-end", "failed + unknown"]) {
      expect(html).toContain(`data-series="${series}"`);
    }
    expect(html).toMatch(/class="fault-window"/);
    expect(html).toContain("kill kafka-1 (leader)");
    expect(html).toContain("kafka-1 back");
  });

  test("shows the verdict big and green when nothing was lost, with recovery times", () => {
    expect(reportPassed(good)).toBe(true);
    expect(html).toContain(`class="banner good"`);
    expect(html).toContain("PASS: no acknowledged message lost");
    expect(html).toMatch(/<div class="cell good"[^>]*><div class="value">0<\/div><div class="label">lost<\/div>/);
    expect(html).toContain("writes stalled");
    expect(html).toMatch(/9\.\d\d s/); // writes resumed ~9 s after the kill
  });

  test("turns red and says how many were lost when acknowledged messages are missing", () => {
    const page = renderHtml(lossy);
    expect(reportPassed(lossy)).toBe(false);
    expect(page).toContain(`class="banner bad"`);
    expect(page).toMatch(/FAIL: \d+ acknowledged message\(s\) lost/);
    expect(page).toMatch(/<div class="cell bad"[^>]*><div class="value">\d+<\/div><div class="label">lost<\/div>/);
  });

  test("names the failed verdict lines in the banner, not their details (the section below gives those)", () => {
    const long = "drained cluster-node-2 and cluster-node-1: no eviction was refused; ".repeat(6);
    const run = {
      ...sampleKafkaRun(),
      verdict: [
        { name: "fault took effect", passed: false, detail: long },
        { name: "writes acknowledged after the fault", passed: true, detail: "writes stalled 53772 ms at most" },
        { name: "recovery within the bound", passed: false, detail: "writes stalled 53772 ms, bound 30000 ms" },
      ],
    };
    const report = sampleReport([run, { ...run, system: "rabbitmq" as const }]);
    expect(headlineFailure(report)).toBe("fault took effect, recovery within the bound");
    expect(renderHtml(report)).toContain(`FAIL: fault took effect, recovery within the bound</div>`);
    // A failure that is no verdict line (the drill threw) is cut to one line.
    const threw = sampleReport([{ ...sampleKafkaRun(), failures: [`drill failed: ${long}`] }]);
    expect(headlineFailure(threw)).toHaveLength(120);
    expect(headlineFailure(threw)).toMatch(/^drill failed: drained .*…$/);
  });

  test("escapes text from the outside world (event labels, ids)", () => {
    const page = renderHtml(sampleReport([sampleKafkaRun({ faultLabel: `<script>alert("x")</script>` })]));
    expect(page).not.toContain("<script>");
    expect(page).toContain("&lt;script&gt;");
    expect(unbalancedTags(page)).toEqual([]);
  });
});

describe("SVG timeline", () => {
  test("is well-formed on its own and draws markers for the fault and the heal", () => {
    const svg = renderTimelineSvg(good.systems[0]?.timeline as never);
    expect(unbalancedTags(svg)).toEqual([]);
    expect(svg.match(/class="marker-fault"/g)).toHaveLength(3); // one per panel
    expect(svg.match(/class="marker-heal"/g)).toHaveLength(3);
  });

  test("renders an empty timeline without NaN", () => {
    const svg = renderTimelineSvg({ startedAt: 0, bucketMs: 250, buckets: [], events: [] });
    expect(svg).not.toContain("NaN");
    expect(unbalancedTags(svg)).toEqual([]);
  });

  test("nice ticks are round and cover the maximum", () => {
    expect(niceTicks(9_620)).toEqual([0, 5000, 10000]);
    expect(niceTicks(97)).toEqual([0, 50, 100]);
    expect(niceTicks(1450)).toEqual([0, 500, 1000, 1500]);
    expect(niceTicks(0)).toEqual([0, 1]);
  });

  test("a fault without a heal is shaded until the next fault, or the end", () => {
    const events = [
      { atMs: 1000, kind: "fault" as const, label: "a" },
      { atMs: 3000, kind: "heal" as const, label: "h" },
      { atMs: 5000, kind: "fault" as const, label: "b" },
      { atMs: 8000, kind: "fault" as const, label: "c" },
    ];
    expect(faultWindows(events, 10_000).map((w) => [w.fromMs, w.toMs])).toEqual([
      [1000, 3000],
      [5000, 8000],
      [8000, 10_000],
    ]);
  });
});

describe("JSON and Markdown reports", () => {
  test("JSON round-trips, with NaN written as null", () => {
    const empty = sampleKafkaRun();
    empty.endToEndLatency = { ...empty.endToEndLatency, p99: Number.NaN };
    const parsed = JSON.parse(renderJson(sampleReport([empty])));
    expect(parsed.systems[0].endToEndLatency.p99).toBeNull();
    expect(parsed.systems[0].ledger.counts.lost).toBe(0);
    expect(parsed.systems[0].timeline.events.length).toBeGreaterThan(0);
  });

  test("Markdown leads with the verdict and lists recovery and loss", () => {
    expect(renderMarkdown(good).split("\n")[0]).toBe("# kill-leader on embedded: PASS");
    const md = renderMarkdown(lossy);
    expect(md.split("\n")[0]).toBe("# kill-leader on embedded: FAIL");
    expect(md).toContain("| lost | unexpected | re-delivered | duplicate writes |");
    expect(md).toMatch(/\*\*\d+ acknowledged message\(s\) were never consumed \(lost\)\*\*/);
    expect(md).toContain("| fault | in flight at fault | writes stalled | consumers caught up | cluster healthy |");
  });
});

describe("what a fault could catch and what was lost", () => {
  test("each fault's in-flight count is a field in report.json and a column in Markdown and HTML", () => {
    const parsed = JSON.parse(renderJson(good));
    expect(parsed.systems[0].recovery[0].fault).toMatchObject({ kind: "fault", inFlight: 37 });
    expect(renderMarkdown(good)).toMatch(
      /\| kill kafka-1 \(leader\) \(asked 20\.00 s, landed 20\.00 s\) \| 37 \| 9\.\d\d s \|/,
    );
    const html = renderHtml(good);
    expect(html).toContain("<th>fault</th><th>in flight at fault</th><th>writes stalled</th>");
    expect(html).toContain(`<td>kill kafka-1 (leader) (asked 20.00 s, landed 20.00 s)</td><td class="num">37</td>`);
  });

  test("report.json lists every lost message with its partition and offset; Markdown and HTML a sample", () => {
    const manyLost = sampleReport([sampleKafkaRun({ loseEvery: 100 })]);
    const lostCount = manyLost.systems[0]?.ledger.counts.lost ?? 0;
    const lost = JSON.parse(renderJson(manyLost)).systems[0].ledger.lostMessages;
    expect(lostCount).toBeGreaterThan(20); // more than the 20 samples
    expect(lost).toHaveLength(lostCount);
    expect(lost[0]).toEqual({ id: "sample-run/p0/0", partition: 0, offset: 0 });
    expect(
      lost.every((m: { partition?: number; offset?: number }) => m.partition === 0 && m.offset !== undefined),
    ).toBe(true);
    const more = `and ${lostCount - 10} more in report.json`;
    const md = renderMarkdown(manyLost);
    expect(md).toContain("- `sample-run/p0/100 at p0@100`");
    expect(md).toContain(`- … ${more}`);
    const html = renderHtml(manyLost);
    expect(html).toContain("<li><code>sample-run/p0/100 at p0@100</code></li>");
    expect(html).toContain(`<li>… ${more}</li>`);
    expect(unbalancedTags(html)).toEqual([]);
  });

  test("a run that lost nothing shows no lost list", () => {
    expect(renderMarkdown(good)).not.toContain("Lost (acknowledged, never consumed)");
    expect(renderHtml(good)).not.toContain(`class="lost"`);
  });
});

describe("Kafka positions and live checks", () => {
  // lossy loses seq 0, 1000, 3000, 4000 and 5000 (seq 2000 timed out, so it was never acknowledged).
  const counts = { lostWrites: 5, unseen: 5, pollSkips: 4 };

  test("the run under test has the numbers the reports should show", () => {
    expect(lossy.systems[0]?.kafka?.counts).toMatchObject({ ...counts, inconsistentOffsets: 0, duplicateWrites: 0 });
    expect(lossy.systems[0]?.kafka?.partitions).toEqual([
      { partition: 0, values: 5994, acked: 5994, firstAckedOffset: 0, lastAckedOffset: 5993, highestReadOffset: 5993 },
    ]);
  });

  test("Markdown has the per-partition positions table and every check's count", () => {
    const md = renderMarkdown(lossy);
    expect(md).toContain(
      "| partition | acknowledged | acked offsets | highest read |\n| --- | --- | --- | --- |\n| 0 | 5,994 | 0–5993 | 5993 |",
    );
    expect(md).toContain(
      "| inconsistentOffsets | duplicateWrites | lostWrites | unseen | nonmonotonicSends | nonmonotonicPolls | pollSkips |",
    );
    expect(md).toContain("| 0 | 0 | 5 | 5 | 0 | 0 | 4 |");
    expect(md).toContain("- lostWrites: `sample-run/p0/0 at p0@0`");
  });

  test("HTML has the per-partition positions table and every check's count, bad ones marked", () => {
    const html = renderHtml(lossy);
    expect(html).toContain("<h3>Kafka per-partition checks: INVALID</h3>");
    expect(html).toContain(
      `<tr><th>partition</th><th>acknowledged</th><th>acked offsets</th><th>highest read</th></tr><tr><td>0</td><td class="num">5,994</td><td class="num">0–5993</td><td class="num">5993</td></tr>`,
    );
    for (const [check, n] of Object.entries(counts)) {
      expect(html).toContain(`<tr><td>${check}</td><td class="num bad">${n}</td></tr>`);
    }
    expect(html).toContain(`<tr><td>inconsistentOffsets</td><td class="num good">0</td></tr>`);
    expect(renderHtml(good)).toContain("<h3>Kafka per-partition checks: valid</h3>");
  });
});

describe("the client matrix", () => {
  const placement = (leader: string, replicas: string[]) => ({ leader, replicas });
  const withClient = (name: string, stallMs: number) => ({
    ...sampleKafkaRun(),
    client: {
      name,
      settings: `${name} 1.0: enable.idempotence=true, acks=all, and a list of settings long enough to wrap`,
      idempotent: true,
    },
    partitionStalls: [
      {
        fault: "kill kafka-1 (leader)",
        partitions: [
          {
            partition: 0,
            ...placement("kafka-1", ["kafka-1", "kafka-2", "kafka-3"]),
            victim: "leader" as const,
            ms: stallMs,
            untilEnd: false,
          },
          {
            partition: 1,
            ...placement("kafka-2", ["kafka-2", "kafka-3", "kafka-1"]),
            victim: "follower" as const,
            ms: 9010,
            untilEnd: false,
          },
          {
            partition: 2,
            ...placement("kafka-3", ["kafka-3", "kafka-0", "kafka-2"]),
            victim: "absent" as const,
            ms: 40,
            untilEnd: false,
          },
        ],
        victimLedMs: stallMs,
        victimFollowedMs: 9010,
        victimAbsentMs: 40,
      },
    ],
  });
  const report = sampleReport([withClient("kafkajs", 9630), withClient("librdkafka", 10_470)]);

  test("the terminal puts the clients side by side, one row each, a stall per victim role, named by client", () => {
    const text = formatTerminalSummary(report);
    expect(text).toContain("Kafka (kafkajs)  pass");
    expect(text).toContain(
      "writes after kill kafka-1 (leader), per partition: victim leader: p0 kafka-1 9.63 s · victim follower: p1 kafka-2",
    );
    expect(text).toContain("9.01 s · victim absent: p2 kafka-3 40.0 ms");
    const header = text.split("\n").findIndex((l) => l === "Kafka clients, same fault");
    expect(header).toBeGreaterThan(0);
    const lines = text.split("\n");
    expect(lines[header + 1]).toMatch(/victim led +victim follower +victim absent +acked msg\/s$/);
    const rows = lines.slice(header + 2, header + 4);
    expect(rows[0]).toMatch(/^ {2}kafkajs +0 +0 +0 +\d+ +9\.63 s +9\.01 s +40\.0 ms/);
    expect(rows[1]).toMatch(/^ {2}librdkafka +0 .* 10\.47 s +9\.01 s +40\.0 ms/);
    expect(lines[header + 4]).toContain("the partitions the victim led, followed, was no replica of");
    expect(lines.every((l) => l.length <= 120)).toBe(true);
  });

  test("a fault whose victim is a replica of every partition shows n/a for victim absent, not a zero", () => {
    const run = withClient("platformatic", 8000);
    const three = {
      ...run,
      partitionStalls: run.partitionStalls.map(({ victimAbsentMs: _absent, ...s }) => ({
        ...s,
        partitions: s.partitions.filter((p) => p.victim !== "absent"),
      })),
    };
    const text = formatTerminalSummary(sampleReport([withClient("kafkajs", 9630), three]));
    expect(text).toMatch(/^ {2}platformatic +0 .* 8\.00 s +9\.01 s +n\/a/m);
  });

  test("Markdown and HTML carry the same matrix; a single client gets none", () => {
    expect(renderMarkdown(report)).toContain("## Kafka clients, same fault");
    expect(renderMarkdown(report)).toMatch(/\| librdkafka \| 0 \| 0 \| 0 \| \d+ \| 10\.47 s \| 9\.01 s \| 40\.0 ms \|/);
    const html = renderHtml(report);
    expect(html).toContain('id="clients"');
    expect(html).toContain('id="kafka-librdkafka"');
    expect(html).toContain("<th>victim absent</th>");
    expect(formatTerminalSummary(sampleReport([withClient("kafkajs", 1)]))).not.toContain("same fault");
  });
});

describe("terminal output", () => {
  test("the summary fits one screen, even for a comparison of two systems", () => {
    const both = sampleReport([sampleKafkaRun(), { ...sampleKafkaRun({ loseEvery: 500 }), system: "rabbitmq" }]);
    const lines = formatTerminalSummary(both, undefined, "reports/x").split("\n");
    expect(lines.length).toBeLessThanOrEqual(24);
    expect(lines[0]).toBe("kill-leader on embedded: FAIL");
    expect(lines.join("\n")).toContain("RabbitMQ  FAIL");
    expect(lines.join("\n")).toContain(
      "kill kafka-1 (leader) (asked 20.00 s, landed 20.00 s): 37 in flight · writes stalled 9.",
    );
    expect(lines.every((l) => l.length <= 120)).toBe(true);
  });

  test("the progress line is one line of fixed layout", () => {
    const line = formatProgressLine({
      phase: "fault",
      elapsedMs: 21_340,
      sentPerSecond: 1020,
      ackedPerSecond: 0,
      consumedPerSecond: 12,
      inFlight: 118,
      unseen: 45,
      errors: 3,
    });
    expect(line).toBe(
      "[  21.3s]  fault     sent   1,020/s  acked       0/s  consumed      12/s  in-flight   118  unseen     45  errors 3",
    );
    expect(line).not.toContain("\n");
  });
});

describe("writing a report directory", () => {
  test("writes report.json, report.md and report.html under <root>/<run-id>", () => {
    const root = mkdtempSync(join(tmpdir(), "mp-reports-"));
    try {
      const written = writeRunReport(good, root);
      expect(written.dir).toBe(join(root, good.runId));
      expect(JSON.parse(readFileSync(written.json, "utf8")).runId).toBe(good.runId);
      expect(readFileSync(written.html, "utf8")).toContain("<svg");
      expect(readFileSync(written.markdown, "utf8")).toContain("PASS");
      expect(() => writeRunReport({ ...good, runId: "../escape" }, root)).toThrow(/not safe/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("a fault that left writes undisrupted", () => {
  const calm = { status: "not-disrupted" as const, ms: null, atMs: null, how: "acks never paused longer than 12 ms" };
  const run = sampleKafkaRun();
  const report = sampleReport([{ ...run, recovery: run.recovery.map((r) => ({ ...r, writes: calm })) }]);

  test("is shown as 'not disrupted' in the terminal, Markdown and HTML, never as a number of seconds", () => {
    expect(formatTerminalSummary(report)).toContain("writes stalled not disrupted ·");
    expect(renderMarkdown(report)).toMatch(/\| 37 \| not disrupted \|/);
    expect(renderHtml(report)).toContain('title="acks never paused longer than 12 ms">not disrupted</td>');
    for (const text of [formatTerminalSummary(report), renderMarkdown(report), renderHtml(report)])
      expect(text).not.toMatch(/0\.00 ms|0\.0 s/);
  });
});

describe("the kill a drill ran", () => {
  const run = sampleKafkaRun();
  const kill = { fault: "kill kafka-broker-2 (leader)", node: "kafka-broker-2", landedAt: 1_000 };
  const held = sampleReport([{ ...run, kills: [{ ...kill, mode: "hold-down", releasedAt: 19_240 }] }]);
  const restarted = sampleReport([{ ...run, kills: [{ ...kill, mode: "crash-restart" }] }]);

  test("is named in the terminal, Markdown, HTML and report.json: held down for how long, or restarted by the kubelet", () => {
    const formats = (r: typeof held) => [formatTerminalSummary(r), renderMarkdown(r), renderHtml(r), renderJson(r)];
    for (const text of formats(held).slice(0, 3)) expect(text).toContain("kill (held down 18.2 s)");
    for (const text of formats(restarted).slice(0, 3)) expect(text).toContain("kill (restarted by the kubelet)");
    expect(JSON.parse(renderJson(held)).systems[0].kills).toEqual([{ ...kill, mode: "hold-down", releasedAt: 19_240 }]);
  });

  test("a run that killed nothing names no kill", () => {
    for (const text of [formatTerminalSummary(good), renderMarkdown(good), renderHtml(good)])
      expect(text).not.toMatch(/held down|restarted by the kubelet/);
  });
});

describe("each system's time to full service after a whole-cluster restart", () => {
  const run = sampleKafkaRun();
  const fullService = [
    { system: "kafka" as const, pods: 6, judgedBy: "pods and health" as const, ms: 84_230, waitedMs: 240_000 },
    {
      system: "rabbitmq" as const,
      pods: 3,
      judgedBy: "pods only" as const,
      waitedMs: 240_000,
      missing: "waiting for rabbitmq-2 (not Ready)",
    },
  ];
  const report = sampleReport([{ ...run, fullService }]);

  test("is a line per system in the terminal, Markdown, HTML and report.json", () => {
    for (const text of [formatTerminalSummary(report), renderMarkdown(report), renderHtml(report)]) {
      expect(text).toContain(
        "Kafka back to full service 84.2 s after the landing (6 pods Ready, health probe healthy)",
      );
      expect(text).toContain(
        "RabbitMQ not back to full service 240 s after the landing (waiting for rabbitmq-2 (not Ready)",
      );
    }
    expect(JSON.parse(renderJson(report)).systems[0].fullService).toEqual(fullService);
  });

  test("a run without a whole-cluster restart has no such line", () => {
    for (const text of [formatTerminalSummary(good), renderMarkdown(good), renderHtml(good)])
      expect(text).not.toContain("full service");
  });
});

/** The terminal wraps a long line onto indented continuation lines: joined back, a line reads whole. */
const unwrapped = (text: string) => text.replace(/\n {4}/g, " ");

describe("a load run as several workers", () => {
  const shares = [
    { worker: "w0", acknowledged: 6000, delivered: 5000, ackedPerSec: 600, fraction: 0.6 },
    { worker: "w1", acknowledged: 4000, delivered: 5000, ackedPerSec: 400, fraction: 0.4, gone: { inFlight: 40 } },
  ];
  const report = sampleReport([{ ...sampleKafkaRun(), workers: shares }]);

  test("every format gives the workers and each one's share, and which was gone with how much in flight", () => {
    const line =
      "workers: 2, shares of 1000 msg/s acknowledged: w0 600 msg/s (60%), w1 400 msg/s (40%), then gone with 40 in flight (unknown)";
    for (const text of [unwrapped(formatTerminalSummary(report)), renderMarkdown(report), renderHtml(report)]) {
      expect(text).toContain(line);
    }
    expect(JSON.parse(renderJson(report)).systems[0].workers).toEqual(shares);
  });

  test("the ledger's line is the same as a run in one process: the merged counts, unchanged", () => {
    const one = unwrapped(formatTerminalSummary(good)).split("\n");
    const merged = unwrapped(formatTerminalSummary(report)).split("\n");
    expect(merged.filter((l) => !l.includes("workers:"))).toEqual(
      one.map((l, i) => (i === 1 ? (merged[1] as string) : l)),
    );
  });

  test("a run in one process has no workers line", () => {
    for (const text of [formatTerminalSummary(good), renderMarkdown(good), renderHtml(good)]) {
      expect(text).not.toContain("workers:");
    }
  });
});
