// The Kubernetes path on the real Pulumi engine and the real Kubernetes provider, with no cluster: each example
// stack's config on the render platform (`npm run render`), previewed with the policy pack and deployed, the
// manifests it wrote validated like the chart tests' and read back: namespaces, Secrets, NetworkPolicies, the gate Job,
// the providers in the state, the target output. The policy pack's rules are then run directly over the rendered
// production objects with one thing broken at a time.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments, parse as parseYaml, stringify } from "yaml";
import { validate } from "../../charts/test/support";
import { validateTarget } from "../../contract/validate-target";
import { requireTool, run } from "../../toolchain/src/exec";
import { repoRoot, toolPaths, version } from "../../toolchain/src/paths";
import { renderedSecretPlaceholder } from "../components/generated-secrets";
import { policies } from "../policy/policies";
import { type RenderResult, renderStack } from "../render/render";
import { kafkaTopology } from "../values/kafka";
import { monitoringNamespaceLabels } from "../values/prometheus";
import { rabbitmqTopology } from "../values/rabbitmq";
import { exampleSettings, exampleStacks } from "./stacks";

jest.setTimeout(900_000);

type Obj = Record<string, any>;
const policyPack = join(repoRoot, "infra", "policy");
const passphrase = "render-test";

interface Rendered {
  result: RenderResult;
  workDir: string;
  objects: Obj[];
  /** The Pulumi CLI in the render's project, on its throwaway state. */
  cli(args: string[]): { code: number | null; out: string; stdout: string };
}

const renders = new Map<string, Rendered>();
const temps: string[] = [];
const temp = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
};
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

function cliIn(workDir: string) {
  mkdirSync(join(workDir, "state"), { recursive: true });
  return (args: string[]) => {
    const r = run(requireTool("the Pulumi CLI", toolPaths.pulumi), [...args, "--non-interactive", "--cwd", workDir], {
      env: {
        ...process.env,
        KUBECONFIG: "",
        PULUMI_BACKEND_URL: `file://${join(workDir, "state")}`,
        PULUMI_CONFIG_PASSPHRASE: passphrase,
      },
      timeoutMs: 600_000,
    });
    return { code: r.code, out: r.stdout + r.stderr, stdout: r.stdout };
  };
}

function readManifests(dir: string, files: string[]): Obj[] {
  return files
    .filter((f) => f.endsWith(".yaml"))
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => d.toJS() as Obj | null))
    .filter((o): o is Obj => o !== null);
}

/** Renders a stack once per test run (each render is a preview and an up of the real engine). */
async function rendered(stack: string, configFile?: string): Promise<Rendered> {
  const key = `${stack}:${configFile ?? ""}`;
  const cached = renders.get(key);
  if (cached) return cached;
  const workDir = temp(`mp-render-${stack}-`);
  const outDir = join(temp(`mp-manifests-${stack}-`), "out");
  let log = "";
  const result = await renderStack({
    stack,
    repoRoot,
    outDir,
    workDir,
    passphrase,
    ...(configFile ? { configFile } : {}),
    onOutput: (t) => {
      log += t;
    },
  });
  if (result.ok) console.log(`render ${stack}: preview ${result.previewMs} ms, up ${result.upMs} ms`);
  else console.log(`render ${stack} failed:\n${result.failure}\n${log.slice(-4000)}`);
  const r = { result, workDir, objects: result.ok ? readManifests(outDir, result.files) : [], cli: cliIn(workDir) };
  renders.set(key, r);
  return r;
}

