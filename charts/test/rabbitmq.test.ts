// charts/rabbitmq: lint, render every example, validate every object offline, and assert the Cluster Operator's
// design (StatefulSet, discovery, probes, preStop gate) and the durable defaults on the rendered objects.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { version } from "../../toolchain/src/paths";
import {
  type Any,
  chartsDir,
  chartValues,
  container,
  containers,
  describeChartBasics,
  describeEphemeralStorage,
  describeFaultReadiness,
  describeLeastPrivilegeEgress,
  describeSecretsAsFiles,
  env,
  exampleRenderer,
  plaintextListeners,
  properties,
  type Rendered,
  render,
  template,
  tlsProfileProblems,
  validate,
} from "./support";

const chart = "rabbitmq";
const fullname = "mp-rabbitmq";
const headless = `${fullname}-nodes`;
const ports = { amqp: 5672, management: 15672, prometheus: 15692, epmd: 4369, dist: 25672 };
/** The ports served instead of amqp and management when tls.enabled. */
const tlsPorts = { amqps: 5671, managementTls: 15671 };

/** rabbitmq.conf settings a replicated RabbitMQ 4.3 cluster must carry (reference §7.2). */
const durable: Record<string, string> = {
  default_queue_type: "quorum",
  "quorum_queue.initial_cluster_size": "3",
  queue_leader_locator: "balanced",
  "quorum_queue.continuous_membership_reconciliation.enabled": "true",
  "loopback_users.guest": "true",
  "vm_memory_high_watermark.relative": "0.6",
  "quorum_queue.continuous_membership_reconciliation.target_group_size": "3",
};

const { examples, example } = exampleRenderer(chart);
function conf(r: Rendered, file: string): Map<string, string> {
  return properties(r.get("ConfigMap", `${fullname}-config`).data[file] ?? "", " = ");
}
function sts(r: Rendered): Any {
  return r.get("StatefulSet", fullname);
}

describeChartBasics(chart, examples, example);
describeSecretsAsFiles(["default", ...examples], example);
describeEphemeralStorage(["default", ...examples], example);

