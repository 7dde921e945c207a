// charts/smoke-gate: lint, render every example, validate every object offline, and assert what the in-cluster gate
// promises: its ServiceAccount may kill (exec), label and delete broker pods and manage NetworkPolicies in the
// broker namespaces and nothing else, the Job fails instead of retrying, the pod meets Pod Security "restricted", and smoke-tests/Dockerfile builds
// the image the Job expects (same Node as the toolchain, same command, same user, every source the gate loads).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { parse } from "yaml";
import { importGraph, topFolder } from "../../toolchain/src/import-graph";
import { repoRoot, version } from "../../toolchain/src/paths";
import {
  type Any,
  chartsDir,
  chartValues,
  clusterDnsEgress,
  container,
  describeChartBasics,
  describeEphemeralStorage,
  describeSecretsAsFiles,
  env,
  exampleRenderer,
  namespace,
  type Rendered,
  render,
  validate,
} from "./support";

const chart = "smoke-gate";
const fullname = "mp-smoke-gate";
const serviceAccount = fullname;
const faultsRole = `${fullname}-faults`;
const reportsClaim = `${fullname}-reports`;
const gateCommand = ["node", "--import", "tsx", "smoke-tests/cli/smoke.ts"];

const { examples, example } = exampleRenderer(chart);

/** An example's own values file (the required values live there, not in values.yaml). */
function exampleValues(name: string): Any {
  return parse(readFileSync(join(chartsDir, chart, "examples", `${name}.yaml`), "utf8"));
}
function job(r: Rendered): Any {
  const jobs = r.all("Job");
  expect(jobs).toHaveLength(1);
  return jobs[0];
}
function gate(r: Rendered): Any {
  return container(job(r), "gate");
}

describeChartBasics(chart, examples, example, { defaultsFailWith: 'target.existingSecret = "" is required' });
describeSecretsAsFiles(examples, example);
describeEphemeralStorage(examples, example);

