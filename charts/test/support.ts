// Shared helpers of the chart tests: render a chart with helm, validate the objects offline with kubeconform against
// the pinned Kubernetes API schemas, and look objects up by kind and name. A missing tool or schema set is a test
// failure carrying the install hint, never a skip.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { missingToolHint, repoRoot, toolPaths, version } from "../../toolchain/src/paths";

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [k: string]: unknown };
  [k: string]: unknown;
};
// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are free-form; tests walk them by key.
export type Any = any;

export const chartsDir = join(repoRoot, "charts");
export const kubernetesVersion = version("KUBERNETES_SCHEMA_VERSION");
export const releaseName = "mp";
export const namespace = "messaging";

function tool(what: string, path: string): string {
  if (!existsSync(path)) throw new Error(missingToolHint(what, path));
  return path;
}

export function helmPath(): string {
  return tool("helm", toolPaths.helm);
}

export function schemaDir(): string {
  const strict = join(toolPaths.kubernetesSchemas, `v${kubernetesVersion}-standalone-strict`);
  tool(`Kubernetes v${kubernetesVersion} JSON schemas`, join(strict, "statefulset-apps-v1.json"));
  return toolPaths.kubernetesSchemas;
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[]): Run {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd} ${args.join(" ")}: ${r.error.message}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `helm template` of a chart with values files (paths relative to the chart) and --set pairs. */
export function template(chart: string, valuesFiles: string[] = [], sets: string[] = []): Run {
  const args = ["template", releaseName, join(chartsDir, chart), "--namespace", namespace];
  for (const f of valuesFiles) args.push("-f", join(chartsDir, chart, f));
  for (const s of sets) args.push("--set", s);
  return run(helmPath(), args);
}

export class Rendered {
  constructor(
    readonly manifest: string,
    readonly objects: K8sObject[],
  ) {}
  all(kind: string): Any[] {
    return this.objects.filter((o) => o.kind === kind);
  }
  get(kind: string, name: string): Any {
    const o = this.objects.find((x) => x.kind === kind && x.metadata.name === name);
    if (o === undefined) {
      const have = this.objects.map((x) => `${x.kind}/${x.metadata.name}`).join(", ");
      throw new Error(`no ${kind}/${name} rendered (have: ${have})`);
    }
    return o;
  }
}

/** Renders and parses; throws with helm's message when rendering fails. */
export function render(chart: string, valuesFiles: string[] = [], sets: string[] = []): Rendered {
  const r = template(chart, valuesFiles, sets);
  if (r.code !== 0) throw new Error(`helm template ${chart} ${valuesFiles.join(" ")} failed:\n${r.stderr}`);
  const objects = parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
  return new Rendered(r.stdout, objects);
}

export interface Validation {
  summary: { valid: number; invalid: number; errors: number; skipped: number };
  problems: string[];
}

/** kubeconform -strict against the offline schemas; a kind without a schema counts as a problem. */
export function validate(manifest: string): Validation {
  const kubeconform = tool("kubeconform", toolPaths.kubeconform);
  const dir = mkdtempSync(join(tmpdir(), "charts-kubeconform-"));
  const file = join(dir, "manifest.yaml");
  writeFileSync(file, manifest);
  const r = run(kubeconform, [
    "-strict",
    "-summary",
    "-verbose",
    "-output",
    "json",
    "-kubernetes-version",
    kubernetesVersion,
    "-schema-location",
    schemaDir(),
    file,
  ]);
  const out = JSON.parse(r.stdout) as {
    resources: { kind: string; name: string; status: string; msg: string }[];
    summary: Validation["summary"];
  };
  const problems = out.resources
    .filter((x) => x.status !== "statusValid")
    .map((x) => `${x.kind}/${x.name}: ${x.status} ${x.msg}`);
  return { summary: out.summary, problems };
}

export function exampleNames(chart: string): string[] {
  return readdirSync(join(chartsDir, chart, "examples"))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.replace(/\.yaml$/, ""))
    .sort();
}

export interface BadValues {
  file: string;
  expected: string;
}

/** The ci/ matrix: every file is a bad values file whose first line is `# expect-error: <message>`. */
export function badValuesFiles(chart: string): BadValues[] {
  return readdirSync(join(chartsDir, chart, "ci"))
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => {
      const first = readFileSync(join(chartsDir, chart, "ci", f), "utf8").split("\n")[0] ?? "";
      const m = /^# expect-error: (.+)$/.exec(first);
      if (m?.[1] === undefined)
        throw new Error(`charts/${chart}/ci/${f}: first line must be "# expect-error: <message>"`);
      return { file: `ci/${f}`, expected: m[1] };
    });
}

export function chartValues(chart: string): Any {
  return parse(readFileSync(join(chartsDir, chart, "values.yaml"), "utf8"));
}

/** Every container (init included) of a pod template. */
export function containers(workload: Any): Any[] {
  const spec = workload.spec.template.spec;
  return [...(spec.initContainers ?? []), ...spec.containers];
}

export function container(workload: Any, name: string): Any {
  const c = containers(workload).find((x) => x.name === name);
  if (c === undefined) throw new Error(`no container ${name} in ${workload.metadata.name}`);
  return c;
}

export function env(c: Any, name: string): string | undefined {
  return (c.env as Any[] | undefined)?.find((e) => e.name === name)?.value;
}

/** key=value (or key = value) lines of a properties / rabbitmq.conf text. */
export function properties(text: string, separator: "=" | " = "): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || !line.includes(separator)) continue;
    const i = line.indexOf(separator);
    out.set(line.slice(0, i).trim(), line.slice(i + separator.length).trim());
  }
  return out;
}