describe("production example: 3 nodes in three zones", () => {
  const r = () => example("production");

  test("renders one StatefulSet of 3 nodes with parallel pod management", () => {
    expect(sts(r()).spec.replicas).toBe(3);
    expect(sts(r()).spec.podManagementPolicy).toBe("Parallel");
    expect(conf(r(), "05-chart.conf").get("cluster_formation.target_cluster_size_hint")).toBe("3");
  });

  test("quorum queues of 3 by default, balanced leaders, membership reconciliation, guest loopback-only", () => {
    const c = conf(r(), "10-values.conf");
    for (const [k, v] of Object.entries(durable)) expect({ k, v: c.get(k) }).toEqual({ k, v });
    expect(c.get("disk_free_limit.absolute")).toBe("6GB");
  });

  test("memory RabbitMQ plans with = limit minus min(20%, 2GiB)", () => {
    // 10Gi limit: headroom capped at 2GiB -> 8GiB
    expect(conf(r(), "05-chart.conf").get("total_memory_available_override_value")).toBe(String(8 * 1024 ** 3));
    expect(conf(example("default"), "05-chart.conf").get("total_memory_available_override_value")).toBe(
      String(4 * 1024 ** 3 - Math.floor((4 * 1024 ** 3) / 5)),
    );
  });

  test("peer discovery v2 on Kubernetes with long node names on the headless service", () => {
    expect(conf(r(), "05-chart.conf").get("cluster_formation.peer_discovery_backend")).toBe("k8s");
    const rabbit = container(sts(r()), "rabbitmq");
    expect(env(rabbit, "RABBITMQ_USE_LONGNAME")).toBe("true");
    expect(env(rabbit, "RABBITMQ_NODENAME")).toBe("rabbit@$(MY_POD_NAME).$(K8S_SERVICE_NAME).$(MY_POD_NAMESPACE)");
    expect(env(rabbit, "K8S_SERVICE_NAME")).toBe(headless);
    expect(sts(r()).spec.serviceName).toBe(headless);
  });

  test("the Erlang cookie comes from an existing Secret and is copied with mode 600", () => {
    const volumes = sts(r()).spec.template.spec.volumes;
    expect(volumes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: "erlang-cookie-secret",
          secret: expect.objectContaining({ secretName: "rabbitmq-erlang-cookie" }),
        }),
      ]),
    );
    const setup = r().get("ConfigMap", `${fullname}-scripts`).data["setup.sh"];
    expect(setup).toContain("chmod 600 /var/lib/rabbitmq/.erlang.cookie");
    expect(r().all("Secret")).toEqual([]);
  });

  test("probes as the Cluster Operator: TCP readiness, cluster-size startup check, no liveness", () => {
    const rabbit = container(sts(r()), "rabbitmq");
    expect(rabbit.readinessProbe.tcpSocket.port).toBe("amqps");
    expect(rabbit.startupProbe.httpGet).toEqual({
      path: "/api/health/checks/reached-target-cluster-size",
      port: "management-tls",
      scheme: "HTTPS",
    });
    expect(rabbit.livenessProbe).toBeUndefined();
  });

  test("preStop waits for quorum plus one, then drains, and can be skipped for teardown", () => {
    const rabbit = container(sts(r()), "rabbitmq");
    expect(rabbit.lifecycle.preStop.exec.command).toEqual(
      expect.arrayContaining(["/run/rabbitmq/scripts/pre-stop.sh"]),
    );
    const preStop = r().get("ConfigMap", `${fullname}-scripts`).data["pre-stop.sh"];
    expect(preStop).toContain("rabbitmq-upgrade await_online_quorum_plus_one");
    expect(preStop).toContain("rabbitmq-upgrade drain");
    expect(preStop).toContain("/etc/pod-info/skipPreStopChecks");
    expect(sts(r()).spec.template.spec.terminationGracePeriodSeconds).toBe(604800);
    expect(env(rabbit, "PRE_STOP_TIMEOUT")).toBe("604800");
  });

  test("a PodDisruptionBudget with maxUnavailable 1 selects the nodes", () => {
    const pdb = r().get("PodDisruptionBudget", fullname).spec;
    expect(pdb.maxUnavailable).toBe(1);
    expect(sts(r()).spec.template.metadata.labels).toEqual(expect.objectContaining(pdb.selector.matchLabels));
  });

  test("one node per machine and a hard spread over zones", () => {
    const spec = sts(r()).spec.template.spec;
    expect(spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual(
      expect.arrayContaining([expect.objectContaining({ topologyKey: "kubernetes.io/hostname" })]),
    );
    expect(spec.topologySpreadConstraints).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule" }),
      ]),
    );
  });

  test("CPU and memory requests equal limits with at least 2 CPUs; SSD volumes retained", () => {
    const rabbit = container(sts(r()), "rabbitmq");
    const { "ephemeral-storage": requested, ...requests } = rabbit.resources.requests;
    const { "ephemeral-storage": limit, ...limits } = rabbit.resources.limits;
    expect(requests).toEqual(limits);
    expect([requested, limit]).toEqual(["128Mi", "640Mi"]);
    expect(Number(rabbit.resources.limits.cpu)).toBeGreaterThanOrEqual(2);
    expect(sts(r()).spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: "Retain", whenScaled: "Retain" });
    expect(sts(r()).spec.volumeClaimTemplates[0].spec.storageClassName).toBe("ssd");
  });

  describeFaultReadiness(() => r(), fullname);
  describeLeastPrivilegeEgress(
    () => r(),
    fullname,
    () => [ports.epmd, ports.dist, ports.dist + 10000],
  );

  test("TLS everywhere: AMQP and management over TLS only, with the Secret a cert-manager Certificate creates", () => {
    expect(plaintextListeners(r())).toEqual([]);
    expect(parse(readFileSync(join(chartsDir, chart, "examples", "production.yaml"), "utf8")).tls).toEqual({
      enabled: true,
      secretName: "rabbitmq-tls",
      distribution: true,
    });
    const readme = readFileSync(join(chartsDir, chart, "README.md"), "utf8");
    expect(readme).toContain("secretName: rabbitmq-tls");
    expect(readme).toMatch(/kind: Certificate/);
  });

  test("the plaintext check names every plaintext listener (the development example has no TLS)", () => {
    expect(plaintextListeners(example("development"))).toEqual([
      `ConfigMap/${fullname}-config 05-chart.conf: plaintext AMQP listener listeners.tcp.default = ${ports.amqp}`,
      `ConfigMap/${fullname}-config 05-chart.conf: plaintext management listener management.tcp.port = ${ports.management}`,
      `ConfigMap/${fullname}-config 05-chart.conf: no TLS AMQP listener`,
      `StatefulSet/${fullname} container rabbitmq: plaintext Erlang distribution`,
    ]);
  });

  test("the NetworkPolicy keeps epmd, distribution and CLI ports inside the cluster", () => {
    const np = r().get("NetworkPolicy", fullname).spec;
    const internal = np.ingress.find((rule: Any) => rule.from?.some((f: Any) => f.podSelector));
    expect(internal.ports.map((p: Any) => p.port)).toEqual([ports.epmd, ports.dist, ports.dist + 10000]);
    const clients = np.ingress.find((rule: Any) => rule.ports.some((p: Any) => p.port === tlsPorts.amqps));
    expect(clients.from).toEqual([
      { namespaceSelector: { matchLabels: { "messaging-platform/rabbitmq-client": "true" } } },
    ]);
  });
});