describe("The Job's ServiceAccount can kill (exec), label and delete broker pods and manage NetworkPolicies in the broker namespaces, and nothing else", () => {
  const rbacKinds = ["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"];
  /** Every (apiGroup, resource) a Role grants, with its sorted verbs; anything beyond plain rules fails the test. */
  function grants(role: Any): { apiGroup: string; resource: string; verbs: string[] }[] {
    const out = new Map<string, Set<string>>();
    for (const rule of role.rules as Any[]) {
      expect(Object.keys(rule).sort()).toEqual(["apiGroups", "resources", "verbs"]);
      for (const group of rule.apiGroups as string[]) {
        for (const resource of rule.resources as string[]) {
          const key = `${group} ${resource}`;
          const verbs = out.get(key) ?? new Set<string>();
          for (const v of rule.verbs as string[]) verbs.add(v);
          out.set(key, verbs);
        }
      }
    }
    return [...out.entries()]
      .map(([key, verbs]) => {
        const [apiGroup = "", resource = ""] = key.split(" ");
        return { apiGroup, resource, verbs: [...verbs].sort() };
      })
      .sort((a, b) => `${a.apiGroup} ${a.resource}`.localeCompare(`${b.apiGroup} ${b.resource}`));
  }
  const expectedGrants = [
    { apiGroup: "", resource: "pods", verbs: ["delete", "get", "list", "patch"] },
    { apiGroup: "", resource: "pods/exec", verbs: ["create", "get"] },
    { apiGroup: "apps", resource: "statefulsets", verbs: ["get"] },
    { apiGroup: "networking.k8s.io", resource: "networkpolicies", verbs: ["create", "delete", "get", "list"] },
  ];

  test("staging: one Role and one RoleBinding in each broker namespace, bound to the chart's ServiceAccount only", () => {
    const r = example("staging");
    const values = exampleValues("staging");
    const brokerNamespaces = [values.brokerNamespaces.kafka, values.brokerNamespaces.rabbitmq].sort();
    expect(brokerNamespaces).toEqual(["kafka", "rabbitmq"]);

    const rbac = r.objects.filter((o) => rbacKinds.includes(o.kind)) as Any[];
    expect(rbac.filter((o) => o.kind.startsWith("Cluster"))).toEqual([]);

    const roles = r.all("Role");
    expect(roles.map((x) => x.metadata.namespace).sort()).toEqual(brokerNamespaces);
    for (const role of roles) {
      expect(role.metadata.name).toBe(faultsRole);
      expect({ ns: role.metadata.namespace, grants: grants(role) }).toEqual({
        ns: role.metadata.namespace,
        grants: expectedGrants,
      });
    }

    const bindings = r.all("RoleBinding");
    expect(bindings.map((x) => x.metadata.namespace).sort()).toEqual(brokerNamespaces);
    for (const b of bindings) {
      expect(b.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: faultsRole });
      expect(b.subjects).toEqual([{ kind: "ServiceAccount", name: serviceAccount, namespace }]);
    }
    expect(rbac).toHaveLength(roles.length + bindings.length);

    const sa = r.get("ServiceAccount", serviceAccount);
    expect(sa.metadata.namespace).toBe(namespace);
    expect(sa.automountServiceAccountToken).toBe(true);
    const pod = job(r).spec.template.spec;
    expect(pod.serviceAccountName).toBe(serviceAccount);
    expect(pod.automountServiceAccountToken).not.toBe(false);
    expect(job(r).metadata.namespace).toBe(namespace);
  });

  test("Kafka and RabbitMQ in one namespace: one Role and one RoleBinding there", () => {
    const r = render(chart, ["examples/staging.yaml"], ["brokerNamespaces.rabbitmq=kafka"]);
    expect(r.all("Role").map((x) => [x.metadata.namespace, x.metadata.name])).toEqual([["kafka", faultsRole]]);
    expect(r.all("RoleBinding").map((x) => [x.metadata.namespace, x.metadata.name])).toEqual([["kafka", faultsRole]]);
    expect(grants(r.get("Role", faultsRole))).toEqual(expectedGrants);
    expect(r.all("ClusterRole").length + r.all("ClusterRoleBinding").length).toBe(0);
  });

  test("every example: the same rules, no cluster-wide RBAC, and Roles only in the example's broker namespaces", () => {
    for (const name of examples) {
      const r = example(name);
      const values = exampleValues(name);
      const want = [...new Set([values.brokerNamespaces.kafka, values.brokerNamespaces.rabbitmq])].sort();
      expect({ name, cluster: r.all("ClusterRole").length + r.all("ClusterRoleBinding").length }).toEqual({
        name,
        cluster: 0,
      });
      expect({
        name,
        ns: r
          .all("Role")
          .map((x) => x.metadata.namespace)
          .sort(),
      }).toEqual({ name, ns: want });
      for (const role of r.all("Role"))
        expect({ name, grants: grants(role) }).toEqual({ name, grants: expectedGrants });
    }
  });
});

