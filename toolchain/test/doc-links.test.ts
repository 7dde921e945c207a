// Every relative link in the README and docs/ leads to a file that exists, and to a heading that exists when it
// names one: the README is a map, and a map with a dead end is worse than none.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { brokenLinks, headingAnchors, markdownLinks } from "../src/doc-links";
import { repoRoot } from "../src/paths";

describe("the link reader", () => {
  it("finds links and images, not what stands in code", () => {
    const text = ["[a](x.md) ![b](docs/p.png) [c](https://e.org)", "`[d](no.md)`", "```", "[e](no.md)", "```"];
    expect(markdownLinks(text.join("\n"))).toEqual(["x.md", "docs/p.png", "https://e.org"]);
  });

  it("makes heading anchors as GitHub does", () => {
    const anchors = headingAnchors("# Title\n## The main job on it: `npm run e2e`\n### TLS by default\n");
    expect([...anchors]).toEqual(["title", "the-main-job-on-it-npm-run-e2e", "tls-by-default"]);
  });

  it("finds a link to a missing file and one to a missing heading", () => {
    const broken = brokenLinks(join(__dirname, "fixtures", "links"), ["page.md"]);
    expect(broken).toEqual(["page.md → missing.md", "page.md → other.md#no-such-heading", "page.md → #nor-here"]);
  });
});

describe("the README and docs/", () => {
  const pages = [
    "README.md",
    ...readdirSync(join(repoRoot, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ];

  it("have pages to read", () => {
    expect(pages.length).toBeGreaterThan(5);
  });

  it("link only to files and headings that exist", () => {
    expect(brokenLinks(repoRoot, pages)).toEqual([]);
  });
});