describe("metrics port: who may scrape", () => {
  test("by default only pods in namespaces labelled messaging-platform.io/monitoring=true, as the Kafka chart", () => {
    const np = example("default").get("NetworkPolicy", fullname).spec;
    const metricsRules = np.ingress.filter((rule: Any) => rule.ports.some((p: Any) => p.port === ports.prometheus));
    expect(metricsRules).toEqual([
      {
        ports: [{ protocol: "TCP", port: ports.prometheus }],
        from: [{ namespaceSelector: { matchLabels: { "messaging-platform.io/monitoring": "true" } } }],
      },
    ]);
  });
});

describe("every example and the defaults", () => {
  test.each(["default", ...examples])(
    "%s: non-root 999, no capabilities, read-only root, seccomp RuntimeDefault",
    (name) => {
      const s = sts(example(name));
      const pod = s.spec.template.spec;
      expect(pod.securityContext).toEqual(
        expect.objectContaining({ runAsNonRoot: true, runAsUser: 999, seccompProfile: { type: "RuntimeDefault" } }),
      );
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const c of containers(s)) {
        expect({ c: c.name, sc: c.securityContext }).toEqual({
          c: c.name,
          sc: expect.objectContaining({
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
          }),
        });
      }
    },
  );

  test("the default image is rabbitmq pinned to the toolchain's RabbitMQ version (management variant)", () => {
    for (const c of containers(sts(example("default")))) {
      expect(c.image).toBe(`rabbitmq:${version("RABBITMQ_VERSION")}-management`);
    }
  });

  test("services: client ClusterIP with amqp, management, prometheus; headless with epmd and dist publishing not-ready pods", () => {
    const r = example("default");
    const client = r.get("Service", fullname).spec;
    expect(client.type).toBe("ClusterIP");
    expect(client.ports).toEqual(
      expect.arrayContaining([
        { name: "amqp", port: ports.amqp, targetPort: "amqp" },
        { name: "management", port: ports.management, targetPort: "management" },
        { name: "prometheus", port: ports.prometheus, targetPort: "prometheus" },
      ]),
    );
    const nodes = r.get("Service", headless).spec;
    expect(nodes).toEqual(expect.objectContaining({ clusterIP: "None", publishNotReadyAddresses: true }));
    expect(nodes.ports).toEqual(
      expect.arrayContaining([
        { name: "epmd", port: ports.epmd, targetPort: "epmd" },
        { name: "dist", port: ports.dist, targetPort: "dist" },
      ]),
    );
    expect(container(sts(r), "rabbitmq").ports).toEqual(
      expect.arrayContaining(Object.entries(ports).map(([name, port]) => ({ name, containerPort: port }))),
    );
  });

  test("defaults: durable queues, required plugins, default user and cookie from kept Secrets", () => {
    const r = example("default");
    const c = conf(r, "10-values.conf");
    for (const [k, v] of Object.entries(durable)) expect({ k, v: c.get(k) }).toEqual({ k, v });
    expect(r.get("ConfigMap", `${fullname}-config`).data.enabled_plugins.trim()).toBe(
      "[rabbitmq_management,rabbitmq_prometheus,rabbitmq_peer_discovery_k8s].",
    );
    const user = r.get("Secret", `${fullname}-default-user`);
    expect(Buffer.from(user.data.username, "base64").toString()).toBe("admin");
    expect(Buffer.from(user.data.password, "base64").toString()).toMatch(/^[A-Za-z0-9]{32}$/);
    for (const s of r.all("Secret")) expect(s.metadata.annotations["helm.sh/resource-policy"]).toBe("keep");
    expect(c.get("auth_mechanisms.1")).toBe("PLAIN");
  });

  test("development example: one node, quorum queues of one, no preStop wait, soft anti-affinity", () => {
    const r = example("development");
    expect(sts(r).spec.replicas).toBe(1);
    expect(conf(r, "10-values.conf").get("quorum_queue.initial_cluster_size")).toBe("1");
    expect(container(sts(r), "rabbitmq").lifecycle).toBeUndefined();
    expect(
      sts(r).spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution,
    ).toBeDefined();
  });

  test("staging example: three nodes with the production queue settings and a soft zone spread", () => {
    const r = example("staging");
    expect(sts(r).spec.replicas).toBe(3);
    const c = conf(r, "10-values.conf");
    for (const [k, v] of Object.entries(durable)) expect({ k, v: c.get(k) }).toEqual({ k, v });
    expect(sts(r).spec.template.spec.topologySpreadConstraints[0].whenUnsatisfiable).toBe("ScheduleAnyway");
  });
});