describe("the gate Job", () => {
  test.each(examples)("%s: fails instead of retrying, named <fullname>-<runId>, bounded by its deadline", (name) => {
    const values = exampleValues(name);
    const j = job(example(name));
    expect(j.metadata.name).toBe(`${fullname}-${values.runId}`);
    expect(j.metadata.name.endsWith(`-${values.runId}`)).toBe(true);
    expect(j.metadata.name.length).toBeLessThanOrEqual(63);
    expect(j.spec.backoffLimit).toBe(0);
    expect(j.spec.template.spec.restartPolicy).toBe("Never");
    const deadline = values.activeDeadlineSeconds ?? chartValues(chart).activeDeadlineSeconds;
    expect(j.spec.activeDeadlineSeconds).toBe(deadline);
    // Pulumi's wait for the Job must outlast Kubernetes' deadline, or `pulumi up` gives up on a gate still running.
    expect(Number(j.metadata.annotations["pulumi.com/timeoutSeconds"])).toBeGreaterThan(deadline);
    expect(j.spec.ttlSecondsAfterFinished).toBe(values.ttlSecondsAfterFinished);
  });

  test("the Job is kept after it finishes unless ttlSecondsAfterFinished is set", () => {
    expect(chartValues(chart).ttlSecondsAfterFinished).toBeUndefined();
    expect(job(example("staging")).spec.ttlSecondsAfterFinished).toBeUndefined();
    expect(job(example("production")).spec.ttlSecondsAfterFinished).toBe(604800);
  });

  test("runs the smoke CLI from /app with the target from the Secret, reports to /reports, plain CI output", () => {
    const r = example("staging");
    const c = gate(r);
    expect(c.command).toEqual(gateCommand);
    expect(c.workingDir).toBe("/app");
    expect(c.args).toBeUndefined();
    expect(c.image).toBe("messaging-platform/smoke-gate:0.1.0");
    expect(env(c, "MP_TARGET")).toBe("file:/etc/smoke-gate/target.json");
    expect(env(c, "MP_REPORTS_DIR")).toBe("/reports");
    expect(env(c, "CI")).toBe("true");
    // The root filesystem is read-only: the CLI must write its reports under MP_REPORTS_DIR (the reports volume).
    expect(readFileSync(join(repoRoot, "smoke-tests", "reports", "write.ts"), "utf8")).toContain(
      "process.env.MP_REPORTS_DIR",
    );
  });

  test("extra CLI arguments follow the command", () => {
    const r = render(chart, ["examples/staging.yaml"], ["args={--system,kafka}"]);
    expect(gate(r).command).toEqual(gateCommand);
    expect(gate(r).args).toEqual(["--system", "kafka"]);
  });

  test.each(examples)("%s: the target Secret is mounted read-only at /etc/smoke-gate as target.json (0400)", (name) => {
    const values = exampleValues(name);
    const j = job(example(name));
    const volume = (j.spec.template.spec.volumes as Any[]).find((v) => v.secret !== undefined);
    expect(volume.secret).toEqual({
      secretName: values.target.existingSecret,
      items: [{ key: values.target.key ?? "target.json", path: "target.json" }],
      defaultMode: 0o400,
    });
    expect(gate(example(name)).volumeMounts).toEqual(
      expect.arrayContaining([{ name: volume.name, mountPath: "/etc/smoke-gate", readOnly: true }]),
    );
  });

  test.each(examples)(
    "%s: Pod Security restricted (non-root 1000, no capabilities, read-only root, seccomp)",
    (name) => {
      const j = job(example(name));
      const pod = j.spec.template.spec;
      expect(pod.securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        fsGroup: 1000,
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(pod.hostNetwork ?? false).toBe(false);
      expect(pod.hostPID ?? false).toBe(false);
      expect(pod.initContainers).toBeUndefined();
      for (const c of pod.containers as Any[]) {
        expect({ c: c.name, sc: c.securityContext }).toEqual({
          c: c.name,
          sc: {
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
          },
        });
        // Read-only root: the only writable paths are volumes (the temporary directory for tsx, the reports).
        const tmp = (c.volumeMounts as Any[]).find((m) => m.mountPath === "/tmp");
        expect((pod.volumes as Any[]).find((v) => v.name === tmp?.name)?.emptyDir).toEqual({ sizeLimit: "256Mi" });
      }
      // Only volume types the restricted profile allows.
      for (const v of pod.volumes as Any[]) {
        const types = Object.keys(v).filter((k) => k !== "name");
        expect(["secret", "emptyDir", "persistentVolumeClaim"]).toEqual(expect.arrayContaining(types));
      }
    },
  );

  test("reports on the PVC when persistence is enabled (staging), in an emptyDir when not (development)", () => {
    const mountsOf = (r: Rendered) =>
      (gate(r).volumeMounts as Any[]).filter((m) => m.name === "reports").map((m) => m.mountPath);
    const reportsVolume = (r: Rendered) =>
      (job(r).spec.template.spec.volumes as Any[]).find((v) => v.name === "reports");

    const staging = example("staging");
    expect(exampleValues("staging").reports.persistence.enabled).toBe(true);
    expect(mountsOf(staging)).toEqual(["/reports"]);
    expect(reportsVolume(staging)).toEqual({ name: "reports", persistentVolumeClaim: { claimName: reportsClaim } });
    const pvc = staging.get("PersistentVolumeClaim", reportsClaim);
    expect(pvc.metadata.namespace).toBe(namespace);
    expect(pvc.spec.accessModes).toEqual(["ReadWriteOnce"]);
    expect(pvc.spec.resources.requests.storage).toBe("1Gi");
    // Not awaited by Pulumi on its own (see the template): a claim bound before the await looks would time out.
    expect(pvc.metadata.annotations?.["pulumi.com/skipAwait"]).toBe("true");

    const development = example("development");
    expect(exampleValues("development").reports.persistence.enabled).toBe(false);
    expect(mountsOf(development)).toEqual(["/reports"]);
    expect(reportsVolume(development)).toEqual({ name: "reports", emptyDir: { sizeLimit: "128Mi" } });
    expect(development.all("PersistentVolumeClaim")).toEqual([]);
  });

  test("labels: name, instance, component, managed-by and the smoke-gate role on the Job and its pod", () => {
    const j = job(example("staging"));
    const want = {
      "app.kubernetes.io/name": "smoke-gate",
      "app.kubernetes.io/instance": "mp",
      "app.kubernetes.io/component": "smoke-gate",
      "app.kubernetes.io/managed-by": "Helm",
      "messaging-platform.io/role": "smoke-gate",
    };
    expect(j.metadata.labels).toEqual(expect.objectContaining(want));
    expect(j.spec.template.metadata.labels).toEqual(expect.objectContaining(want));
  });

  /** The gate's egress rules, as the chart renders them for these values. */
  const egress = (r: Rendered) => r.get("NetworkPolicy", fullname).spec.egress as Any[];
  const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP", port }));
  const inNamespace = (ns: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } });
  const dnsRule = clusterDnsEgress;

  test("the NetworkPolicy selects the gate pod: no ingress; egress only to the brokers' client ports, the API server and DNS", () => {
    const r = render(
      chart,
      ["examples/staging.yaml"],
      ["apiServer.addresses={10.214.0.1,fd00::1,10.0.0.0/28}", "apiServer.ports={6443}"],
    );
    const np = r.get("NetworkPolicy", fullname);
    expect(np.metadata.namespace).toBe(namespace);
    expect(job(r).spec.template.metadata.labels).toEqual(expect.objectContaining(np.spec.podSelector.matchLabels));
    expect(np.spec.podSelector.matchLabels["messaging-platform.io/role"]).toBe("smoke-gate");
    expect(np.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(np.spec.ingress).toEqual([]);
    expect(np.spec.egress).toEqual([
      { to: [inNamespace("kafka")], ports: tcp(9092) },
      { to: [inNamespace("rabbitmq")], ports: tcp(5672, 15672) },
      {
        to: [
          { ipBlock: { cidr: "10.214.0.1/32" } },
          { ipBlock: { cidr: "fd00::1/128" } },
          { ipBlock: { cidr: "10.0.0.0/28" } },
        ],
        ports: tcp(6443),
      },
      dnsRule,
    ]);
  });

  test("every egress rule names its ports, and only the API server's may lack a destination (addresses unknown)", () => {
    for (const name of examples) {
      for (const rule of egress(example(name))) {
        expect({ name, ports: (rule.ports as Any[]).every((p) => typeof p.port === "number") }).toEqual({
          name,
          ports: true,
        });
      }
      // Rendered without the API server's addresses (as `helm template` and the render platform do): its ports only.
      const open = egress(example(name)).filter((rule) => rule.to === undefined);
      expect({ name, open }).toEqual({ name, open: [{ ports: tcp(443, 6443) }] });
    }
  });

  test("the broker ports and DNS pods come from the values; Kafka and RabbitMQ may share a namespace", () => {
    const r = render(
      chart,
      ["examples/development.yaml"],
      [
        "brokerPorts.kafka.client=19092",
        "brokerPorts.rabbitmq.amqp=5671",
        "brokerPorts.rabbitmq.management=15671",
        "dns.namespace=dns",
        "dns.podLabels.app=coredns",
      ],
    );
    const rules = egress(r);
    expect(rules.slice(0, 2)).toEqual([
      { to: [inNamespace("messaging")], ports: tcp(19092) },
      { to: [inNamespace("messaging")], ports: tcp(5671, 15671) },
    ]);
    expect(rules[3].to).toEqual([
      {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "dns" } },
        podSelector: { matchLabels: { "k8s-app": "kube-dns", app: "coredns" } },
      },
    ]);
  });

  test("with a Prometheus (monitoring.namespace): egress to its API port on its pods, a Role there to find them", () => {
    const r = render(
      chart,
      ["examples/staging.yaml"],
      ["monitoring.namespace=monitoring", "monitoring.podLabels.app\\.kubernetes\\.io/name=prometheus"],
    );
    const rule = egress(r).find(
      (e) => e.to?.[0]?.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "monitoring",
    );
    expect(rule).toEqual({
      to: [
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
          podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
        },
      ],
      ports: tcp(9090),
    });
    const role = r.all("Role").filter((x) => x.metadata.namespace === "monitoring");
    expect(role.map((x) => [x.metadata.name, x.rules])).toEqual([
      [`${fullname}-monitoring`, [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }]],
    ]);
    const binding = r.all("RoleBinding").find((x) => x.metadata.namespace === "monitoring");
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: serviceAccount, namespace }]);
    // Without one: neither.
    const none = render(chart, ["examples/staging.yaml"]);
    expect(none.all("Role").filter((x) => x.metadata.namespace === "monitoring")).toEqual([]);
    expect(egress(none).some((e) => JSON.stringify(e).includes("9090"))).toBe(false);
  });

  test("the default broker ports are the broker charts' own", () => {
    const kafka = chartValues("kafka");
    const rabbitmq = chartValues("rabbitmq");
    expect(chartValues(chart).brokerPorts).toEqual({
      kafka: { client: kafka.listeners.client.port },
      rabbitmq: { amqp: rabbitmq.ports.amqp, management: rabbitmq.ports.management },
    });
  });

  test("only the gate's objects: ServiceAccount, Roles, RoleBindings, NetworkPolicy, PVC and the Job", () => {
    const kinds = [...new Set(example("staging").objects.map((o) => o.kind))].sort();
    expect(kinds).toEqual(
      ["Job", "NetworkPolicy", "PersistentVolumeClaim", "Role", "RoleBinding", "ServiceAccount"].sort(),
    );
  });

  test("the image is pinned to the chart's appVersion", () => {
    const v = chartValues(chart);
    const appVersion = parse(readFileSync(join(chartsDir, chart, "Chart.yaml"), "utf8")).appVersion;
    expect(v.image).toEqual(
      expect.objectContaining({
        repository: "messaging-platform/smoke-gate",
        tag: appVersion,
        pullPolicy: "IfNotPresent",
      }),
    );
    expect(v.target).toEqual({ existingSecret: "", key: "target.json" });
    expect(v.brokerNamespaces).toEqual({ kafka: "", rabbitmq: "" });
    expect(v.runId).toBe("");
  });
});

