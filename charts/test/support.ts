// Shared helpers of the chart tests: render a chart with helm, validate the objects offline with kubeconform against
// the pinned Kubernetes API schemas, and look objects up by kind and name. A missing tool or schema set is a test
// failure carrying the install hint, never a skip.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { isolatedPodLabel } from "../../contract/fault-labels";

export { tlsProfileProblems } from "../../infra/policy/policies";

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

/** promtool, built from the Prometheus Go module (the toolchain's `prometheus` step). */
export function promtoolPath(): string {
  return tool("promtool", toolPaths.promtool);
}

/** kubeconform's location of the prometheus-operator schemas (PodMonitor, ServiceMonitor, PrometheusRule). */
export function monitoringSchemaLocation(): string {
  tool(
    "prometheus-operator's CRD JSON schemas",
    join(toolPaths.monitoringSchemas, "prometheusrule-monitoring-v1.json"),
  );
  return join(toolPaths.monitoringSchemas, "{{ .ResourceKind }}{{ .KindSuffix }}.json");
}

export { type RunResult as Run, run } from "../../toolchain/src/exec";

/** `helm template` of a chart with values files (paths relative to the chart), --set pairs and --set-file pairs
 * (`key=path`, the path absolute). */
export function template(
  chart: string,
  valuesFiles: string[] = [],
  sets: string[] = [],
  setFiles: string[] = [],
): RunResult {
  const args = ["template", releaseName, join(chartsDir, chart), "--namespace", namespace];
  for (const f of valuesFiles) args.push("-f", join(chartsDir, chart, f));
  for (const s of sets) args.push("--set", s);
  for (const s of setFiles) args.push("--set-file", s);
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
export function render(
  chart: string,
  valuesFiles: string[] = [],
  sets: string[] = [],
  setFiles: string[] = [],
): Rendered {
  const r = template(chart, valuesFiles, sets, setFiles);
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

/** kubeconform -strict against the offline schemas (Kubernetes', then prometheus-operator's monitoring.coreos.com/v1
 * kinds); a kind without a schema counts as a problem. */
export function validate(manifest: string): Validation {
  const kubeconform = tool("kubeconform", toolPaths.kubeconform);
  const dir = mkdtempSync(join(tmpdir(), "charts-kubeconform-"));
  const file = join(dir, "manifest.yaml");
  writeFileSync(file, manifest);
  let r: RunResult;
  try {
    r = run(kubeconform, [
      "-strict",
      "-summary",
      "-verbose",
      "-output",
      "json",
      "-kubernetes-version",
      kubernetesVersion,
      "-schema-location",
      schemaDir(),
      "-schema-location",
      monitoringSchemaLocation(),
      file,
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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

/** The pod spec of a workload (StatefulSet, Deployment, Job), or undefined for objects without one. */
function podSpecOf(o: Any): Any | undefined {
  return o.spec?.template?.spec ?? o.spec?.jobTemplate?.spec?.template?.spec;
}

/**
 * Pure: every place a Secret's value enters a container's environment (an env var from a secretKeyRef, envFrom a
 * whole Secret), as "<kind>/<name> container <c>: <how>". Environment variables are readable to anyone who can exec
 * into the pod and land in crash dumps, so passwords (and every other Secret) reach containers as files.
 */
export function secretsInEnvironment(objects: Any[]): string[] {
  const found: string[] = [];
  for (const o of objects) {
    const spec = podSpecOf(o);
    if (spec === undefined) continue;
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      const at = `${o.kind}/${o.metadata.name} container ${c.name}`;
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) found.push(`${at}: env ${e.name} from Secret ${ref.name} key ${ref.key}`);
      }
      for (const e of c.envFrom ?? []) {
        if (e.secretRef) found.push(`${at}: envFrom Secret ${e.secretRef.name}`);
      }
    }
  }
  return found;
}

/** Pure: every Secret volume whose files are readable beyond their owner (mode above 0400), named. */
export function looseSecretFiles(objects: Any[]): string[] {
  const found: string[] = [];
  for (const o of objects) {
    for (const v of podSpecOf(o)?.volumes ?? []) {
      const modes: number[] = v.secret
        ? [v.secret.defaultMode ?? 0o644, ...(v.secret.items ?? []).flatMap((i: Any) => i.mode ?? [])]
        : v.projected?.sources?.some((src: Any) => src.secret)
          ? [v.projected.defaultMode ?? 0o644]
          : [];
      for (const m of modes.filter((x) => (x & ~0o400) !== 0)) {
        found.push(`${o.kind}/${o.metadata.name} volume ${v.name}: Secret files mode 0${m.toString(8)}, not 0400`);
      }
    }
  }
  return found;
}

/**
 * Pure: every plaintext listener a rendered chart opens, named by ConfigMap and file: a Kafka listener whose
 * security protocol is not SASL_SSL (broker.properties, controller.properties), a client config of the pods' own
 * probes that is not SASL_SSL, and RabbitMQ's plaintext AMQP (`listeners.tcp.*` other than `none`) or management
 * (`management.tcp.*`) listener, a RabbitMQ config without a TLS AMQP listener, or a RabbitMQ node whose Erlang
 * distribution (clustering and quorum-queue replication) is not `-proto_dist inet_tls`.
 */
export function plaintextListeners(r: Rendered): string[] {
  const found: string[] = [];
  for (const cm of r.all("ConfigMap")) {
    for (const [file, text] of Object.entries<string>(cm.data ?? {})) {
      const at = `ConfigMap/${cm.metadata.name} ${file}`;
      if (file.endsWith(".properties")) {
        const props = properties(text, "=");
        for (const entry of props.get("listener.security.protocol.map")?.split(",") ?? []) {
          const [listener, protocol] = entry.split(":");
          if (protocol !== "SASL_SSL") found.push(`${at}: listener ${listener} speaks ${protocol}`);
        }
        const client = props.get("security.protocol");
        if (client !== undefined && client !== "SASL_SSL") found.push(`${at}: the probe's client speaks ${client}`);
      }
      if (file.endsWith(".conf")) {
        const conf = properties(text, " = ");
        for (const [k, v] of conf) {
          if (/^listeners\.tcp(\.|$)/.test(k) && v !== "none") found.push(`${at}: plaintext AMQP listener ${k} = ${v}`);
          if (/^management\.tcp\./.test(k)) found.push(`${at}: plaintext management listener ${k} = ${v}`);
        }
        if (file === "05-chart.conf" && !conf.has("listeners.ssl.default")) found.push(`${at}: no TLS AMQP listener`);
      }
    }
  }
  const rabbitmq = r.all("ConfigMap").some((cm) => cm.data?.["05-chart.conf"] !== undefined);
  for (const sts of rabbitmq ? r.all("StatefulSet") : []) {
    for (const c of sts.spec.template.spec.containers) {
      const args = c.env?.find((e: Any) => e.name === "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS")?.value ?? "";
      if (!args.includes("-proto_dist inet_tls"))
        found.push(`StatefulSet/${sts.metadata.name} container ${c.name}: plaintext Erlang distribution`);
    }
  }
  return found;
}

/** Pure: every container without an ephemeral-storage request or limit, and every emptyDir without a sizeLimit. */
export function unboundedEphemeralStorage(objects: Any[]): string[] {
  const found: string[] = [];
  for (const o of objects) {
    const spec = podSpecOf(o);
    if (spec === undefined) continue;
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      for (const side of ["requests", "limits"]) {
        if (c.resources?.[side]?.["ephemeral-storage"] === undefined)
          found.push(`${o.kind}/${o.metadata.name} container ${c.name}: no ${side}.ephemeral-storage`);
      }
    }
    for (const v of spec.volumes ?? []) {
      if (v.emptyDir && v.emptyDir.sizeLimit === undefined)
        found.push(`${o.kind}/${o.metadata.name} volume ${v.name}: emptyDir without sizeLimit`);
    }
  }
  return found;
}

/** What every chart promises about node disk: every container bounded, every emptyDir sized. */
export function describeEphemeralStorage(names: string[], example: (name: string) => Rendered): void {
  test.each(names)("%s: every container requests and limits ephemeral storage; every emptyDir has a size", (name) => {
    const workloads = example(name).objects.filter((o) => podSpecOf(o) !== undefined);
    expect(workloads.length).toBeGreaterThan(0);
    expect(unboundedEphemeralStorage(workloads)).toEqual([]);
  });
}

/**
 * What every broker chart promises about egress: its NetworkPolicy restricts egress too, to its own pods on the
 * given ports and to the cluster DNS pods on 53, and every rule names its peers (a rule without `to` allows any
 * address).
 */
export function describeLeastPrivilegeEgress(r: () => Rendered, policyName: string, peerPorts: () => number[]): void {
  test("egress: only to this release's pods on the inter-node ports and to the cluster DNS; nothing else", () => {
    const np = r().get("NetworkPolicy", policyName).spec;
    expect(np.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(np.egress).toHaveLength(2);
    for (const rule of np.egress) expect(rule.to?.length).toBeGreaterThan(0);
    const [peers, dns] = np.egress;
    expect(peers.to).toEqual([{ podSelector: { ...np.podSelector } }]);
    expect(peers.ports).toEqual(peerPorts().map((port) => ({ protocol: "TCP", port })));
    expect(dns).toEqual(clusterDnsEgress);
  });
}

/** The egress rule every pod of the charts and the declaration Jobs gets for cluster DNS, and nothing more. */
export const clusterDnsEgress = {
  to: [
    {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
      podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
    },
  ],
  ports: [
    { protocol: "UDP", port: 53 },
    { protocol: "TCP", port: 53 },
  ],
};

/** What every chart promises about its Secrets: files of mode 0400, never environment variables. */
export function describeSecretsAsFiles(names: string[], example: (name: string) => Rendered): void {
  test.each(names)("%s: no Secret value in any container's environment; Secret files are 0400", (name) => {
    expect(secretsInEnvironment(example(name).objects)).toEqual([]);
    expect(looseSecretFiles(example(name).objects)).toEqual([]);
  });
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
 * What the drills' Kubernetes faults need from a broker chart (smoke-tests/faults/kubernetes-faults.ts): a pod labelled
 * isolated is in no allow rule (neither selected nor admitted as a peer), and the pod shares its PID namespace so a
 * SIGKILL by exec reaches the broker.
 */
export function describeFaultReadiness(r: () => Rendered, policyName: string): void {
  test("a pod labelled isolated is in no allow rule: neither selected nor admitted as a peer", () => {
    const np = r().get("NetworkPolicy", policyName).spec;
    const notIsolated = [{ key: isolatedPodLabel, operator: "DoesNotExist" }];
    expect(np.podSelector.matchExpressions).toEqual(notIsolated);
    const peers = [
      ...np.ingress.flatMap((rule: Any) => rule.from ?? []),
      ...(np.egress ?? []).flatMap((rule: Any) => rule.to ?? []),
    ].filter((f: Any) => f.podSelector && !f.namespaceSelector);
    expect(peers.length).toBeGreaterThan(1);
    for (const peer of peers) expect(peer.podSelector.matchExpressions).toEqual(notIsolated);
  });

  test("the pod shares its PID namespace, so a SIGKILL by exec reaches the broker", () => {
    for (const s of r().all("StatefulSet")) expect(s.spec.template.spec.shareProcessNamespace).toBe(true);
  });
}
