// A chart's values.yaml (the single source of truth for broker settings) with strict lookups: a missing key fails
// with the file and the key's path, so a chart change that a reader does not follow is caught at once.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../toolchain/src/paths";
import { readValuesFile } from "./values";

export type Scalar = string | number | boolean;

export const chartValuesFile = (chart: "kafka" | "rabbitmq") => join(repoRoot, "charts", chart, "values.yaml");

/** A values tree together with the file it came from, for error messages. */
export interface ValuesSource {
  file: string;
  values: unknown;
}

export function loadValues(chart: "kafka" | "rabbitmq"): ValuesSource {
  const file = chartValuesFile(chart);
  if (!existsSync(file))
    throw new Error(
      `${file} does not exist: the embedded environment takes its broker settings from the chart's values`,
    );
  return { file, values: readValuesFile(file) };
}

export function lookup(src: ValuesSource, path: string): unknown {
  let v: unknown = src.values;
  for (const part of path.split(".")) {
    if (v === null || typeof v !== "object" || !(part in v)) {
      throw new Error(`${src.file} has no \`${path}\` (needed by the embedded environment)`);
    }
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

export function optional(src: ValuesSource, path: string): unknown {
  try {
    return lookup(src, path);
  } catch {
    return undefined;
  }
}

export function requireNumber(src: ValuesSource, path: string): number {
  const v = lookup(src, path);
  if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${src.file}: \`${path}\` must be a number`);
  return v;
}

export function requireString(src: ValuesSource, path: string): string {
  const v = lookup(src, path);
  if (typeof v !== "string" || v === "") throw new Error(`${src.file}: \`${path}\` must be a non-empty string`);
  return v;
}

export function requireStringList(src: ValuesSource, path: string): string[] {
  const v = lookup(src, path);
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
    throw new Error(`${src.file}: \`${path}\` must be a list of strings`);
  }
  return v as string[];
}

/** A flat map of broker settings (server.properties or rabbitmq.conf keys) with scalar values. */
export function requireFlatMap(src: ValuesSource, path: string): Record<string, Scalar> {
  const v = lookup(src, path);
  if (v === null || typeof v !== "object" || Array.isArray(v))
    throw new Error(`${src.file}: \`${path}\` must be a map`);
  const out: Record<string, Scalar> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== "string" && typeof x !== "number" && typeof x !== "boolean") {
      throw new Error(`${src.file}: \`${path}.${k}\` must be a string, number or boolean`);
    }
    out[k] = x;
  }
  return out;
}
