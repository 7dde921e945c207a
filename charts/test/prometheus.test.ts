// charts/prometheus: lint, render every example, validate every object offline, and assert what the chart promises:
// promtool accepts the rendered prometheus.yml with the broker charts' own rule files, the scrape jobs are the ones
// those rules select, each keeps only the brokers' metrics port and labels its targets as the PodMonitors do, the
// ServiceAccount may only watch pods in the brokers' namespaces, and the pod reaches only the brokers' metrics ports
// and the API server.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { PROMETHEUS_IMAGE_DATA, prometheusImage } from "../../cluster/images";
import { version } from "../../toolchain/src/paths";
import {
  type Any,
  chartsDir,
  container,
  describeChartBasics,
  describeEphemeralStorage,
  describeSecretsAsFiles,
  exampleRenderer,
  namespace,
  promtoolPath,
  type Rendered,
  render,
  run,
} from "./support";

const chart = "prometheus";
const fullname = "mp-prometheus";
const discoveryRole = `${fullname}-discovery`;
const brokerCharts = ["kafka", "rabbitmq"] as const;
const ruleFile = (system: string) => join(chartsDir, system, "files", "alerts.yaml");
/** Both broker charts' rule files, passed as the Pulumi program passes them. */
const withRules = brokerCharts.map((system) => `alertRules.${system}=${ruleFile(system)}`);

const { examples, example } = exampleRenderer(chart);

describeChartBasics(chart, examples, example);
describeSecretsAsFiles(["default", ...examples], example);
describeEphemeralStorage(["default", ...examples], example);

function config(r: Rendered): Any {
  return r.get("ConfigMap", `${fullname}-config`);
}
function scrapeConfig(r: Rendered): Any {
  return parse(config(r).data["prometheus.yml"]);
}
function job(r: Rendered, name: string): Any {
  const j = scrapeConfig(r).scrape_configs.find((c: Any) => c.job_name === name);
  if (j === undefined) throw new Error(`no scrape job ${name}`);
  return j;
}

/** `promtool check config` on a rendered ConfigMap, laid out as the pod mounts it (rule files in rules/). */
function checkConfig(r: Rendered): { code: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), "prometheus-config-"));
  try {
    mkdirSync(join(dir, "rules"));
    for (const [key, text] of Object.entries<string>(config(r).data)) {
      const at = key === "prometheus.yml" ? key : join("rules", key.replace(/^rules-/, ""));
      writeFileSync(join(dir, at), text);
    }
    const res = run(promtoolPath(), ["check", "config", "--lint-fatal", join(dir, "prometheus.yml")]);
    return { code: res.code, out: res.stdout + res.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("replicas: one, or several each on a node of its own", () => {
  const deployment = (r: Rendered): Any => r.get("Deployment", fullname);
  test("one (the default): Recreate, never two at once, no affinity", () => {
    const d = deployment(render(chart, [], []));
    expect([d.spec.replicas, d.spec.strategy, d.spec.template.spec.affinity]).toEqual([
      1,
      { type: "Recreate" },
      undefined,
    ]);
  });

  test("two (the cluster stack): one replaced at a time, none extra, required to be on different nodes", () => {
    const d = deployment(render(chart, [], ["replicas=2"]));
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect(d.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: d.spec.selector.matchLabels } },
    ]);
    expect(deployment(example("cluster")).spec.replicas).toBe(2);
  });
});

