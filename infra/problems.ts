// A tiny collector for config problems: every check records "<key> = <value> <rule>" and returns undefined instead
// of throwing, so one run reports every mistake in a stack config at once.
import type { Scalar } from "../chart-values/source";

export type Raw = Record<string, unknown>;

/** Renders a config value the way it would be written in Pulumi.<stack>.yaml. */
export function show(value: unknown): string {
  if (value === undefined) return "(unset)";
  return JSON.stringify(value);
}

export class Problems {
  readonly list: string[] = [];

  /** Records `<key> = <value> <rule>`, e.g. `kafka.brokers = 2 is fewer than kafka.replicationFactor = 3`. */
  add(key: string, value: unknown, rule: string): undefined {
    this.list.push(`${key} = ${show(value)} ${rule}`);
    return undefined;
  }

  /** A mapping (or nothing, when optional); anything else is a problem. */
  object(key: string, value: unknown, optional = false): Raw | undefined {
    if (value === undefined && optional) return {};
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Raw;
    return this.add(key, value, "must be a mapping");
  }

  /** Flags keys nobody reads: a typo must not silently fall back to a default. */
  knownKeys(key: string, value: Raw, known: readonly string[]): void {
    for (const k of Object.keys(value)) {
      if (!known.includes(k)) this.add(`${key}.${k}`, value[k], `is not a known setting (known: ${known.join(", ")})`);
    }
  }

  int(key: string, value: unknown, min: number): number | undefined {
    if (typeof value !== "number" || !Number.isInteger(value))
      return this.add(key, value, `must be an integer ≥ ${min}`);
    if (value < min) return this.add(key, value, `must be ≥ ${min}`);
    return value;
  }

  bool(key: string, value: unknown): boolean | undefined {
    if (typeof value !== "boolean") return this.add(key, value, "must be true or false");
    return value;
  }

  string(key: string, value: unknown, pattern?: RegExp, describe?: string): string | undefined {
    if (typeof value !== "string" || value === "") return this.add(key, value, "must be a non-empty string");
    if (pattern && !pattern.test(value))
      return this.add(key, value, `must be ${describe ?? `a string matching ${pattern}`}`);
    return value;
  }

  /** One broker setting's value (a server.properties or rabbitmq.conf line): a string, a number or a boolean. */
  scalar(key: string, value: unknown): Scalar | undefined {
    const ok =
      typeof value === "boolean" ||
      (typeof value === "number" && Number.isFinite(value)) ||
      (typeof value === "string" && value !== "" && !/[\r\n]/.test(value));
    if (!ok) return this.add(key, value, "must be a scalar: a number, a boolean or a non-empty one-line string");
    return value as Scalar;
  }

  oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[]): T | undefined {
    if (typeof value !== "string" || !allowed.includes(value as T)) {
      return this.add(key, value, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
    }
    return value as T;
  }

  array(key: string, value: unknown): unknown[] | undefined {
    if (!Array.isArray(value)) return this.add(key, value, "must be a list");
    return value;
  }

  unique(key: string, names: Array<string | undefined>): void {
    const seen = new Set<string>();
    for (const n of names) {
      if (n === undefined) continue;
      if (seen.has(n)) this.add(key, n, "is declared more than once");
      seen.add(n);
    }
  }
}

/** DNS-1123 label: Kubernetes namespace and release names. */
export const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const dnsLabelRule = "a DNS-1123 label (lower case letters, digits and '-', at most 63 characters)";