describe("with workers > 1: the collector's Service, the workers' NetworkPolicy and a Role in the release namespace", () => {
  const collectorService = `${fullname}-collector`;
  const workersName = `${fullname}-workers`;
  const withWorkers = (...sets: string[]) => render(chart, ["examples/staging.yaml"], ["workers=3", ...sets]);
  let r: Rendered;
  beforeAll(() => {
    r = withWorkers();
  });
  const gateLabels = { "app.kubernetes.io/name": "smoke-gate", "app.kubernetes.io/instance": "mp" };
  const workerPods = { ...gateLabels, "messaging-platform.io/role": "smoke-worker" };
  const gatePods = { ...gateLabels, "messaging-platform.io/role": "smoke-gate" };
  const tcp = (port: number) => [{ protocol: "TCP", port }];
  /** Every (apiGroup resource) a Role grants, with its sorted verbs. */
  const grantsOf = (role: Any) =>
    (role.rules as Any[]).flatMap((rule) =>
      (rule.apiGroups as string[]).flatMap((g) =>
        (rule.resources as string[]).map((res) => `${g}/${res}: ${[...rule.verbs].sort().join(",")}`),
      ),
    );

  test("every object is valid against the Kubernetes API schemas (strict, offline)", () => {
    const v = validate(r.manifest);
    expect(v.problems).toEqual([]);
    expect(v.summary.invalid + v.summary.errors + v.summary.skipped).toBe(0);
  });

  test("a headless Service selecting this run's gate pod, on the gate container's collector port", () => {
    const svc = r.get("Service", collectorService);
    expect(svc.metadata.namespace).toBe(namespace);
    expect(svc.spec.clusterIP).toBe("None");
    expect(svc.spec.publishNotReadyAddresses).toBe(true);
    expect(svc.spec.selector).toEqual({ ...gatePods, "messaging-platform.io/run-id": "3f9c2a1" });
    expect(job(r).spec.template.metadata.labels).toEqual(expect.objectContaining(svc.spec.selector));
    expect(svc.spec.ports).toEqual([{ name: "collector", port: 7070, targetPort: "collector", protocol: "TCP" }]);
    expect(gate(r).ports).toEqual([{ name: "collector", containerPort: 7070, protocol: "TCP" }]);
  });

  test("the gate learns its own pod and where its workers reach the collector", () => {
    const c = gate(r);
    const byName = (n: string) => (c.env as Any[]).find((e) => e.name === n);
    expect(byName("MP_POD_NAME")).toEqual({
      name: "MP_POD_NAME",
      valueFrom: { fieldRef: { fieldPath: "metadata.name" } },
    });
    expect(byName("MP_POD_NAMESPACE")).toEqual({
      name: "MP_POD_NAMESPACE",
      valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } },
    });
    expect(env(c, "MP_WORKER_COLLECTOR")).toBe(`${collectorService}.${namespace}.svc:7070`);
  });

  test("the gate admits its worker pods on the collector's port, and nothing else", () => {
    expect(r.get("NetworkPolicy", fullname).spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: workerPods } }], ports: tcp(7070) },
    ]);
  });

  test("the workers: no ingress; egress to the brokers as the gate has, to the gate's collector and DNS; no API server", () => {
    const np = r.get("NetworkPolicy", workersName);
    const gateEgress = r.get("NetworkPolicy", fullname).spec.egress as Any[];
    expect(np.metadata.namespace).toBe(namespace);
    expect(np.spec.podSelector).toEqual({ matchLabels: workerPods });
    expect(np.spec.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(np.spec.ingress).toEqual([]);
    expect(np.spec.egress).toEqual([
      gateEgress[0],
      gateEgress[1],
      { to: [{ podSelector: { matchLabels: gatePods } }], ports: tcp(7070) },
      clusterDnsEgress,
    ]);
    expect(gateEgress[0].to[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"]).toBe("kafka");
    expect(gateEgress[1].to[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"]).toBe("rabbitmq");
  });

  test("a Role in the release namespace with exactly the worker Job's calls, bound to the gate's ServiceAccount", () => {
    const role = r.get("Role", workersName);
    expect(role.metadata.namespace).toBe(namespace);
    expect(grantsOf(role).sort()).toEqual([
      "/pods: delete,get,list",
      "/secrets: create,delete",
      "batch/jobs: create,delete,get",
    ]);
    const binding = r.get("RoleBinding", workersName);
    expect(binding.metadata.namespace).toBe(namespace);
    expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: workersName });
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: serviceAccount, namespace }]);
    // The broker namespaces' Roles are the same as without workers, and still nothing cluster-wide.
    for (const broker of r.all("Role").filter((x) => x.metadata.name === faultsRole)) {
      expect(grantsOf(broker).sort()).toEqual(grantsOf(example("staging").get("Role", faultsRole)).sort());
    }
    expect(r.all("ClusterRole").length + r.all("ClusterRoleBinding").length).toBe(0);
  });

  test("the collector's port comes from collector.port, everywhere it appears", () => {
    const other = withWorkers("collector.port=9100");
    expect(other.get("Service", collectorService).spec.ports[0].port).toBe(9100);
    expect(gate(other).ports[0].containerPort).toBe(9100);
    expect(env(gate(other), "MP_WORKER_COLLECTOR")).toBe(`${collectorService}.${namespace}.svc:9100`);
    expect(other.get("NetworkPolicy", fullname).spec.ingress[0].ports).toEqual(tcp(9100));
    expect(other.get("NetworkPolicy", workersName).spec.egress[2].ports).toEqual(tcp(9100));
  });

  test.each([
    ["the default (1)", []],
    ["workers: 1", ["workers=1"]],
  ])("%s: none of it", (_, sets) => {
    const one = render(chart, ["examples/staging.yaml"], sets);
    const names = one.objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names.filter((n) => n.endsWith("-collector") || n.endsWith("-workers"))).toEqual([]);
    expect(one.all("Service")).toEqual([]);
    expect(one.get("NetworkPolicy", fullname).spec.ingress).toEqual([]);
    expect(one.all("Role").map((x) => x.metadata.namespace)).not.toContain(namespace);
    expect((gate(one).env as Any[]).map((e) => e.name)).toEqual(["MP_TARGET", "MP_REPORTS_DIR", "CI"]);
    expect(gate(one).ports).toBeUndefined();
  });
});

