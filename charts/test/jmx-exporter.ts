// What the Prometheus JMX exporter agent 1.0.1 does with one MBean attribute, as pure functions: the chart tests apply
// charts/kafka's rules file to sample MBean strings with them, so every curated metric name is checked without a JVM.
// Modelled on the agent's JmxCollector (pattern wrapped in ^.*(?: ... ).*$ and matched whole; first match wins; name,
// labels and value through Matcher.replaceAll; safeName; lowercasing) and on client_java 1.3.1, which the agent
// bundles (a trailing _total, _created, _bucket or _info is stripped from every name; a COUNTER is exposed with _total).
// JavaScript applies the patterns, so they must keep to the regex syntax Java and JavaScript read alike:
// javaOnlyRegexSyntax names whatever would not.

export interface JmxRule {
  pattern?: string;
  name?: string;
  type?: "GAUGE" | "COUNTER" | "UNTYPED";
  value?: string | number;
  valueFactor?: number;
  labels?: Record<string, string>;
}

export interface JmxExporterConfig {
  lowercaseOutputName?: boolean;
  lowercaseOutputLabelNames?: boolean;
  includeObjectNames?: string[];
  rules?: JmxRule[];
}

/** One attribute of one MBean: `kafka.server:type=ReplicaManager,name=LeaderCount` attribute `Value`, keys in order. */
export interface MBeanAttribute {
  domain: string;
  keys: [string, string][];
  attribute: string;
  value: number | string | boolean;
}

/** One exposed sample: its name as Prometheus sees it, labels and value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The string the agent matches rule patterns against: `domain<k1=v1, k2=v2><>attribute: value`. */
export function matchName(m: MBeanAttribute): string {
  return `${m.domain}<${m.keys.map(([k, v]) => `${k}=${v}`).join(", ")}><>${m.attribute}: ${String(m.value)}`;
}

/** The agent's safeName: every character but [a-zA-Z0-9:_] becomes _, runs of _ collapse, no leading digit. */
export function safeName(name: string): string {
  let out = /^[0-9]/.test(name) ? "_" : "";
  for (const c of name) {
    const underscore = !/[a-zA-Z0-9:]/.test(c);
    if (underscore && out.endsWith("_")) continue;
    out += underscore ? "_" : c;
  }
  return out;
}

const reservedSuffixes = ["_total", "_created", "_bucket", "_info"];

/** client_java's sanitizeMetricName: a name never ends with a reserved suffix (stripped, repeatedly). */
export function withoutReservedSuffix(name: string): string {
  let out = name;
  for (let changed = true; changed; ) {
    changed = false;
    for (const s of reservedSuffixes) {
      if (out === s) return s.slice(1);
      if (out.endsWith(s)) {
        out = out.slice(0, -s.length);
        changed = true;
      }
    }
  }
  return out;
}

/** Java's Matcher.replaceAll on a whole-string match: `$n` is group n (as many digits as name a group), `\x` is x. */
export function javaReplacement(template: string, groups: (string | undefined)[]): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const c = template.charAt(i);
    if (c === "\\") {
      out += template.charAt(++i);
    } else if (c === "$") {
      if (!/[0-9]/.test(template.charAt(i + 1))) throw new Error(`Illegal group reference in "${template}"`);
      let n = Number(template.charAt(++i));
      while (/[0-9]/.test(template.charAt(i + 1)) && n * 10 + Number(template.charAt(i + 1)) < groups.length) {
        n = n * 10 + Number(template.charAt(++i));
      }
      if (n >= groups.length) throw new Error(`No group ${n} in "${template}"`);
      out += groups[n] ?? "";
    } else out += c;
  }
  return out;
}

/** The sample the agent exposes for one MBean attribute under `config`, or undefined when no rule keeps it. */
export function applyRules(config: JmxExporterConfig, m: MBeanAttribute): Sample | undefined {
  const input = matchName(m);
  for (const rule of config.rules ?? []) {
    const match = new RegExp(`^.*(?:${rule.pattern ?? ""}).*$`).exec(input);
    if (match === null) continue;
    if (rule.name === undefined) throw new Error("a rule without a name (the default export) is not modelled");
    const groups = [...match];
    let name = safeName(javaReplacement(rule.name, groups));
    if (name === "") return undefined;
    if (config.lowercaseOutputName) name = name.toLowerCase();
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(rule.labels ?? {})) {
      let key = safeName(javaReplacement(k, groups));
      if (config.lowercaseOutputLabelNames) key = key.toLowerCase();
      const value = javaReplacement(String(v), groups);
      if (key !== "" && value !== "") labels[key] = value;
    }
    let value: number;
    if (rule.value !== undefined && String(rule.value) !== "")
      value = Number(javaReplacement(String(rule.value), groups));
    else if (typeof m.value === "number") value = m.value;
    else if (typeof m.value === "boolean") value = m.value ? 1 : 0;
    else return undefined;
    if (Number.isNaN(value)) return undefined;
    const base = withoutReservedSuffix(name);
    return {
      name: rule.type === "COUNTER" ? `${base}_total` : base,
      labels,
      value: value * (rule.valueFactor ?? 1),
    };
  }
  return undefined;
}

/** Regex syntax Java reads and JavaScript reads differently or not at all, named, for each construct found. */
export function javaOnlyRegexSyntax(pattern: string): string[] {
  const constructs: [RegExp, string][] = [
    [/\(\?<[=!]/, "lookbehind"],
    [/\(\?<[A-Za-z]/, "named group"],
    [/\(\?[a-zA-Z-]+[:)]/, "inline flags"],
    [/\\[QE]/, "\\Q..\\E quoting"],
    [/\\[pP]\{/, "\\p{..} class"],
    [/\\[AZzGhHRX]/, "Java-only escape"],
    [/[*+?}]\+/, "possessive quantifier"],
    [/&&/, "class intersection"],
    [/\\x\{/, "\\x{..} escape"],
  ];
  return constructs.filter(([re]) => re.test(pattern)).map(([, what]) => `${what} in ${pattern}`);
}

/** JMX ObjectName pattern matching as includeObjectNames uses it (`domain:k=v,*` or an exact `domain:k=v`). */
export function objectNameMatches(objectNamePattern: string, m: Pick<MBeanAttribute, "domain" | "keys">): boolean {
  const colon = objectNamePattern.indexOf(":");
  const domain = objectNamePattern.slice(0, colon);
  const props = objectNamePattern.slice(colon + 1).split(",");
  const open = props.at(-1) === "*";
  const wanted = (open ? props.slice(0, -1) : props).map((p) => p.split("=") as [string, string]);
  const glob = new RegExp(`^${domain.replace(/[.]/g, "\\.").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  if (!glob.test(m.domain)) return false;
  const have = new Map(m.keys);
  if (!wanted.every(([k, v]) => have.get(k) === v)) return false;
  return open || wanted.length === m.keys.length;
}

/** The agent reads an MBean only when includeObjectNames is unset or one of its patterns matches it. */
export function included(config: JmxExporterConfig, m: Pick<MBeanAttribute, "domain" | "keys">): boolean {
  const include = config.includeObjectNames;
  return include === undefined || include.some((p) => objectNameMatches(p, m));
}

/** Every metric name a PromQL expression selects (identifiers followed by `{`), for comparing alerts with rules. */
export function selectedMetrics(expr: string): string[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((x) => x[1] as string);
}