describe("TLS (tls.enabled): AMQP and the management API over TLS only", () => {
  const r = render("rabbitmq", ["examples/production.yaml"], ["tls.enabled=true", "tls.secretName=rabbitmq-tls"]);
  const chart = conf(r, "05-chart.conf");
  const rabbit = container(sts(r), "rabbitmq");

  test("listens for AMQP on 5671 and the management API on 15671 with the Secret's key, certificate and CA", () => {
    expect(chart.get("listeners.ssl.default")).toBe("5671");
    expect(chart.get("management.ssl.port")).toBe("15671");
    for (const prefix of ["ssl_options", "management.ssl"]) {
      expect(chart.get(`${prefix}.certfile`)).toBe("/etc/rabbitmq-tls/tls.crt");
      expect(chart.get(`${prefix}.keyfile`)).toBe("/etc/rabbitmq-tls/tls.key");
      expect(chart.get(`${prefix}.cacertfile`)).toBe("/etc/rabbitmq-tls/ca.crt");
    }
    expect(sts(r).spec.template.spec.volumes).toEqual(
      expect.arrayContaining([{ name: "tls", secret: { secretName: "rabbitmq-tls", defaultMode: 0o400 } }]),
    );
    expect(rabbit.volumeMounts).toEqual(
      expect.arrayContaining([{ name: "tls", mountPath: "/etc/rabbitmq-tls", readOnly: true }]),
    );
  });

  test("one TLS profile on AMQP and the management API: TLS 1.2/1.3, ECDHE with AEAD only, the server's order", () => {
    for (const prefix of ["ssl_options", "management.ssl"]) {
      const numbered = (key: string) =>
        [...chart.entries()].filter(([k]) => k.startsWith(`${prefix}.${key}.`)).map(([, v]) => v);
      const problems = tlsProfileProblems(numbered("versions"), numbered("ciphers"));
      expect({ prefix, problems }).toEqual({ prefix, problems: [] });
      expect(chart.get(`${prefix}.honor_cipher_order`)).toBe("true");
    }
  });

  test("opens no plaintext AMQP or management listener, and exposes, probes and admits only the TLS ports", () => {
    expect(chart.get("listeners.tcp")).toBe("none");
    expect(chart.get("listeners.tcp.default")).toBeUndefined();
    expect(chart.get("management.tcp.port")).toBeUndefined();
    const ports = rabbit.ports.map((p: Any) => p.containerPort);
    expect(ports).toEqual(expect.arrayContaining([5671, 15671]));
    expect(ports).not.toContain(5672);
    expect(ports).not.toContain(15672);
    expect(rabbit.readinessProbe.tcpSocket.port).toBe("amqps");
    expect(rabbit.startupProbe.httpGet).toEqual({
      path: "/api/health/checks/reached-target-cluster-size",
      port: "management-tls",
      scheme: "HTTPS",
    });
    expect(r.get("Service", fullname).spec.ports.map((p: Any) => p.port)).toEqual([5671, 15671, 15692]);
    const np = r.get("NetworkPolicy", fullname).spec.ingress.flatMap((i: Any) => i.ports.map((p: Any) => p.port));
    expect(np).toEqual(expect.arrayContaining([5671, 15671]));
    expect(np).not.toContain(5672);
    expect(np).not.toContain(15672);
  });
});