// Whether a .dockerignore pattern excludes a path: anchored at the root, "*" within one segment, a leading "**/" at
// any depth (Docker's rules, as far as this repository's patterns go).
function dockerignoreMatches(pattern: string, path: string): boolean {
  const literal = (x: string) => x.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  const body = pattern
    .replace(/^\/|\/$/g, "")
    .split("**/")
    .map((part) => part.split("*").map(literal).join("[^/]*"))
    .join("(?:.*/)?");
  return new RegExp(`^${body}(?:/.*)?$`).test(path);
}

describe("smoke-tests/Dockerfile builds the image the Job runs", () => {
  const dockerfile = readFileSync(join(repoRoot, "smoke-tests", "Dockerfile"), "utf8");
  /** Instructions without comments, continuation lines joined. */
  const instructions = dockerfile
    .split("\n")
    .filter((l) => !l.trimStart().startsWith("#"))
    .join("\n")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [keyword = "", ...rest] = l.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    });
  const all = (keyword: string) => instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
  /** COPY sources (flags such as --chown dropped; the last word is the destination). */
  const copySources = all("COPY").flatMap((args) => {
    const words = args.split(/\s+/).filter((w) => !w.startsWith("--"));
    return words.slice(0, -1).map((w) => w.replace(/\/$/, ""));
  });
  const staging = () => job(example("staging")).spec.template.spec;

  test("the base image's Node is the toolchain's NODE_VERSION", () => {
    const from = all("FROM");
    expect(from).toHaveLength(1);
    const m = /^node:([0-9.]+)-bookworm-slim$/.exec(from[0] ?? "");
    expect(m?.[1]).toBe(version("NODE_VERSION"));
    expect(dockerfile).toMatch(/NODE_VERSION in toolchain\/versions\.env/);
  });

  test("every COPY source exists in the repository and is not excluded by .dockerignore", () => {
    expect(copySources).toEqual(expect.arrayContaining(["package.json", "package-lock.json", ".npmrc"]));
    const ignored = readFileSync(join(repoRoot, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"));
    for (const src of copySources) {
      expect({ src, exists: existsSync(join(repoRoot, src)) }).toEqual({ src, exists: true });
      const hit = ignored.filter((p) => !p.includes("*") && (src === p || src.startsWith(`${p}/`)));
      expect({ src, ignoredBy: hit }).toEqual({ src, ignoredBy: [] });
    }
    for (const p of ["node_modules", ".pulumi-state", "reports", ".git", "docs"]) expect(ignored).toContain(p);
  });

  test("every source file the gate loads (smoke-tests/cli/smoke.ts and its imports, transitively) is copied", () => {
    const seen = new Set<string>();
    const queue = [join(repoRoot, "smoke-tests", "cli", "smoke.ts")];
    while (queue.length > 0) {
      const file = queue.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
        const base = resolve(dirname(file), m[1] as string);
        const found = [`${base}.ts`, join(base, "index.ts")].find((c) => existsSync(c));
        expect({ from: relative(repoRoot, file), import: m[1], found: found !== undefined }).toEqual({
          from: relative(repoRoot, file),
          import: m[1],
          found: true,
        });
        if (found) queue.push(found);
      }
    }
    const loaded = [...seen].map((f) => relative(repoRoot, f));
    // The gate reaches outside smoke-tests/ (the embedded fault injector, the toolchain's paths): the image needs those.
    expect(loaded.some((f) => f.startsWith("embedded/"))).toBe(true);
    expect(loaded).toContain("toolchain/src/paths.ts");
    const uncopied = loaded.filter((f) => !copySources.some((src) => f === src || f.startsWith(`${src}/`)));
    expect(uncopied).toEqual([]);
    // Files read when a module loads: toolchain/src/paths.ts reads toolchain/versions.env, and tsx needs tsconfig.
    expect(readFileSync(join(repoRoot, "toolchain", "src", "paths.ts"), "utf8")).toContain('"versions.env"');
    expect(copySources).toEqual(expect.arrayContaining(["toolchain/versions.env", "tsconfig.json"]));
  });

  test("the programs the Kubernetes injector reads at run time (faults/in-container/*.sh) are copied, none ignored", () => {
    const programs = execFileSync("git", ["ls-files", "smoke-tests/faults/in-container/*.sh"], {
      cwd: repoRoot,
      encoding: "utf8",
    })
      .split("\n")
      .filter(Boolean);
    expect(programs).toEqual(expect.arrayContaining(["smoke-tests/faults/in-container/kill-everything.sh"]));
    const ignored = readFileSync(join(repoRoot, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"));
    // The matcher itself: a root pattern, a glob within one segment, a pattern at any depth.
    expect(["smoke-tests", "*.sh", "**/in-container"].map((p) => dockerignoreMatches(p, programs[0] ?? ""))).toEqual([
      true,
      false,
      true,
    ]);
    for (const f of programs) {
      const copied = copySources.some((src) => f.startsWith(`${src}/`));
      const ignoredBy = ignored.filter((p) => dockerignoreMatches(p, f));
      expect({ f, copied, ignoredBy }).toEqual({ f, copied: true, ignoredBy: [] });
    }
  });

  test("it ships exactly smoke-tests/ and the folders its code imports, transitively (operations/ and infra/ stay out)", () => {
    const files = execFileSync("git", ["ls-files", "*.ts"], { cwd: repoRoot, encoding: "utf8" })
      .split("\n")
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.startsWith("toolchain/test/fixtures/"));
    const graph = importGraph(repoRoot, files);
    const isTest = (f: string) => f.includes("/test/") || f.endsWith(".test.ts");
    const seen = new Set<string>();
    const queue = files.filter((f) => f.startsWith("smoke-tests/") && !isTest(f));
    while (queue.length > 0) {
      const f = queue.pop() as string;
      if (seen.has(f)) continue;
      seen.add(f);
      queue.push(...(graph.get(f) ?? []));
    }
    // toolchain/ ships only src/: its steps and tests are the workstation's.
    const folders = new Set([...seen].map((f) => (f.startsWith("toolchain/src/") ? "toolchain/src" : topFolder(f))));
    const copiedFolders = copySources.filter((src) => !/\.[a-z]+$/.test(src) && src !== "toolchain/versions.env");
    expect(copiedFolders.sort()).toEqual([...folders].sort());
  });

  test("dependencies from the lockfile, tsx included (the gate runs TypeScript through it)", () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
    expect(pkg.devDependencies.tsx ?? pkg.dependencies.tsx).toBeDefined();
    const installs = all("RUN").filter((r) => r.includes("npm install"));
    expect(installs).toHaveLength(1);
    expect(installs[0]).toContain("npm install --ignore-scripts --no-audit --no-fund");
    // tsx is a devDependency: omitting dev dependencies would leave the command without its loader.
    expect(installs[0]).not.toContain("--omit=dev");
  });

  test("the ENTRYPOINT is the Job's command, in the Job's workingDir, and the CLI exists", () => {
    const entrypoint = all("ENTRYPOINT");
    expect(entrypoint).toHaveLength(1);
    expect(JSON.parse(entrypoint[0] as string)).toEqual(gate(example("staging")).command);
    expect(all("WORKDIR")).toEqual([gate(example("staging")).workingDir]);
    expect(existsSync(join(repoRoot, "smoke-tests", "cli", "smoke.ts"))).toBe(true);
    expect(gateCommand.at(-1)).toBe("smoke-tests/cli/smoke.ts");
  });

  test("runs as the chart's runAsUser and runAsGroup", () => {
    const user = all("USER");
    expect(user).toHaveLength(1);
    const [uid, gid] = (user[0] as string).split(":").map(Number);
    expect(uid).toBe(staging().securityContext.runAsUser);
    expect(gid).toBe(staging().securityContext.runAsGroup);
    // USER comes after everything that needs root (installing, creating the report directories).
    const order = instructions.map((i) => i.keyword);
    expect(order.lastIndexOf("RUN")).toBeLessThan(order.indexOf("USER"));
  });

  test("the documented build command tags the image as the chart expects", () => {
    const v = chartValues(chart);
    expect(dockerfile).toContain(`docker build -f smoke-tests/Dockerfile -t ${v.image.repository}:${v.image.tag} .`);
  });
});