describe("prometheus.yml and the rule files", () => {
  const r = () => render(chart, [], [], withRules);

  test("promtool check config accepts the rendered prometheus.yml with both broker charts' rule files", () => {
    const res = checkConfig(r());
    expect(res.out).not.toContain("FAILED");
    expect(res).toEqual({ code: 0, out: expect.stringContaining("is valid prometheus config file syntax") });
    expect(res.out).toContain("SUCCESS: 2 rule files found");
  });

  test("the rule files are the broker charts' files/alerts.yaml, unchanged (one source of truth)", () => {
    for (const system of brokerCharts) {
      expect(config(r()).data[`rules-${system}.yaml`]).toBe(readFileSync(ruleFile(system), "utf8"));
    }
    const volume = r()
      .get("Deployment", fullname)
      .spec.template.spec.volumes.find((v: Any) => v.name === "config");
    expect(volume.configMap.items).toEqual([
      { key: "prometheus.yml", path: "prometheus.yml" },
      { key: "rules-kafka.yaml", path: "rules/kafka.yaml" },
      { key: "rules-rabbitmq.yaml", path: "rules/rabbitmq.yaml" },
    ]);
    expect(scrapeConfig(r()).rule_files).toEqual(["rules/*.yaml"]);
  });

  test("a rule whose expression does not parse fails promtool check config, naming the file and the alert", () => {
    const dir = mkdtempSync(join(tmpdir(), "prometheus-bad-rule-"));
    try {
      const bad = join(dir, "bad.yaml");
      writeFileSync(bad, "groups:\n  - name: bad\n    rules:\n      - alert: Broken\n        expr: sum by (pod (up)\n");
      const res = checkConfig(render(chart, [], [], [`alertRules.bad=${bad}`]));
      expect(res.code).not.toBe(0);
      expect(res.out).toContain("rules/bad.yaml");
      expect(res.out).toContain('"Broken": could not parse expression');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("every job the alert rules select is a scrape job of this config (kafka, rabbitmq, rabbitmq-detailed)", () => {
    const jobs = scrapeConfig(r()).scrape_configs.map((c: Any) => c.job_name);
    expect(jobs).toEqual(["kafka", "rabbitmq", "rabbitmq-detailed"]);
    const selected = new Set<string>();
    for (const system of brokerCharts) {
      for (const m of readFileSync(ruleFile(system), "utf8").matchAll(/job="([^"]+)"/g)) selected.add(m[1] as string);
    }
    expect([...selected].sort()).toEqual([...jobs].sort());
  });

  test("scrape interval and timeout: defaults 15s/10s, and the values' override", () => {
    expect(scrapeConfig(example("default")).global).toEqual({
      scrape_interval: "15s",
      scrape_timeout: "10s",
      evaluation_interval: "15s",
    });
    expect(scrapeConfig(example("staging")).global.scrape_interval).toBe("30s");
  });
});

describe("scrape jobs: only the brokers' metrics port, labelled as the brokers' PodMonitors label it", () => {
  const relabel = (j: Any) => j.relabel_configs as Any[];
  const keep = (j: Any) => relabel(j).filter((c) => c.action === "keep");
  const targetLabels = (j: Any) =>
    Object.fromEntries(relabel(j).flatMap((c) => (c.target_label ? [[c.target_label, c.source_labels]] : [])));

  test.each([
    ["kafka", "tcp-prometheus;9404", "/metrics", ["kafka"]],
    ["rabbitmq", "prometheus;15692", "/metrics", ["rabbitmq"]],
    ["rabbitmq-detailed", "prometheus;15692", "/metrics/detailed", ["rabbitmq"]],
  ])("%s: keeps port %s on %s, pods in namespaces %j only", (name, port, path, namespaces) => {
    const j = job(example("default"), name);
    expect(j.metrics_path).toBe(path);
    expect(j.scheme).toBe("http");
    expect(j.kubernetes_sd_configs).toEqual([{ role: "pod", namespaces: { names: namespaces } }]);
    expect(keep(j)).toEqual([
      {
        source_labels: ["__meta_kubernetes_pod_container_port_name", "__meta_kubernetes_pod_container_port_number"],
        regex: port,
        action: "keep",
      },
    ]);
    expect(relabel(j)[0]).toEqual({
      source_labels: ["__meta_kubernetes_pod_phase"],
      regex: "Succeeded|Failed",
      action: "drop",
    });
    expect(targetLabels(j)).toEqual({
      namespace: ["__meta_kubernetes_namespace"],
      pod: ["__meta_kubernetes_pod_name"],
      container: ["__meta_kubernetes_pod_container_name"],
      endpoint: ["__meta_kubernetes_pod_container_port_name"],
      release: ["__meta_kubernetes_pod_label_app_kubernetes_io_instance"],
    });
  });

  test("rabbitmq-detailed asks /metrics/detailed for the queue_coarse_metrics family, as the chart's PodMonitor", () => {
    expect(job(example("default"), "rabbitmq-detailed").params).toEqual({ family: ["queue_coarse_metrics"] });
  });

  test("overrides: another Kafka metrics port and namespaces move the keep rule, the Role and the egress together", () => {
    const r = render(chart, [], ["kafka.port=9999", "kafka.namespaces={kafka-a,kafka-b}"]);
    const j = job(r, "kafka");
    expect(keep(j)[0].regex).toBe("tcp-prometheus;9999");
    expect(j.kubernetes_sd_configs[0].namespaces.names).toEqual(["kafka-a", "kafka-b"]);
    expect(
      r
        .all("Role")
        .map((x) => x.metadata.namespace)
        .sort(),
    ).toEqual(["kafka-a", "kafka-b", "rabbitmq"]);
    const egress = r.get("NetworkPolicy", fullname).spec.egress;
    expect(egress[0]).toEqual({
      to: ["kafka-a", "kafka-b"].map((ns) => ({
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
      })),
      ports: [{ protocol: "TCP", port: 9999 }],
    });
  });

  test("kafka.enabled=false: no kafka job, no Role or egress in the Kafka namespace", () => {
    const r = render(chart, [], ["kafka.enabled=false"]);
    expect(scrapeConfig(r).scrape_configs.map((c: Any) => c.job_name)).toEqual(["rabbitmq", "rabbitmq-detailed"]);
    expect(r.all("Role").map((x) => x.metadata.namespace)).toEqual(["rabbitmq"]);
    expect(JSON.stringify(r.get("NetworkPolicy", fullname).spec.egress)).not.toContain('"kafka"');
  });
});

describe("the ServiceAccount may list and watch pods in the brokers' namespaces, and nothing else", () => {
  test("one Role and RoleBinding per broker namespace (pods: get, list, watch), no cluster-wide RBAC", () => {
    const r = example("default");
    expect(r.all("ClusterRole").length + r.all("ClusterRoleBinding").length).toBe(0);
    const roles = r.all("Role");
    expect(roles.map((x) => x.metadata.namespace).sort()).toEqual(["kafka", "rabbitmq"]);
    for (const role of roles) {
      expect(role.metadata.name).toBe(discoveryRole);
      expect(role.rules).toEqual([{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }]);
    }
    for (const b of r.all("RoleBinding")) {
      expect(b.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: discoveryRole });
      expect(b.subjects).toEqual([{ kind: "ServiceAccount", name: fullname, namespace }]);
    }
    expect(r.all("RoleBinding")).toHaveLength(2);
  });

  test("Kafka and RabbitMQ in one namespace: one Role there", () => {
    const r = render(chart, [], ["rabbitmq.namespaces={kafka}"]);
    expect(r.all("Role").map((x) => [x.metadata.namespace, x.metadata.name])).toEqual([["kafka", discoveryRole]]);
  });
});

describe("NetworkPolicy: egress to the brokers' metrics ports and the API server only", () => {
  const np = (r: Rendered) => r.get("NetworkPolicy", fullname).spec;

  test("defaults: Kafka's 9404 in kafka, RabbitMQ's 15692 in rabbitmq, the API ports; no DNS, nothing else", () => {
    const spec = np(example("default"));
    expect(spec.podSelector).toEqual({
      matchLabels: { "app.kubernetes.io/name": "prometheus", "app.kubernetes.io/instance": "mp" },
    });
    expect(spec.policyTypes).toEqual(["Ingress", "Egress"]);
    const peer = (ns: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } });
    expect(spec.egress).toEqual([
      { to: [peer("kafka")], ports: [{ protocol: "TCP", port: 9404 }] },
      { to: [peer("rabbitmq")], ports: [{ protocol: "TCP", port: 15692 }] },
      {
        ports: [
          { protocol: "TCP", port: 443 },
          { protocol: "TCP", port: 6443 },
        ],
      },
    ]);
  });

  test("the API server rule names its endpoints when apiServer.addresses is known", () => {
    const r = render(chart, [], ["apiServer.addresses={10.214.0.1}", "apiServer.ports={6443}"]);
    expect(np(r).egress[2]).toEqual({
      ports: [{ protocol: "TCP", port: 6443 }],
      to: [{ ipBlock: { cidr: "10.214.0.1/32" } }],
    });
  });

  test("ingress: the API port only, from namespaces labelled messaging-platform.io/monitoring by default", () => {
    expect(np(example("default")).ingress).toEqual([
      {
        ports: [{ protocol: "TCP", port: 9090 }],
        from: [{ namespaceSelector: { matchLabels: { "messaging-platform.io/monitoring": "true" } } }],
      },
    ]);
  });
});