describe.each(exampleStacks)("example stack %s on the render platform", (stack) => {
  let r: Rendered;
  beforeAll(async () => {
    r = await rendered(stack);
  });
  const ofKind = (kind: string) => r.objects.filter((o) => o.kind === kind);

  it("previews with the policy pack (every policy mandatory) and writes the manifests", () => {
    expect(r.result.failure).toBeUndefined();
    expect(r.result.ok).toBe(true);
    expect(r.objects.map((o) => o.kind)).toEqual(
      expect.arrayContaining(["Namespace", "StatefulSet", "PodDisruptionBudget", "NetworkPolicy", "Secret", "Job"]),
    );
  });

  it("every manifest passes the offline Kubernetes schema validation the chart tests use", () => {
    const manifests = r.result.files
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => readFileSync(join(r.result.outDir, f), "utf8"))
      .join("\n---\n");
    const v = validate(manifests);
    expect(v.problems).toEqual([]);
    expect(v.summary.valid).toBe(r.objects.length);
  });

  it("a second preview reports no changes", () => {
    const p = r.cli(["preview", "--expect-no-changes", "--policy-pack", policyPack]);
    expect(p.code).toBe(0);
  });

  it("gives each system its own namespace with Pod Security restricted and a default-deny NetworkPolicy", () => {
    const systems = ofKind("Namespace").filter((n) => n.metadata.labels["messaging-platform.io/system"]);
    expect(systems.map((n) => n.metadata.name).sort()).toEqual(["kafka", "rabbitmq"]);
    for (const n of systems) {
      expect(n.metadata.labels).toMatchObject({
        "pod-security.kubernetes.io/enforce": "restricted",
        "messaging-platform.io/environment": exampleSettings(stack).environment,
      });
    }
    const deny = ofKind("NetworkPolicy").filter((p) => Object.keys(p.spec.podSelector ?? {}).length === 0);
    expect(deny.map((p) => p.metadata.namespace).sort()).toEqual(["kafka", "rabbitmq"]);
    for (const p of deny) expect(p.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress"] });
  });

  it("the brokers read the Secrets the program created, and admit the client namespaces from config", () => {
    const s = exampleSettings(stack);
    const secrets = ofKind("Secret").map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    expect(secrets).toEqual(
      expect.arrayContaining([
        "kafka/kafka-scram-users",
        "kafka/kafka-kraft-cluster-id",
        "rabbitmq/rabbitmq-default-user",
        "rabbitmq/rabbitmq-erlang-cookie",
      ]),
    );
    const sets = JSON.stringify(ofKind("StatefulSet"));
    for (const name of [
      "kafka-scram-users",
      "kafka-kraft-cluster-id",
      "rabbitmq-default-user",
      "rabbitmq-erlang-cookie",
    ])
      expect(sets).toContain(`"${name}"`);
    const clientRules = ofKind("NetworkPolicy").flatMap((p) => p.spec.ingress ?? []);
    expect(JSON.stringify(clientRules)).toContain(JSON.stringify({ matchLabels: s.clientNamespaceLabels }));
    const broker = ofKind("ConfigMap").find((c) => c.data?.["broker.properties"] ?? c.data?.["server.properties"]);
    const props = String(broker?.data["broker.properties"] ?? broker?.data["server.properties"]);
    expect(props).toContain(`default.replication.factor=${s.kafka.replicationFactor}`);
    expect(props).toContain(`min.insync.replicas=${s.kafka.minInsyncReplicas}`);
  });

  it("writes no credential to disk: every Secret carries its keys with the placeholder", () => {
    // A user name is not a credential; everything else in a Secret is.
    const values = ofKind("Secret").flatMap((o) =>
      [
        ...Object.entries<string>(o.stringData ?? {}),
        ...Object.entries<string>(o.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()] as const),
      ]
        .filter(([k]) => k !== "username")
        .map(([, v]) => v),
    );
    expect(values.length).toBeGreaterThanOrEqual(6);
    for (const v of values) {
      // The gate's target.json is JSON around the placeholders; every other value is the placeholder itself.
      if (v.startsWith("{")) expect(JSON.parse(v).kafka.sasl.password).toBe(renderedSecretPlaceholder);
      else expect(v).toBe(renderedSecretPlaceholder);
    }
  });

  it("serves TLS on every listener where the stack's tls is on (staging, production), plaintext only where it says so", () => {
    const s = exampleSettings(stack);
    const on = s.tls.enabled;
    expect(on).toBe(stack !== "dev");
    const kafkaConfig = ofKind("ConfigMap").find((c) => c.data?.["broker.properties"]);
    const protocols = ["broker.properties", "controller.properties"]
      .map((f) => kafkaConfig?.data[f])
      .filter((text): text is string => text !== undefined)
      .flatMap((text) => /listener\.security\.protocol\.map=(.*)/.exec(text)?.[1]?.split(",") ?? []);
    // Client, inter-broker and controller listeners, on brokers and (production: dedicated) controllers alike.
    expect(new Set(protocols.map((p) => p.split(":")[0]))).toEqual(new Set(["CLIENT", "INTERNAL", "CONTROLLER"]));
    for (const p of protocols) expect(p).toMatch(on ? /:SASL_SSL$/ : /:SASL_PLAINTEXT$/);
    const rabbitConf = String(ofKind("ConfigMap").find((c) => c.data?.["05-chart.conf"])?.data["05-chart.conf"]);
    if (on) {
      expect(rabbitConf).toContain("listeners.tcp = none");
      expect(rabbitConf).toContain(`listeners.ssl.default = ${s.rabbitmq.ports.amqps}`);
      expect(rabbitConf).toContain(`management.ssl.port = ${s.rabbitmq.ports.managementTls}`);
      expect(rabbitConf).not.toMatch(/listeners\.tcp\.default|management\.tcp\.port/);
    } else {
      expect(rabbitConf).toContain(`listeners.tcp.default = ${s.rabbitmq.ports.amqp}`);
      expect(rabbitConf).not.toContain("ssl");
    }
    // One kubernetes.io/tls Secret per system, mounted by every broker pod.
    const tlsSecrets = ofKind("Secret").filter((o) => o.type === "kubernetes.io/tls");
    expect(tlsSecrets.map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual(
      on ? ["kafka/kafka-tls", "rabbitmq/rabbitmq-tls"] : [],
    );
    for (const o of tlsSecrets)
      expect(Object.keys(o.stringData ?? o.data).sort()).toEqual(["ca.crt", "tls.crt", "tls.key"]);
    for (const sts of ofKind("StatefulSet")) {
      const volumes = JSON.stringify(sts.spec.template.spec.volumes);
      if (on) expect(volumes).toMatch(/"secretName":"(kafka|rabbitmq)-tls"/);
      else expect(volumes).not.toContain("-tls");
    }
    const target = JSON.parse(r.cli(["stack", "output", "target", "--json"]).stdout);
    expect(target.kafka.tls).toBe(on);
    expect(target.rabbitmq.amqpUrls[0]).toMatch(on ? /^amqps:\/\/.*:5671$/ : /^amqp:\/\/.*:5672$/);
    expect(target.rabbitmq.managementUrls[0]).toMatch(on ? /^https:\/\/.*:15671$/ : /^http:\/\/.*:15672$/);
    expect(target.rabbitmq.plaintextUrls?.length).toBe(on ? 2 * s.rabbitmq.replicas : undefined);
    // RabbitMQ's inter-node traffic (the Erlang distribution, and the CLI tools) over TLS too, and the gate told so.
    const rabbitEnv = JSON.stringify(ofKind("StatefulSet").find((o) => o.metadata.name === "rabbitmq")?.spec.template);
    if (on) expect(rabbitEnv).toContain("-proto_dist inet_tls -ssl_dist_optfile /etc/rabbitmq/inter_node_tls.config");
    else expect(rabbitEnv).not.toContain("inet_tls");
    expect(target.rabbitmq.distribution).toEqual(on ? { port: 25672, tls: true } : undefined);
  });

  it("the declaration Jobs read their password from a 0400 Secret file; no Secret enters any environment", () => {
    const jobs = ofKind("Job").filter((j) => j.metadata.labels?.["messaging-platform.io/role"] === "declarations");
    expect(jobs.map((j) => j.metadata.namespace).sort()).toEqual(["kafka", "rabbitmq"]);
    for (const j of jobs) {
      const spec = j.spec.template.spec;
      const password = spec.volumes.find((v: Obj) => v.name === "password");
      expect(password.secret).toMatchObject({ items: [{ path: "password" }], defaultMode: 0o400 });
      expect(spec.containers[0].volumeMounts).toContainEqual({
        name: "password",
        mountPath: "/run/secrets/declarations",
        readOnly: true,
      });
      expect(spec.securityContext.fsGroup).toBe(spec.securityContext.runAsUser);
    }
    const fromSecrets = r.objects.flatMap((o) =>
      [...(o.spec?.template?.spec?.initContainers ?? []), ...(o.spec?.template?.spec?.containers ?? [])].flatMap(
        (c: Obj) =>
          (c.env ?? [])
            .filter((e: Obj) => e.valueFrom?.secretKeyRef)
            .map((e: Obj) => `${o.metadata.name}/${c.name}: ${e.name}`),
      ),
    );
    expect(fromSecrets).toEqual([]);
  });

  it("restricts every broker's and every Job's egress to its peers or brokers and the cluster DNS", () => {
    const policies = ofKind("NetworkPolicy").filter((p) => p.spec.policyTypes.includes("Egress"));
    const selects = (p: Obj, o: Obj) =>
      p.metadata.namespace === o.metadata.namespace &&
      Object.entries(p.spec.podSelector.matchLabels ?? {}).every(
        ([k, v]) => o.spec.template.metadata.labels?.[k] === v,
      );
    const systems = [...ofKind("StatefulSet"), ...ofKind("Job")].filter((o) =>
      ["kafka", "rabbitmq"].includes(o.metadata.namespace),
    );
    expect(systems.length).toBeGreaterThanOrEqual(4);
    for (const o of systems) {
      const mine = policies.filter((p) => selects(p, o));
      expect({ o: o.metadata.name, policies: mine.length }).toEqual({ o: o.metadata.name, policies: 1 });
      // Every rule names its peers: an egress rule without `to` would allow any address.
      for (const rule of mine[0]?.spec.egress ?? []) expect(rule.to?.length).toBeGreaterThan(0);
      const dns = mine[0]?.spec.egress.find((rule: Obj) => rule.ports.some((p: Obj) => p.port === 53));
      expect(dns.to).toEqual([
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
          podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
        },
      ]);
    }
  });

  it("keeps no private key in the stack's state (a render generates none)", () => {
    const state = r.cli(["stack", "export"]).stdout;
    expect(state).not.toContain("PRIVATE KEY");
  });

  it("gives every Kubernetes resource the one explicit provider, never the default one", () => {
    const state = JSON.parse(r.cli(["stack", "export"]).stdout);
    const resources: Obj[] = state.deployment.resources;
    const providers = resources.filter((x) => x.type === "pulumi:providers:kubernetes");
    expect(providers).toHaveLength(1);
    expect(providers[0]?.urn).not.toContain("::default");
    const k8s = resources.filter((x) => x.type.startsWith("kubernetes:") && x.custom);
    expect(k8s.length).toBeGreaterThan(10);
    for (const x of k8s) expect(String(x.provider)).toContain(`${providers[0]?.urn}::`);
  });

  it("outputs a target the smoke tests accept, with both passwords as Pulumi secrets", () => {
    const masked = JSON.parse(r.cli(["stack", "output", "target", "--json"]).stdout);
    expect(masked.kafka.sasl.password).toBe("[secret]");
    expect(masked.rabbitmq.password).toBe("[secret]");
    const target = JSON.parse(r.cli(["stack", "output", "target", "--json", "--show-secrets"]).stdout);
    const checked = validateTarget(target);
    // A one-broker stack promises no durability, and the smoke tests' contract says so: it accepts only targets where
    // one broker can die. Every other field of that target must be right.
    const problems = checked.ok ? [] : checked.problems.map((p) => p.field);
    expect(problems).toEqual(
      stack === "dev" ? ["kafka.expected.minInsyncReplicas", "kafka.topics[0].minInsyncReplicas"] : [],
    );
    expect(target.kafka.expected.replicationFactor).toBe(exampleSettings(stack).kafka.replicationFactor);
    expect(target.placement).toMatchObject({ kind: "kubernetes", kafka: { namespace: "kafka" } });
  });

  it("publishes durability that agrees with the target's expectations", () => {
    const out = JSON.parse(r.cli(["stack", "output", "--json", "--show-secrets"]).stdout);
    expect(out.durability.kafka).toMatchObject(out.target.kafka.expected);
    expect(out.durability.rabbitmq).toMatchObject(out.target.rabbitmq.expected);
    expect(out.durability.kafka.toleratesBrokerLoss).toBe(
      out.target.kafka.expected.replicationFactor - out.target.kafka.expected.minInsyncReplicas,
    );
  });
});