describe("tls.distribution: the Erlang distribution and the CLI tools over TLS (the production example, the cluster stack)", () => {
  const on = example("production");
  const rabbit = container(sts(on), "rabbitmq");
  const dist = "-proto_dist inet_tls -ssl_dist_optfile /etc/rabbitmq/inter_node_tls.config";

  test("the node and every CLI tool speak inet_tls with the chart's options file", () => {
    expect(env(rabbit, "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS")).toBe(dist);
    expect(env(rabbit, "RABBITMQ_CTL_ERL_ARGS")).toBe(dist);
    expect(on.get("ConfigMap", `${fullname}-scripts`).data["setup.sh"]).toContain(
      "cp /run/rabbitmq/config/inter_node_tls.config /etc/rabbitmq/inter_node_tls.config",
    );
  });

  test("both sides present the Secret's certificate and verify the peer's; the server requires one; one profile", () => {
    const file: string = on.get("ConfigMap", `${fullname}-config`).data["inter_node_tls.config"];
    const [server, client] = [
      /\{server, \[(.*)\]\}/.exec(file)?.[1] ?? "",
      /\{client, \[(.*)\]\}/.exec(file)?.[1] ?? "",
    ];
    for (const side of [server, client]) {
      expect(side).toContain('{certfile, "/etc/rabbitmq-tls/tls.crt"}');
      expect(side).toContain('{cacertfile, "/etc/rabbitmq-tls/ca.crt"}');
      expect(side).toContain("{verify, verify_peer}");
      expect(side).toContain("{versions, ['tlsv1.3', 'tlsv1.2']}");
      expect(side).not.toMatch(/CBC|-SHA"|"DHE-/);
    }
    expect(server).toContain("{fail_if_no_peer_cert, true}");
    expect(file.trim().endsWith("].")).toBe(true);
  });

  test("off by default: no options file, no distribution arguments", () => {
    const off = example("development");
    expect(off.get("ConfigMap", `${fullname}-config`).data["inter_node_tls.config"]).toBeUndefined();
    expect(env(container(sts(off), "rabbitmq"), "RABBITMQ_CTL_ERL_ARGS")).toBeUndefined();
  });
});

describe("values contract read by embedded/ and infra/", () => {
  test("values.yaml keeps the documented keys", () => {
    const v = chartValues(chart);
    expect(v.replicas).toBe(3);
    expect(v.ports).toEqual({ ...ports, ...tlsPorts });
    expect(v.tls).toEqual({ enabled: false, secretName: "", distribution: false });
    expect(v.image).toEqual(
      expect.objectContaining({ repository: "rabbitmq", tag: `${version("RABBITMQ_VERSION")}-management` }),
    );
    expect(typeof v.auth.username).toBe("string");
    expect(v.plugins).toEqual(
      expect.arrayContaining(["rabbitmq_management", "rabbitmq_prometheus", "rabbitmq_peer_discovery_k8s"]),
    );
    for (const [k, val] of Object.entries(durable)) expect({ k, v: String(v.config[k]) }).toEqual({ k, v: val });
    expect(v.config["disk_free_limit.absolute"]).toBeDefined();
  });
});

