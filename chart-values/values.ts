// Helpers shared by the values builders: chart values are plain YAML mappings, merged the way Helm merges -f files.
import { readFileSync } from "node:fs";
import { parse } from "yaml";

export type Values = Record<string, unknown>;

export function isMapping(v: unknown): v is Values {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Helm's merge: mappings merge key by key, everything else (lists included) is replaced by the later value. */
export function deepMerge(base: Values, ...overlays: Values[]): Values {
  const out: Values = { ...base };
  for (const overlay of overlays) {
    for (const [k, v] of Object.entries(overlay)) {
      const prev = out[k];
      out[k] = isMapping(prev) && isMapping(v) ? deepMerge(prev, v) : v;
    }
  }
  return out;
}

/** Reads `a.b.c` from nested mappings; `undefined` when any step is missing. */
export function pick(values: Values, path: readonly string[]): unknown {
  let cur: unknown = values;
  for (const step of path) {
    if (!isMapping(cur)) return undefined;
    cur = cur[step];
  }
  return cur;
}

/** Builds `{a: {b: {c: value}}}`, omitting the whole branch when value is undefined. */
export function nest(path: readonly string[], value: unknown): Values {
  if (value === undefined) return {};
  return path.reduceRight<unknown>((acc, step) => ({ [step]: acc }), value) as Values;
}

/** Reads a values file; throws with the file name when it is missing or not a mapping. */
export function readValuesFile(file: string): Values {
  const doc: unknown = parse(readFileSync(file, "utf8")) ?? {};
  if (!isMapping(doc)) throw new Error(`${file} is not a YAML mapping`);
  return doc;
}

/**
 * server.properties and rabbitmq.conf entries arrive as YAML scalars that may be quoted ("3", "true"). Settings
 * compare them as numbers and booleans, so normalise here; anything else passes through for validation to reject.
 */
export function scalar(v: unknown): unknown {
  if (typeof v !== "string") return v;
  if (/^-?\d+$/.test(v)) return Number(v);
  if (v === "true" || v === "false") return v === "true";
  return v;
}

/** Each managed setting read from where its key map says it lives, scalars normalised; validation is the reader's. */
export function readManaged<K extends string>(keys: Record<K, readonly string[]>, values: Values): Record<K, unknown> {
  const out = {} as Record<K, unknown>;
  for (const [setting, path] of Object.entries(keys) as Array<[K, readonly string[]]>) {
    out[setting] = scalar(pick(values, path));
  }
  return out;
}
