// The drill report as a person sees it: headless Chromium (Debian's package, in an empty network namespace) renders
// the HTML page, and the screenshot must show the verdict banner in its colour and the timeline's series and fault
// window. Pixels are counted by colour, so a report whose chart failed to render fails this test.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../../toolchain/src/exec";
import { renderHtml } from "../html";
import { chartColors, nodeStateColors } from "../svg-timeline";
import { countColor, decodePng, type Image } from "./png";
import { sampleKafkaRun, sampleReport } from "./sample-run";

jest.setTimeout(120_000);

const banner = { good: "#1a7f37", bad: "#cf222e" };
/** Rows of the title, the verdict banner and the system's verdict line; the chart starts below them. */
const top: [number, number] = [0, 260];
const belowTop: [number, number] = [260, 1800];

/** The colour `hex` at `alpha` opacity over white, as the browser composites it. */
function overWhite(hex: string, alpha: number): string {
  const channel = (i: number) => Math.round(255 - alpha * (255 - Number.parseInt(hex.slice(i, i + 2), 16)));
  return `#${[1, 3, 5].map((i) => channel(i).toString(16).padStart(2, "0")).join("")}`;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mp-screenshot-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function screenshot(name: string, html: string): Image {
  const page = join(dir, `${name}.html`);
  const png = join(dir, `${name}.png`);
  writeFileSync(page, html);
  const chromium = run("sh", ["-c", "command -v chromium"]).stdout.trim();
  if (!chromium) throw new Error("chromium is not installed: run `npm run setup` (step browser, Debian's chromium)");
  // unshare --net: a network namespace with nothing in it, so the browser cannot reach anything but the file.
  const r = run(
    "unshare",
    [
      "--net",
      chromium,
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--hide-scrollbars",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      `--user-data-dir=${join(dir, `profile-${name}`)}`,
      "--window-size=1200,1800",
      `--screenshot=${png}`,
      `file://${page}`,
    ],
    { timeoutMs: 90_000 },
  );
  if (r.code !== 0) throw new Error(`chromium exited ${r.code}: ${r.stderr}`);
  return decodePng(readFileSync(png));
}

describe("the HTML drill report in headless Chromium", () => {
  it("a passing run: a green banner at the top, the timeline's series and the fault window drawn", () => {
    const img = screenshot("pass", renderHtml(sampleReport([sampleKafkaRun()])));
    expect([img.width, img.height]).toEqual([1200, 1800]);
    expect(countColor(img, banner.good, 8, top)).toBeGreaterThan(20_000);
    expect(countColor(img, banner.bad, 8, top)).toBe(0);
    // The timeline's series (sent rate, p99 end-to-end latency: the lines drawn last, on top), the error bars
    // during the stall, and the shaded fault window.
    expect(countColor(img, chartColors.sent, 8)).toBeGreaterThan(500);
    expect(countColor(img, chartColors.endToEndP99, 40)).toBeGreaterThan(300);
    expect(countColor(img, chartColors.errors, 8, belowTop)).toBeGreaterThan(1_000);
    // The fault window: the fault colour at 12% opacity over the white chart.
    expect(countColor(img, overWhite(chartColors.faultShade, 0.12), 4)).toBeGreaterThan(2_000);
  });

  it("a Kubernetes run: a lane per node under the panels, each state drawn in its colour", () => {
    const segment = (state: keyof typeof nodeStateColors, fromMs: number, toMs: number) => ({ state, fromMs, toMs });
    const lanes = [
      { node: "cluster-node-1", segments: [segment("Ready", 0, 120_000)] },
      { node: "cluster-node-2", segments: [segment("Ready", 0, 20_000), segment("NotReady", 20_000, 95_000)] },
      { node: "cluster-node-3", segments: [segment("Ready, cordoned", 0, 50_000), segment("gone", 50_000, 120_000)] },
    ];
    const run = { ...sampleKafkaRun(), nodes: { lanes, reads: 120, failedReads: 0 } };
    const img = screenshot("nodes", renderHtml(sampleReport([run])));
    // Pixels per lane: at 960 px for 120 s, each second is about 6 px wide and a lane 14 px high.
    const area = (seconds: number) => seconds * 6 * 14 * 0.8;
    expect(countColor(img, nodeStateColors.Ready.fill, 4, belowTop)).toBeGreaterThan(area(140));
    expect(countColor(img, nodeStateColors.NotReady.fill, 4, belowTop)).toBeGreaterThan(area(75));
    expect(countColor(img, nodeStateColors["Ready, cordoned"].fill, 4, belowTop)).toBeGreaterThan(area(50));
    expect(countColor(img, nodeStateColors.gone.fill, 4, belowTop)).toBeGreaterThan(area(70));
  });

  it("a run that lost messages: the banner turns red", () => {
    const img = screenshot("fail", renderHtml(sampleReport([sampleKafkaRun({ loseEvery: 500 })])));
    expect(countColor(img, banner.bad, 8, top)).toBeGreaterThan(20_000);
    expect(countColor(img, banner.good, 8, top)).toBe(0);
  });
});