describe("the in-cluster smoke gate, rendered (staging: gate.inCluster.enabled)", () => {
  let r: Rendered;
  beforeAll(async () => {
    r = await rendered("staging");
  });
  const find = (kind: string, pred: (o: Obj) => boolean) => r.objects.find((o) => o.kind === kind && pred(o));

  it("runs in its own namespace, which carries the client labels the brokers' NetworkPolicies admit", () => {
    const ns = find("Namespace", (o) => o.metadata.name === "messaging-smoke");
    expect(ns?.metadata.labels).toMatchObject({
      ...exampleSettings("staging").clientNamespaceLabels,
      "pod-security.kubernetes.io/enforce": "restricted",
    });
    expect(find("Job", (o) => o.metadata.name.startsWith("smoke-gate-run-"))?.metadata.namespace).toBe(
      "messaging-smoke",
    );
  });

  it("reads the stack's target from a Secret: gate settings, no kubeconfig or context", () => {
    const secret = find("Secret", (o) => o.metadata.name === "smoke-gate-target");
    const raw = secret?.stringData?.["target.json"] ?? Buffer.from(secret?.data["target.json"], "base64").toString();
    const target = JSON.parse(raw);
    expect(validateTarget(target).ok).toBe(true);
    expect(target.gate.throughput.floors.kafka).toEqual({ messagesPerSec: 2000, publishP99Ms: 500 });
    expect(target.placement.context).toBeUndefined();
    expect(target.placement.kubeconfig).toBeUndefined();
  });

  it("renders a Job named after the run id, and the stack output says how to read its log", () => {
    const job = find("Job", (o) => o.metadata.name.startsWith("smoke-gate-run-"));
    expect(job?.spec.backoffLimit).toBe(0);
    const gate = JSON.parse(r.cli(["stack", "output", "smokeGate", "--json"]).stdout);
    expect(gate.logs).toBe(`kubectl -n messaging-smoke logs job/${job?.metadata.name}`);
  });

  it("its NetworkPolicy: egress only to the brokers' client ports (from the settings), the API server's ports and DNS", () => {
    const s = exampleSettings("staging");
    const np = find(
      "NetworkPolicy",
      (o) => o.metadata.namespace === "messaging-smoke" && o.metadata.name === "smoke-gate",
    );
    expect(np?.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    // No ingress rule (the provider leaves the chart's empty `ingress: []` out of the manifest).
    expect(np?.spec.ingress ?? []).toEqual([]);
    const ns = (name: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } });
    const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP", port }));
    expect(np?.spec.egress).toEqual([
      { to: [ns(s.kafka.namespace)], ports: tcp(s.kafka.clientPort) },
      // Staging serves AMQP and management over TLS only: the gate reaches those ports and no plaintext one.
      { to: [ns(s.rabbitmq.namespace)], ports: tcp(s.rabbitmq.ports.amqps, s.rabbitmq.ports.managementTls) },
      // The render platform reads no cluster, so the API server's endpoints are unknown: its ports only. A deploy
      // fills them from the kubernetes Service's EndpointSlices (infra/api-server.ts).
      { ports: tcp(443, 6443) },
      {
        to: [{ ...ns("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
        ports: [
          { protocol: "UDP", port: 53 },
          { protocol: "TCP", port: 53 },
        ],
      },
    ]);
  });

  it("its ServiceAccount may kill (exec), label and delete pods and manage NetworkPolicies, read StatefulSets in the broker namespaces, and nothing else", () => {
    const rbac = r.objects.filter((o) => /^(Cluster)?Role(Binding)?$/.test(o.kind));
    expect(rbac.filter((o) => o.kind.startsWith("Cluster"))).toEqual([]);
    const roles = rbac.filter((o) => o.kind === "Role");
    expect(roles.map((x) => x.metadata.namespace).sort()).toEqual(["kafka", "rabbitmq"]);
    for (const role of roles) {
      expect(role.rules).toEqual([
        { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "delete", "patch"] },
        { apiGroups: [""], resources: ["pods/exec"], verbs: ["create", "get"] },
        {
          apiGroups: ["networking.k8s.io"],
          resources: ["networkpolicies"],
          verbs: ["get", "list", "create", "delete"],
        },
        { apiGroups: ["apps"], resources: ["statefulsets"], verbs: ["get"] },
      ]);
    }
    for (const binding of rbac.filter((o) => o.kind === "RoleBinding")) {
      expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "smoke-gate", namespace: "messaging-smoke" }]);
    }
  });
});

