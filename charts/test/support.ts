// Shared helpers of the chart tests: render a chart with helm, validate the objects offline with kubeconform against
// the pinned Kubernetes API schemas, and look objects up by kind and name. A missing tool or schema set is a test
// failure carrying the install hint, never a skip.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { isolatedPodLabel } from "../../contract/fault-labels";
import { type RunResult, run } from "../../toolchain/src/exec";
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

export { type RunResult as Run, run } from "../../toolchain/src/exec";

/** `helm template` of a chart with values files (paths relative to the chart) and --set pairs. */
export function template(chart: string, valuesFiles: string[] = [], sets: string[] = []): RunResult {
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

/** The chart's defaults and examples, each rendered once per test file and shared by every test that reads it. */
export function exampleRenderer(chart: string): { examples: string[]; example: (name: string) => Rendered } {
  const rendered = new Map<string, Rendered>();
  return {
    examples: exampleNames(chart),
    example(name) {
      let r = rendered.get(name);
      if (r === undefined) {
        r = name === "default" ? render(chart) : render(chart, [`examples/${name}.yaml`]);
        rendered.set(name, r);
      }
      return r;
    },
  };
}

export interface ChartBasicsOptions {
  /** The chart has required values without a default (the smoke gate's target Secret, namespaces and runId): the
   * defaults alone must be refused with this message, and lint and schema validation cover the examples only. */
  defaultsFailWith?: string;
}

/** What every chart must pass: examples exist, `helm lint --strict`, strict offline schema validation of every
 * object of the defaults and each example, and each bad-values file refused with its expected message. */
export function describeChartBasics(
  chart: string,
  examples: string[],
  example: (name: string) => Rendered,
  options: ChartBasicsOptions = {},
): void {
  const { defaultsFailWith } = options;
  const rendered = defaultsFailWith === undefined ? ["default", ...examples] : examples;
  describe(`charts/${chart} renders and validates`, () => {
    test("examples development, staging and production exist", () => {
      expect(examples).toEqual(expect.arrayContaining(["development", "staging", "production"]));
    });

    if (defaultsFailWith !== undefined) {
      test(`the defaults alone are refused: ${defaultsFailWith}`, () => {
        const r = template(chart);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toContain(defaultsFailWith);
      });
    }

    test(`helm lint passes with ${defaultsFailWith === undefined ? "the defaults and with " : ""}every example`, () => {
      for (const name of rendered) {
        const args = ["lint", join(chartsDir, chart), "--strict"];
        if (name !== "default") args.push("-f", join(chartsDir, chart, "examples", `${name}.yaml`));
        const r = run(helmPath(), args);
        expect({ name, code: r.code, out: r.code === 0 ? "" : r.stdout + r.stderr }).toEqual({
          name,
          code: 0,
          out: "",
        });
      }
    });

    test.each(rendered)("every object of %s is valid against the Kubernetes API schemas (strict, offline)", (name) => {
      const r = example(name);
      const v = validate(r.manifest);
      expect(v.problems).toEqual([]);
      expect(v.summary).toEqual({ valid: r.objects.length, invalid: 0, errors: 0, skipped: 0 });
    });
  });

  describe("bad values are rejected with a clear message", () => {
    test.each(badValuesFiles(chart))("$file: $expected", ({ file, expected }) => {
      const r = template(chart, [file]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(expected);
    });
  });
}

/**
 * What the drills' Kubernetes faults need from a broker chart (smoke-tests/faults/kubernetes.ts): a pod labelled
 * isolated is in no allow rule (neither selected nor admitted as a peer), and the pod shares its PID namespace so a
 * SIGKILL by exec reaches the broker.
 */
export function describeFaultReadiness(r: () => Rendered, policyName: string): void {
  test("a pod labelled isolated is in no allow rule: neither selected nor admitted as a peer", () => {
    const np = r().get("NetworkPolicy", policyName).spec;
    const notIsolated = [{ key: isolatedPodLabel, operator: "DoesNotExist" }];
    expect(np.podSelector.matchExpressions).toEqual(notIsolated);
    const peers = np.ingress.flatMap((rule: Any) => rule.from ?? []).filter((f: Any) => f.podSelector);
    expect(peers.length).toBeGreaterThan(0);
    for (const peer of peers) expect(peer.podSelector.matchExpressions).toEqual(notIsolated);
  });

  test("the pod shares its PID namespace, so a SIGKILL by exec reaches the broker", () => {
    for (const s of r().all("StatefulSet")) expect(s.spec.template.spec.shareProcessNamespace).toBe(true);
  });
}
