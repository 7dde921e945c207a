// The base every system's settings start from: the chart's values.yaml, then the stack's example values file, then
// the stack's overrides (overlay, and brokerConfig for the chart's `config:` map), with the checks the systems share
// (pinned image tags, user names).
import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { Scalar } from "../../chart-values/source";
import { deepMerge, isMapping, pick, readValuesFile, scalar, type Values } from "../../chart-values/values";
import { dnsLabel, dnsLabelRule, type Problems, type Raw } from "../problems";

export interface SettingsContext {
  stack: string;
  /** Directory that holds charts/ and that valuesFile paths are relative to. */
  repoRoot: string;
}

export const userName = /^[A-Za-z0-9._-]{1,64}$/;

export interface ChartBase {
  chartDir: string;
  /** Repo-relative path of the example values file. */
  valuesFile: string;
  /** Repo-relative path of the chart's values.yaml. */
  defaultsFile: string;
  example: Values;
  /** values.yaml with the example file merged over it. */
  effective: Values;
}

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
): ChartBase | undefined {
  const file = p.string(`${key}.valuesFile`, valuesFile);
  if (file === undefined) return undefined;
  const chartDir = join(ctx.repoRoot, "charts", chart);
  const path = resolve(ctx.repoRoot, file);
  if (!existsSync(path)) return p.add(`${key}.valuesFile`, file, `does not exist (looked in ${ctx.repoRoot})`);
  try {
    const example = readValuesFile(path);
    const defaultsFile = join(chartDir, "values.yaml");
    const defaults = existsSync(defaultsFile) ? readValuesFile(defaultsFile) : {};
    return {
      chartDir,
      valuesFile: relative(ctx.repoRoot, path),
      defaultsFile: relative(ctx.repoRoot, defaultsFile),
      example,
      effective: deepMerge(defaults, example),
    };
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

/** A broker's stack section read up to its chart-managed settings: what kafka: and rabbitmq: open with. */
export interface ChartSection<K extends string> {
  raw: Raw;
  namespace: string | undefined;
  release: string | undefined;
  base: ChartBase;
  /** Each chart-managed setting, the stack's override over the values file (see overlay). */
  value: Record<K, unknown>;
  key: (k: K) => string;
}

/**
 * Opens the stack section `name` (also its chart, default namespace and default release): keys, namespace, release,
 * chart values, overlay; one opening so that Kafka and RabbitMQ refuse the same mistakes in the same order.
 */
export function openChartSection<K extends string>(
  p: Problems,
  name: string,
  value: unknown,
  stackKeys: readonly string[],
  settingsFromValues: (values: Values) => Record<K, unknown>,
  ctx: SettingsContext,
): ChartSection<K> | undefined {
  const raw = p.object(name, value);
  if (!raw) return undefined;
  const chartSettingKeys = Object.keys(settingsFromValues({}));
  p.knownKeys(name, raw, [...stackKeys, ...chartSettingKeys]);
  const namespace = p.string(`${name}.namespace`, raw.namespace ?? name, dnsLabel, dnsLabelRule);
  const release = p.string(`${name}.release`, raw.release ?? name, dnsLabel, dnsLabelRule);
  const base = loadChartValues(p, name, name, raw.valuesFile, ctx);
  if (!base) return undefined;
  const { value: v, key } = overlay(p, name, raw, settingsFromValues(base.effective), base.valuesFile);
  return { raw, namespace, release, base, value: v, key };
}

/** Broker settings by server.properties or rabbitmq.conf key, as the chart's `config:` map holds them. */
export type BrokerConfig = Record<string, Scalar>;

/** The `config:` keys a managed setting owns (its chart key path is `<configPath>.<key>`), with that setting. */
export function managedConfigKeys<K extends string>(
  chartKeys: Record<K, readonly string[]>,
  configPath: readonly string[],
): Array<[configKey: string, setting: K]> {
  const out: Array<[string, K]> = [];
  for (const [setting, path] of Object.entries(chartKeys) as Array<[K, readonly string[]]>) {
    const inConfig = path.length === configPath.length + 1 && configPath.every((step, i) => path[i] === step);
    const configKey = path[configPath.length];
    if (inConfig && configKey !== undefined) out.push([configKey, setting]);
  }
  return out;
}

const brokerConfigKey = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The stack's `<prefix>.config`: broker settings (keys of `file`: server.properties, rabbitmq.conf) written over the
 * chart's `config:` map at `configPath`, after the values file. The chart's values stay where broker settings live;
 * this is the stack's override of them, under overlay's rules: one scalar per key, a key that `refused` names (a
 * managed setting with its own stack key, or a key the program derives) is refused with its rule, and a value the
 * values file (or the chart's values.yaml) already holds is a repeat (one key, written once).
 */
export function brokerConfig(
  p: Problems,
  prefix: string,
  file: string,
  value: unknown,
  base: ChartBase,
  configPath: readonly string[],
  refused: ReadonlyMap<string, string>,
): BrokerConfig | undefined {
  const key = `${prefix}.config`;
  const stack = p.object(key, value, true);
  if (!stack) return undefined;
  const effective = pick(base.effective, configPath);
  const example = pick(base.example, configPath);
  const out: BrokerConfig = {};
  const before = p.list.length;
  for (const [k, v] of Object.entries(stack)) {
    if (!brokerConfigKey.test(k)) {
      p.add(`${key}[${JSON.stringify(k)}]`, v, `is not a ${file} key (letters, digits, '.', '_' and '-')`);
      continue;
    }
    const rule = refused.get(k);
    if (rule !== undefined) {
      p.add(`${key}.${k}`, v, rule);
      continue;
    }
    const setting = p.scalar(`${key}.${k}`, v);
    if (setting === undefined) continue;
    const current = isMapping(effective) ? effective[k] : undefined;
    if (current !== undefined && JSON.stringify(scalar(current)) === JSON.stringify(scalar(setting))) {
      const where = isMapping(example) && example[k] !== undefined ? base.valuesFile : base.defaultsFile;
      p.add(`${key}.${k}`, v, `repeats ${where}; remove it from the stack config (one key, written once)`);
      continue;
    }
    out[k] = setting;
  }
  return p.list.length === before ? out : undefined;
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

/**
 * A stack list of settings objects with unique names (kafka.topics, rabbitmq.queues, rabbitmq.policies): one parse so
 * each list refuses a non-list, a non-object, an unknown key and a repeated name alike; `item` reads one object.
 */
export function parseNamedList<T extends { name: string }>(
  p: Problems,
  key: string,
  value: unknown,
  knownKeys: readonly string[],
  item: (itemKey: string, o: Raw) => T | undefined,
): T[] | undefined {
  const list = p.array(key, value ?? []);
  if (!list) return undefined;
  const items = list.map((x, i): T | undefined => {
    const itemKey = `${key}[${i}]`;
    const o = p.object(itemKey, x);
    if (!o) return undefined;
    p.knownKeys(itemKey, o, knownKeys);
    return item(itemKey, o);
  });
  p.unique(
    `${key}[].name`,
    items.map((x) => x?.name),
  );
  return items.every((x) => x !== undefined) ? (items as T[]) : undefined;
}