describe("the cluster stack's Prometheus, rendered (monitoring.prometheus.enabled)", () => {
  let r: Rendered;
  beforeAll(async () => {
    r = await rendered("cluster");
  });
  const get = (kind: string, name: string, namespace: string) =>
    r.objects.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace);

  it("passes the policy pack; its namespace carries the label both brokers' metricsFrom admits and PSA restricted", () => {
    expect(r.result.failure).toBeUndefined();
    const ns = r.objects.find((o) => o.kind === "Namespace" && o.metadata.name === "monitoring");
    expect(ns?.metadata.labels).toMatchObject({
      ...monitoringNamespaceLabels,
      "pod-security.kubernetes.io/enforce": "restricted",
    });
  });

  it("loads the broker charts' rule files unchanged and scrapes the brokers' namespaces on their metrics ports", () => {
    const cm = get("ConfigMap", "prometheus-config", "monitoring");
    for (const system of ["kafka", "rabbitmq"]) {
      expect(cm?.data[`rules-${system}.yaml`]).toBe(
        readFileSync(join(repoRoot, "charts", system, "files", "alerts.yaml"), "utf8"),
      );
    }
    const jobs = parseYaml(cm?.data["prometheus.yml"]).scrape_configs.map((j: Obj) => [
      j.job_name,
      j.kubernetes_sd_configs[0].namespaces.names,
      j.relabel_configs.find((c: Obj) => c.action === "keep").regex,
    ]);
    expect(jobs).toEqual([
      ["kafka", ["kafka"], "tcp-prometheus;9404"],
      ["rabbitmq", ["rabbitmq"], "prometheus;15692"],
      ["rabbitmq-detailed", ["rabbitmq"], "prometheus;15692"],
    ]);
    expect(get("Role", "prometheus-discovery", "kafka")).toBeDefined();
    expect(get("Role", "prometheus-discovery", "rabbitmq")).toBeDefined();
    const image = get("Deployment", "prometheus", "monitoring")?.spec.template.spec.containers[0].image;
    expect(image).toBe(`localhost/prometheus:${version("PROMETHEUS_VERSION")}`);
  });

  it("admits the stack's clientAddresses (the drills' machine) and the in-cluster gate's pod to its API port, beside the labelled namespaces", () => {
    const np = get("NetworkPolicy", "prometheus", "monitoring");
    expect(np?.spec.ingress).toEqual([
      {
        ports: [{ protocol: "TCP", port: 9090 }],
        from: [
          { namespaceSelector: { matchLabels: { ...monitoringNamespaceLabels } } },
          ...exampleSettings("cluster").clientAddresses.map((cidr) => ({ ipBlock: { cidr } })),
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "messaging-smoke" } },
            podSelector: { matchLabels: { "messaging-platform.io/role": "smoke-gate" } },
          },
        ],
      },
    ]);
  });

  it("the in-cluster gate may reach it: egress to its pods' API port, a Role to find them", () => {
    const gateNp = get("NetworkPolicy", "smoke-gate", "messaging-smoke");
    const labels = get("Deployment", "prometheus", "monitoring")?.spec.selector.matchLabels;
    expect(gateNp?.spec.egress).toContainEqual({
      to: [
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
          podSelector: { matchLabels: labels },
        },
      ],
      ports: [{ protocol: "TCP", port: 9090 }],
    });
    expect(get("Role", "smoke-gate-monitoring", "monitoring")?.rules).toEqual([
      { apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] },
    ]);
  });

  it("tells the drills where it runs: the target's placement.prometheus selects its pod, on its Service's port", () => {
    const target = JSON.parse(r.cli(["stack", "output", "target", "--json"]).stdout);
    const labels = get("Deployment", "prometheus", "monitoring")?.spec.selector.matchLabels as Record<string, string>;
    const service = get("Service", "prometheus", "monitoring");
    const { podSelector, ...rest } = target.placement.prometheus;
    expect(rest).toEqual({ namespace: "monitoring", port: service?.spec.ports[0].port });
    expect(podSelector.split(",").sort()).toEqual(
      Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .sort(),
    );
  });
});