describe("the pod", () => {
  const deployment = () => example("default").get("Deployment", fullname);

  test("one replica, recreated (never two evaluating the alerts), restarted when the config or a rule changes", () => {
    expect(deployment().spec.replicas).toBe(1);
    expect(deployment().spec.strategy).toEqual({ type: "Recreate" });
    const a = render(chart, [], [], withRules).get("Deployment", fullname).spec.template.metadata.annotations;
    const b = render(chart, [], [], [withRules[0] as string]).get("Deployment", fullname).spec.template.metadata
      .annotations;
    expect(a["checksum/config"]).toMatch(/^[a-f0-9]{64}$/);
    expect(a["checksum/config"]).not.toBe(b["checksum/config"]);
  });

  test("Pod Security restricted: non-root, no privilege escalation, read-only root, no capabilities", () => {
    const spec = deployment().spec.template.spec;
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(container(deployment(), "prometheus").securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
  });

  test("the TSDB is the image's data directory (cluster/images.ts), on an emptyDir of storage.sizeLimit", () => {
    const c = container(deployment(), "prometheus");
    expect(c.args).toContain(`--storage.tsdb.path=${PROMETHEUS_IMAGE_DATA}`);
    expect(c.volumeMounts).toContainEqual({ name: "data", mountPath: PROMETHEUS_IMAGE_DATA });
    expect(deployment().spec.template.spec.volumes).toContainEqual({ name: "data", emptyDir: { sizeLimit: "1Gi" } });
    expect(c.args).toEqual(
      expect.arrayContaining(["--storage.tsdb.retention.time=2d", "--storage.tsdb.retention.size=512MB"]),
    );
  });

  test("the image recipe: the toolchain's static prometheus and promtool at PROMETHEUS_VERSION, run as the pod's user", () => {
    const image = prometheusImage();
    const rootfs = mkdtempSync(join(tmpdir(), "prometheus-rootfs-"));
    try {
      image.fill(rootfs);
      for (const bin of ["prometheus", "promtool"]) {
        const r = run(join(rootfs, "bin", bin), ["--version"]);
        expect(r.stdout + r.stderr).toContain(`${bin}, version ${version("PROMETHEUS_VERSION")} `);
      }
      const data = statSync(join(rootfs, PROMETHEUS_IMAGE_DATA));
      const pod = deployment().spec.template.spec.securityContext;
      expect([data.uid, data.gid]).toEqual([pod.runAsUser, pod.runAsGroup]);
      expect(image.config.User).toBe(`${pod.runAsUser}:${pod.runAsGroup}`);
      expect(image.config.Entrypoint).toEqual(["/bin/prometheus"]);
    } finally {
      rmSync(rootfs, { recursive: true, force: true });
    }
  });

  test("the cluster example runs the image cluster/images.ts builds, at the toolchain's Prometheus version", () => {
    const image = prometheusImage();
    expect(container(example("cluster").get("Deployment", fullname), "prometheus").image).toBe(
      `localhost/${image.name}:${image.tag}`,
    );
    expect(image.tag).toBe(version("PROMETHEUS_VERSION"));
  });
});
