// The drill report as a person sees it: headless Chromium (Debian's package, in an empty network namespace) renders
// the HTML page, and the screenshot must show the verdict banner in its colour and the timeline's series and fault
// window. Pixels are counted by colour, so a report whose chart failed to render fails this test.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../../toolchain/src/exec";
import { renderHtml } from "../html";
import { chartColors } from "../svg-timeline";
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

  it("a run that lost messages: the banner turns red", () => {
    const img = screenshot("fail", renderHtml(sampleReport([sampleKafkaRun({ loseEvery: 500 })])));
    expect(countColor(img, banner.bad, 8, top)).toBeGreaterThan(20_000);
    expect(countColor(img, banner.good, 8, top)).toBe(0);
  });
});