describe("a broker setting changed in the stack config (kafka.config, rabbitmq.config) rolls the brokers", () => {
  let before: Rendered;
  let after: Rendered;
  beforeAll(async () => {
    before = await rendered("production");
    const config = join(temp("mp-broker-config-"), "Pulumi.production.yaml");
    const doc = parseYaml(readFileSync(join(repoRoot, "Pulumi.production.yaml"), "utf8"));
    doc.config["messaging-platform:kafka"].config = { "num.io.threads": 9 };
    doc.config["messaging-platform:rabbitmq"].config = { channel_max: 512 };
    writeFileSync(config, stringify(doc));
    after = await rendered("production", config);
  });
  const s = () => exampleSettings("production");
  const named = (os: Obj[], kind: string, name: string) => {
    const o = os.find((x) => x.kind === kind && x.metadata.name === name);
    if (!o) throw new Error(`no ${kind} ${name}`);
    return o;
  };
  const statefulSets = () => [
    ...kafkaTopology(s().kafka).statefulSets.map((name) => ["kafka", name] as const),
    ["rabbitmq", rabbitmqTopology(s().rabbitmq).statefulSet] as const,
  ];
  /** A pod template without its config checksum. */
  const withoutConfigChecksum = (sts: Obj) => {
    const t = structuredClone(sts.spec.template);
    delete t.metadata.annotations["checksum/config"];
    return t;
  };

  it("passes the preview with the policy pack and writes the manifests", () => {
    expect(after.result.failure).toBeUndefined();
    expect(after.result.ok).toBe(true);
  });

  it("writes the settings into the brokers' config files", () => {
    const kafka = named(after.objects, "ConfigMap", "kafka-config").data;
    expect(kafka["broker.properties"]).toMatch(/^num\.io\.threads=9$/m);
    expect(named(before.objects, "ConfigMap", "kafka-config").data["broker.properties"]).not.toContain(
      "num.io.threads",
    );
    expect(named(after.objects, "ConfigMap", "rabbitmq-config").data["10-values.conf"]).toMatch(/^channel_max = 512$/m);
  });

  it("changes each broker StatefulSet's pod template in its config checksum and nothing else", () => {
    for (const [system, name] of statefulSets()) {
      const was = named(before.objects, "StatefulSet", name);
      const is = named(after.objects, "StatefulSet", name);
      expect({ system, name, checksum: is.spec.template.metadata.annotations["checksum/config"] }).toEqual({
        system,
        name,
        checksum: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(is.spec.template.metadata.annotations["checksum/config"]).not.toBe(
        was.spec.template.metadata.annotations["checksum/config"],
      );
      expect(withoutConfigChecksum(is)).toEqual(withoutConfigChecksum(was));
      expect({ ...is, spec: { ...is.spec, template: undefined } }).toEqual({
        ...was,
        spec: { ...was.spec, template: undefined },
      });
    }
  });

  it("changes no other object", () => {
    const changed = new Set([
      "ConfigMap/kafka/kafka-config",
      "ConfigMap/rabbitmq/rabbitmq-config",
      ...statefulSets().map(([ns, name]) => `StatefulSet/${ns}/${name}`),
    ]);
    const id = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
    const rest = (r: Rendered) => r.objects.filter((o) => !changed.has(id(o)));
    expect(after.objects.map(id).sort()).toEqual(before.objects.map(id).sort());
    expect(rest(after)).toEqual(rest(before));
  });
});

/** A Kubernetes object as a policy sees it (type token as the provider names it). */
function asPolicyResource(o: Obj, i: number) {
  const group = String(o.apiVersion).includes("/") ? o.apiVersion : `core/${o.apiVersion}`;
  return {
    type: `kubernetes:${group}:${o.kind}`,
    props: o,
    urn: `urn:pulumi:test::messaging-platform::${o.kind}::${o.metadata?.name ?? i}`,
    name: o.metadata?.name ?? String(i),
    opts: { protect: false, ignoreChanges: [], aliases: [], additionalSecretOutputs: [], customTimeouts: {} },
  };
}

/** Runs every policy over a set of objects; returns the violation messages. */
async function violations(objects: Obj[]): Promise<string[]> {
  const resources = objects.map(asPolicyResource);
  const found: string[] = [];
  const report = (m: string) => found.push(m);
  const common = { stackTags: new Map(), getConfig: () => ({}), notApplicable: () => undefined as never };
  for (const p of policies) {
    if ("validateStack" in p && p.validateStack) await p.validateStack({ resources, ...common } as any, report);
    if ("validateResource" in p && typeof p.validateResource === "function") {
      for (const x of resources) await p.validateResource({ ...x, ...common } as any, report);
    }
  }
  return found;
}

describe("the policy pack's rules on the rendered production objects, one thing broken at a time", () => {
  let objects: Obj[];
  beforeAll(async () => {
    objects = (await rendered("production")).objects;
  });
  const clone = () => structuredClone(objects);
  const find = (os: Obj[], kind: string, pred: (o: Obj) => boolean = () => true) => {
    const o = os.find((x) => x.kind === kind && pred(x));
    if (!o) throw new Error(`no ${kind}`);
    return o;
  };

  it("the objects as rendered pass every rule", async () => {
    expect(await violations(clone())).toEqual([]);
  });

  it("rejects a broker replication factor of 2", async () => {
    const os = clone();
    const cm = find(os, "ConfigMap", (o) => o.data?.["broker.properties"] !== undefined);
    cm.data["broker.properties"] = cm.data["broker.properties"].replace(
      /default\.replication\.factor=\d+/,
      "default.replication.factor=2",
    );
    expect(await violations(os)).toEqual([
      expect.stringMatching(/broker\.properties: default\.replication\.factor=2 is below the production floor of 3$/),
    ]);
  });

  it("rejects a declared topic with min ISR 1", async () => {
    const os = clone();
    const cm = find(os, "ConfigMap", (o) => o.data?.["apply.sh"]?.includes("ensure_topic '"));
    cm.data["apply.sh"] = cm.data["apply.sh"].replace(/^(ensure_topic '\w+' \d+ \d+) \d+$/m, "$1 1");
    expect(await violations(os)).toEqual([
      expect.stringMatching(/topic smoke has min.insync.replicas 1, below the production floor of 2/),
    ]);
  });

  it("rejects a Kafka listener or a RabbitMQ listener without TLS in production", async () => {
    const os = clone();
    const kafka = find(os, "ConfigMap", (o) => o.data?.["broker.properties"]);
    kafka.data["broker.properties"] = kafka.data["broker.properties"].replace(
      "INTERNAL:SASL_SSL",
      "INTERNAL:SASL_PLAINTEXT",
    );
    const rabbit = find(os, "ConfigMap", (o) => o.data?.["05-chart.conf"]);
    rabbit.data["05-chart.conf"] = rabbit.data["05-chart.conf"].replace(
      "listeners.tcp = none",
      "listeners.tcp.default = 5672",
    );
    expect(await violations(os)).toEqual([
      "ConfigMap kafka/kafka-config broker.properties: listener INTERNAL speaks SASL_PLAINTEXT, not SASL_SSL",
      "ConfigMap rabbitmq/rabbitmq-config 05-chart.conf: RabbitMQ opens a plaintext listener (listeners.tcp.default or management.tcp.port)",
    ]);
  });

  it("rejects a listener that allows a CBC-mode suite or TLS 1.1, in Kafka and in RabbitMQ", async () => {
    const os = clone();
    const kafka = find(os, "ConfigMap", (o) => o.data?.["broker.properties"]);
    kafka.data["broker.properties"] = kafka.data["broker.properties"].replace(
      "listener.name.internal.ssl.cipher.suites=",
      "listener.name.internal.ssl.cipher.suites=TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,",
    );
    const rabbit = find(os, "ConfigMap", (o) => o.data?.["05-chart.conf"]);
    rabbit.data["05-chart.conf"] = rabbit.data["05-chart.conf"].replace(
      "management.ssl.versions.2 = tlsv1.2",
      "management.ssl.versions.2 = tlsv1.1",
    );
    expect(await violations(os)).toEqual([
      "ConfigMap kafka/kafka-config broker.properties: listener INTERNAL allows cipher suite TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
      "ConfigMap rabbitmq/rabbitmq-config 05-chart.conf: management.ssl allows protocol tlsv1.1",
    ]);
  });

  it("rejects a StatefulSet without a PodDisruptionBudget", async () => {
    const found = await violations(clone().filter((o) => o.kind !== "PodDisruptionBudget"));
    expect(found.length).toBeGreaterThanOrEqual(3);
    expect(found).toContainEqual(expect.stringMatching(/^StatefulSet rabbitmq\/rabbitmq has no PodDisruptionBudget/));
  });

  it("rejects a latest or untagged image", async () => {
    const os = clone();
    find(os, "StatefulSet").spec.template.spec.containers[0].image = "apache/kafka:latest";
    find(os, "Job").spec.template.spec.containers[0].image = "rabbitmq";
    const found = await violations(os);
    expect(found).toContainEqual(expect.stringContaining("uses image apache/kafka:latest, which is not pinned"));
    expect(found).toContainEqual(expect.stringContaining("uses image rabbitmq, which is not pinned"));
  });

  it("rejects a container that may run as root", async () => {
    const os = clone();
    find(os, "Job").spec.template.spec.securityContext = { runAsUser: 0 };
    expect(await violations(os)).toContainEqual(expect.stringMatching(/container apply may run as root/));
  });

  it("rejects a container without resources", async () => {
    const os = clone();
    delete find(os, "Job").spec.template.spec.containers[0].resources;
    expect(await violations(os)).toContainEqual(
      expect.stringMatching(
        /container apply has no resources requests.cpu, requests.memory, limits.memory, requests.ephemeral-storage, limits.ephemeral-storage$/,
      ),
    );
  });

  it("rejects a container without an ephemeral-storage limit", async () => {
    const os = clone();
    delete find(os, "StatefulSet").spec.template.spec.containers[0].resources.limits["ephemeral-storage"];
    expect(await violations(os)).toEqual([
      expect.stringMatching(/^StatefulSet \S+: container \w+ has no resources limits.ephemeral-storage$/),
    ]);
  });

  it("rejects a password in a container's environment", async () => {
    const os = clone();
    const job = find(os, "Job", (o) => o.metadata.namespace === "kafka");
    job.spec.template.spec.containers[0].env.push({
      name: "KAFKA_PASSWORD",
      valueFrom: { secretKeyRef: { name: "kafka-scram-users", key: "smoke-test" } },
    });
    expect(await violations(os)).toEqual([
      expect.stringMatching(
        /^Job kafka\/\S+: container apply reads env KAFKA_PASSWORD from Secret kafka-scram-users key smoke-test \(mount it as a file\)$/,
      ),
    ]);
  });

  it("rejects a pod whose egress no NetworkPolicy restricts", async () => {
    const os = clone().filter((o) => !(o.kind === "NetworkPolicy" && /definitions/.test(o.metadata.name)));
    expect(await violations(os)).toEqual([
      expect.stringMatching(/^Job rabbitmq\/\S+: no NetworkPolicy restricts its pods' egress$/),
    ]);
  });

  it("rejects a namespace without any NetworkPolicy", async () => {
    const os = clone().filter((o) => !(o.kind === "NetworkPolicy" && o.metadata.namespace === "rabbitmq"));
    expect(await violations(os)).toEqual([
      "namespace rabbitmq has no NetworkPolicy: its pods accept traffic from anywhere",
      "StatefulSet rabbitmq/rabbitmq: no NetworkPolicy restricts its pods' egress",
      expect.stringMatching(/^Job rabbitmq\/rabbitmq-definitions-\w+: no NetworkPolicy restricts its pods' egress$/),
    ]);
  });
});

describe("bad input is refused before anything is written", () => {
  it("a production stack with replicationFactor 2 fails the preview naming the policy, the field and the value", async () => {
    const config = join(temp("mp-bad-production-"), "Pulumi.production.yaml");
    const production = readFileSync(join(repoRoot, "Pulumi.production.yaml"), "utf8");
    writeFileSync(
      config,
      production.replace("clientUser: smoke-test", "clientUser: smoke-test\n    replicationFactor: 2"),
    );
    const r = await rendered("production", config);
    expect(r.result.ok).toBe(false);
    expect(r.result.failure).toContain("pulumi preview failed, nothing was written");
    expect(r.result.failure).toContain(
      "kafka.replicationFactor = 2 must be ≥ 3 in production (policy kafka-production-durability)",
    );
    expect(r.result.files).toEqual([]);
    expect(() => readFileSync(r.result.outDir)).toThrow(/ENOENT/);
  });

  it("a production Kafka that bypasses the stack config's checks is stopped by the policy pack itself", () => {
    const out = temp("mp-render-rf2-");
    const dir = temp("mp-rf2-");
    const runtime = { name: "nodejs", options: { typescript: true, tsconfig: join(repoRoot, "tsconfig.json") } };
    const main = join(repoRoot, "infra", "test", "fixtures", "production-rf2");
    writeFileSync(join(dir, "Pulumi.yaml"), stringify({ name: "production-rf2", runtime, main }));
    writeFileSync(join(dir, "Pulumi.rf2.yaml"), stringify({ config: { "production-rf2:renderDir": out } }));
    const cli = cliIn(dir);
    expect(cli(["stack", "init", "rf2"]).code).toBe(0);
    const p = cli(["preview", "--policy-pack", policyPack]);
    expect(p.code).not.toBe(0);
    expect(p.out).toContain("kafka-production-durability");
    expect(p.out).toContain("default.replication.factor=2 is below the production floor of 3");
    expect(p.out).toContain("topic smoke has replication factor 2, below the production floor of 3");
  });
});
