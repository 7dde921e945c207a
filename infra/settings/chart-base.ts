// The base every system's settings start from: the chart's values.yaml, then the stack's example values file, then
// the stack's overrides (overlay), with the checks the systems share (pinned image tags, user names).
import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { deepMerge, readValuesFile, type Values } from "../../chart-values/values";
import type { Problems, Raw } from "../problems";

export interface SettingsContext {
  stack: string;
  /** Directory that holds charts/ and that valuesFile paths are relative to. */
  repoRoot: string;
}

export const userName = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Resolves a chart's base values: chart defaults (values.yaml) then the example file. Returns the example values
 * alone too, since that is what the chart receives (it applies its own defaults).
 */
export function loadChartValues(
  p: Problems,
  key: string,
  chart: string,
  valuesFile: unknown,
  ctx: SettingsContext,
): { chartDir: string; valuesFile: string; example: Values; effective: Values } | undefined {
  const file = p.string(`${key}.valuesFile`, valuesFile);
  if (file === undefined) return undefined;
  const chartDir = join(ctx.repoRoot, "charts", chart);
  const path = resolve(ctx.repoRoot, file);
  if (!existsSync(path)) return p.add(`${key}.valuesFile`, file, `does not exist (looked in ${ctx.repoRoot})`);
  try {
    const example = readValuesFile(path);
    const defaultsFile = join(chartDir, "values.yaml");
    const defaults = existsSync(defaultsFile) ? readValuesFile(defaultsFile) : {};
    return { chartDir, valuesFile: relative(ctx.repoRoot, path), example, effective: deepMerge(defaults, example) };
  } catch (e) {
    return p.add(`${key}.valuesFile`, file, `cannot be read: ${(e as Error).message}`);
  }
}

/**
 * Merges stack overrides over the values file for the chart-managed settings. Returns each setting's value and the
 * key to name in messages: a value that came from the file is named with its file, so the fix is obvious.
 */
export function overlay<K extends string>(
  p: Problems,
  prefix: string,
  stack: Raw,
  fromFile: Record<K, unknown>,
  valuesFile: string,
): { value: Record<K, unknown>; key: (k: K) => string } {
  const value = { ...fromFile };
  const fromStack = new Set<K>();
  for (const k of Object.keys(fromFile) as K[]) {
    if (stack[k] === undefined) continue;
    if (JSON.stringify(stack[k]) === JSON.stringify(fromFile[k])) {
      p.add(
        `${prefix}.${k}`,
        stack[k],
        `repeats ${valuesFile}; remove it from the stack config (one key, written once)`,
      );
    }
    value[k] = stack[k];
    fromStack.add(k);
  }
  return { value, key: (k) => (fromStack.has(k) ? `${prefix}.${k}` : `${prefix}.${k} (from ${valuesFile})`) };
}

export function checkImageTag(p: Problems, key: string, value: unknown): string | undefined {
  const tag = p.string(key, value);
  if (tag === undefined) return undefined;
  if (tag === "latest" || !/\d/.test(tag)) return p.add(key, tag, "must pin a version (not latest or a floating tag)");
  return tag;
}

export function parseNames(p: Problems, key: string, value: unknown, pattern: RegExp): string[] | undefined {
  const list = p.array(key, value);
  if (!list) return undefined;
  if (list.length === 0) return p.add(key, list, "must name at least one user");
  const names = list.map((n, i) => p.string(`${key}[${i}]`, n, pattern, `a name matching ${pattern}`));
  p.unique(key, names);
  return names.every((n) => n !== undefined) ? (names as string[]) : undefined;
}