describe("metrics for kube-prometheus-stack (metrics.podMonitor, metrics.prometheusRule)", () => {
  // As a user with prometheus-operator's CRDs installed asks for them (off in every example: applying them fails on a
  // cluster without those CRDs).
  const asked = render(
    chart,
    ["examples/production.yaml"],
    [
      "metrics.podMonitor.enabled=true",
      "metrics.podMonitor.labels.release=kube-prometheus-stack",
      "metrics.prometheusRule.enabled=true",
      "metrics.prometheusRule.labels.release=kube-prometheus-stack",
    ],
  );

  test.each(["default", ...examples])("%s: no PodMonitor, no PrometheusRule (off unless asked)", (name) => {
    const kinds = example(name).objects.map((o) => o.kind);
    expect(kinds).not.toContain("PodMonitor");
    expect(kinds).not.toContain("PrometheusRule");
  });

  test("PodMonitor when asked: selects every node, on the rabbitmq_prometheus port the pod names", () => {
    const r = asked;
    const pm = r.get("PodMonitor", fullname);
    expect(pm.metadata.labels.release).toBe("kube-prometheus-stack");
    // job (one per endpoint) and release: the labels files/alerts.yaml selects and groups by.
    const labels = (job: string) => [
      { targetLabel: "job", replacement: job },
      { targetLabel: "release", replacement: "mp" },
    ];
    expect(pm.spec.podMetricsEndpoints).toEqual([
      { port: "prometheus", path: "/metrics", scheme: "http", interval: "30s", relabelings: labels("rabbitmq") },
      {
        port: "prometheus",
        path: "/metrics/detailed",
        params: { family: ["queue_coarse_metrics"] },
        scheme: "http",
        interval: "30s",
        relabelings: labels("rabbitmq-detailed"),
      },
    ]);
    expect(sts(r).spec.template.metadata.labels).toEqual(expect.objectContaining(pm.spec.selector.matchLabels));
    expect(container(sts(r), "rabbitmq").ports).toContainEqual({ name: "prometheus", containerPort: ports.prometheus });
  });

  test("PrometheusRule when asked: alarms, node down, unreachable peers, quorum queues; 4.2+ names; on the PodMonitor's jobs", () => {
    const rule = asked.get("PrometheusRule", fullname);
    const alerts = rule.spec.groups.flatMap((g: Any) => g.rules).filter((r: Any) => r.alert !== undefined);
    expect(alerts.map((a: Any) => a.alert)).toEqual([
      "RabbitMQMemoryAlarm",
      "RabbitMQDiskAlarm",
      "RabbitMQNodeDown",
      "RabbitMQUnreachablePeers",
      "RabbitMQQuorumQueueWithoutLeader",
      "RabbitMQQuorumQueueMinorityOnline",
    ]);
    // Every selector of every rule (the recording rule's too) names one of the PodMonitor's jobs.
    const rules = rule.spec.groups.flatMap((g: Any) => g.rules);
    const selectors = rules.flatMap((r: Any) => [...r.expr.matchAll(/[a-z_]+\{[^}]*\}/g)].map((m) => m[0]));
    expect(selectors.length).toBeGreaterThanOrEqual(6);
    expect(selectors.filter((x: string) => !/\{job="rabbitmq(-detailed)?"/.test(x))).toEqual([]);
    // Dropped in RabbitMQ 4.3 (facts: observability.md, trap 3).
    expect(selectors.filter((x: string) => x.startsWith("rabbitmq_alarms_file_descriptor_limit"))).toEqual([]);
  });

  test("both are valid against prometheus-operator's CRD schemas (strict, offline)", () => {
    const r = asked;
    expect(validate(r.manifest).problems).toEqual([]);
    expect(r.all("PodMonitor")).toHaveLength(1);
    expect(r.all("PrometheusRule")).toHaveLength(1);
  });

  test("an interval that is not a Prometheus duration is refused", () => {
    const r = template(chart, [], ["metrics.podMonitor.interval=30 seconds"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("metrics/podMonitor/interval");
  });
});
