// The relative links of the project's Markdown pages, and which of them lead nowhere: a page moved or a heading
// renamed breaks a link silently, so a test reads them all.
import { existsSync, readFileSync, statSync } from "node:fs";
import { posix } from "node:path";

/** Pure: the link targets of a Markdown text, outside fenced code blocks and inline code. */
export function markdownLinks(text: string): string[] {
  const prose = text.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1] as string);
}

/** Pure: the anchors of a Markdown text's headings, as GitHub makes them ("## A `b`: c" → "a-b-c"). */
export function headingAnchors(text: string): Set<string> {
  const prose = text.replace(/^```[\s\S]*?^```/gm, "");
  return new Set(
    [...prose.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) =>
      (m[1] as string)
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, "")
        .replace(/\s/g, "-"),
    ),
  );
}

/** Every relative link of `files` (repository paths) whose file, or whose heading in a Markdown file, is missing. */
export function brokenLinks(root: string, files: readonly string[]): string[] {
  const read = (f: string) => readFileSync(posix.join(root, f), "utf8");
  return files.flatMap((file) =>
    markdownLinks(read(file))
      .filter((target) => !/^[a-z]+:/i.test(target))
      .filter((target) => {
        const [path = "", anchor] = target.split("#");
        const linked = path === "" ? file : posix.normalize(posix.join(posix.dirname(file), path));
        if (!existsSync(posix.join(root, linked))) return true;
        if (anchor === undefined || !linked.endsWith(".md") || statSync(posix.join(root, linked)).isDirectory())
          return false;
        return !headingAnchors(read(linked)).has(anchor);
      })
      .map((target) => `${file} → ${target}`),
  );
}
