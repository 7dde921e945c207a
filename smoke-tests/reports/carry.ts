// Reports written in a pod (the in-cluster gate's, on its volume) reach nobody who deployed: the Job's pod is gone or
// out of reach once it ends. So the gate carries them in its log, the one output the deploying machine reads anyway:
// one line per file, after the report, gzip and base64. Pure: tested directly.
import { gunzipSync, gzipSync } from "node:zlib";

/** What starts a carried file's line: `<marker><path under the reports root> <gzip+base64>`. */
export const carriedFileMarker = "mp-report-file ";

export interface CarriedFile {
  /** Relative to the reports root, e.g. gate-20261207T013200Z-ed42f3/gate.json. */
  path: string;
  content: Buffer;
}

/** The log lines that carry `files`. */
export function carryLines(files: readonly CarriedFile[]): string[] {
  return files.map((f) => `${carriedFileMarker}${f.path} ${gzipSync(f.content).toString("base64")}`);
}

/**
 * The files a log carries; a path that would leave the reports root (absolute, `..`) or a line that does not decode
 * is refused by name, since whoever reads the log writes these files.
 */
export function carriedFiles(log: string): CarriedFile[] {
  const files: CarriedFile[] = [];
  for (const line of log.split("\n")) {
    if (!line.startsWith(carriedFileMarker)) continue;
    const [path = "", data = ""] = line.slice(carriedFileMarker.length).trim().split(" ");
    if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(path) || path.split("/").includes("..")) {
      throw new Error(`carried report file "${path}": not a plain path under the reports folder`);
    }
    let content: Buffer;
    try {
      content = gunzipSync(Buffer.from(data, "base64"));
    } catch (e) {
      throw new Error(`carried report file ${path}: does not decode (${(e as Error).message})`);
    }
    files.push({ path, content });
  }
  return files;
}

/** The log without its carried lines (what a person reads). */
export function withoutCarried(log: string): string {
  return log
    .split("\n")
    .filter((l) => !l.startsWith(carriedFileMarker))
    .join("\n");
}
