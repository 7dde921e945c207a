// Reports written in a pod (the in-cluster gate's, on its volume) reach nobody who deployed: the Job's pod is gone or
// out of reach once it ends. So the gate carries them in its log, the one output the deploying machine reads anyway:
// one line per file, after the report, gzip and base64. Pure: tested directly.
import { gunzipSync, gzipSync } from "node:zlib";

/** What starts a carried file's line: `<marker><path under the reports root> <k>/<n> <part k of n of gzip+base64>`. */
export const carriedFileMarker = "mp-report-file ";

/**
 * The most base64 characters on one line: well under containerd's 16 KiB log line, past which the runtime writes a
 * line as partial entries that the log reader must join again. The in-cluster gate's node-failure report.json (160 KB)
 * once came back cut ("unexpected end of file", 2026-12-07) without the cause being found; short lines leave one path
 * fewer, and a part that is missing is named.
 */
export const carriedPartChars = 12_000;

export interface CarriedFile {
  /** Relative to the reports root, e.g. gate-20261207T013200Z-ed42f3/gate.json. */
  path: string;
  content: Buffer;
}

/** The log lines that carry `files`, each file in parts of at most `partChars` base64 characters. */
export function carryLines(files: readonly CarriedFile[], partChars = carriedPartChars): string[] {
  return files.flatMap((f) => {
    const data = gzipSync(f.content).toString("base64");
    const n = Math.max(1, Math.ceil(data.length / partChars));
    return Array.from(
      { length: n },
      (_, k) => `${carriedFileMarker}${f.path} ${k + 1}/${n} ${data.slice(k * partChars, (k + 1) * partChars)}`,
    );
  });
}

/**
 * The files a log carries; a path that would leave the reports root (absolute, `..`), a file with a part missing or a
 * file that does not decode is refused by name, since whoever reads the log writes these files.
 */
export function carriedFiles(log: string): CarriedFile[] {
  const parts = new Map<string, { n: number; got: Map<number, string> }>();
  for (const line of log.split("\n")) {
    if (!line.startsWith(carriedFileMarker)) continue;
    const [path = "", part = "", data = ""] = line.slice(carriedFileMarker.length).trim().split(" ");
    if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(path) || path.split("/").includes("..")) {
      throw new Error(`carried report file "${path}": not a plain path under the reports folder`);
    }
    const m = /^(\d+)\/(\d+)$/.exec(part);
    const k = Number(m?.[1]);
    const n = Number(m?.[2]);
    if (!m || k < 1 || k > n) throw new Error(`carried report file ${path}: part "${part}" is not <k>/<n>`);
    const file = parts.get(path) ?? { n, got: new Map<number, string>() };
    parts.set(path, file);
    file.got.set(k, data);
  }
  return [...parts].map(([path, { n, got }]) => {
    const missing = Array.from({ length: n }, (_, i) => i + 1).filter((k) => !got.has(k));
    if (missing.length > 0)
      throw new Error(`carried report file ${path}: part(s) ${missing.join(", ")} of ${n} missing from the log`);
    try {
      const data = Array.from({ length: n }, (_, i) => got.get(i + 1)).join("");
      return { path, content: gunzipSync(Buffer.from(data, "base64")) };
    } catch (e) {
      throw new Error(`carried report file ${path}: does not decode (${(e as Error).message})`);
    }
  });
}

/** The log without its carried lines (what a person reads). */
export function withoutCarried(log: string): string {
  return log
    .split("\n")
    .filter((l) => !l.startsWith(carriedFileMarker))
    .join("\n");
}
