// charts/kafka: lint, render every example, validate every object offline, and assert the promises the chart makes
// (durability, quorum, roll gate, scheduling, hardening, pinned image, services) on the rendered objects.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { KAFKA_IMAGE_JMX_AGENT } from "../../cluster/images";
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

const chart = "kafka";
const fullname = "mp-kafka";
const controllers = `${fullname}-controller`;
const brokers = `${fullname}-broker`;

/** The durability settings every replicated environment must carry (reference §6.2). */
const durable: Record<string, string> = {
  "default.replication.factor": "3",
  "min.insync.replicas": "2",
  "offsets.topic.replication.factor": "3",
  "transaction.state.log.replication.factor": "3",
  "transaction.state.log.min.isr": "2",
  "share.coordinator.state.topic.replication.factor": "3",
  "share.coordinator.state.topic.min.isr": "2",
  "unclean.leader.election.enable": "false",
  "auto.create.topics.enable": "false",
};

const { examples, example } = exampleRenderer(chart);
const exampleValues = (name: string): Any =>
  parse(readFileSync(join(chartsDir, chart, "examples", `${name}.yaml`), "utf8"));
const readme = readFileSync(join(chartsDir, chart, "README.md"), "utf8");
function configMap(r: Rendered): Record<string, string> {
  return r.get("ConfigMap", `${fullname}-config`).data;
}
function scripts(r: Rendered): Record<string, string> {
  return r.get("ConfigMap", `${fullname}-scripts`).data;
}

describeChartBasics(chart, examples, example);
describeSecretsAsFiles(["default", ...examples], example);
describeEphemeralStorage(["default", ...examples], example);

describe("production example: 3 dedicated controllers and 3 brokers", () => {
  const r = () => example("production");

  test("renders a controller StatefulSet of 3 and a broker StatefulSet of 3", () => {
    expect(r().get("StatefulSet", controllers).spec.replicas).toBe(3);
    expect(r().get("StatefulSet", brokers).spec.replicas).toBe(3);
  });

  test("every broker and controller carries every durability setting", () => {
    for (const role of ["broker.properties", "controller.properties"]) {
      const props = properties(configMap(r())[role] ?? "", "=");
      for (const [k, v] of Object.entries(durable)) expect({ role, k, v: props.get(k) }).toEqual({ role, k, v });
    }
  });

  test("node ids are stable: controllers from 0, brokers from 100, quorum voters 0-2 on the controller pool", () => {
    const controller = container(r().get("StatefulSet", controllers), "kafka");
    const broker = container(r().get("StatefulSet", brokers), "kafka");
    expect(env(controller, "NODE_ID_BASE")).toBe("0");
    expect(env(broker, "NODE_ID_BASE")).toBe("100");
    const host = (i: number) => `${controllers}-${i}.${controllers}-headless.messaging.svc.cluster.local:9093`;
    // The voters as installed: the day-1 voter set a blank controller formats with, on both pools' environment.
    for (const c of [controller, broker])
      expect(env(c, "QUORUM_VOTERS")).toBe([0, 1, 2].map((i) => `${i}@${host(i)}`).join(","));
    expect(env(controller, "CONTROLLER_ROLE")).toBe("true");
    expect(env(broker, "CONTROLLER_ROLE")).toBe("false");
  });

  test("the quorum is dynamic: every node finds it through controller.quorum.bootstrap.servers, voters auto-join", () => {
    const host = (i: number) => `${controllers}-${i}.${controllers}-headless.messaging.svc.cluster.local:9093`;
    for (const file of ["broker.properties", "controller.properties"]) {
      const props = properties(configMap(r())[file] ?? "", "=");
      expect({ file, voters: props.get("controller.quorum.voters") }).toEqual({ file, voters: undefined });
      expect(props.get("controller.quorum.bootstrap.servers")).toBe([0, 1, 2].map(host).join(","));
    }
    // Auto-join is a controller's setting: the dedicated brokers never vote.
    expect(
      properties(configMap(r())["controller.properties"] ?? "", "=").get("controller.quorum.auto.join.enable"),
    ).toBe("true");
    expect(
      properties(configMap(r())["broker.properties"] ?? "", "=").get("controller.quorum.auto.join.enable"),
    ).toBeUndefined();
    for (const sts of [controllers, brokers])
      expect(env(container(r().get("StatefulSet", sts), "kafka"), "QUORUM")).toBe("dynamic");
  });

  test("kraft.quorum=static keeps controller.quorum.voters (clusters installed before the dynamic quorum)", () => {
    const s = render(chart, ["examples/production.yaml"], ["kraft.quorum=static"]);
    for (const file of ["broker.properties", "controller.properties"]) {
      const props = properties(configMap(s)[file] ?? "", "=");
      expect(
        props
          .get("controller.quorum.voters")
          ?.split(",")
          .map((v) => v.split("@")[0]),
      ).toEqual(["0", "1", "2"]);
      expect(props.get("controller.quorum.bootstrap.servers")).toBeUndefined();
      expect(props.get("controller.quorum.auto.join.enable")).toBeUndefined();
    }
    expect(env(container(s.get("StatefulSet", controllers), "kafka"), "QUORUM")).toBe("static");
  });

  test("the cluster id comes from a Secret, as a file, that is kept when the release is deleted", () => {
    const sts = r().get("StatefulSet", brokers);
    const kafka = container(sts, "kafka");
    expect(env(kafka, "CLUSTER_ID")).toBeUndefined();
    expect(kafka.volumeMounts).toContainEqual({
      name: "cluster-id",
      mountPath: "/etc/kafka/cluster-id",
      readOnly: true,
    });
    expect(sts.spec.template.spec.volumes).toContainEqual({
      name: "cluster-id",
      secret: {
        secretName: `${fullname}-cluster-id`,
        items: [{ key: "cluster-id", path: "cluster-id" }],
        defaultMode: 0o400,
      },
    });
    expect(scripts(r())["launch.sh"]).toContain('file("/etc/kafka/cluster-id/cluster-id")');
    const secret = r().get("Secret", `${fullname}-cluster-id`);
    expect(secret.metadata.annotations["helm.sh/resource-policy"]).toBe("keep");
    expect(Buffer.from(secret.data["cluster-id"], "base64").toString()).toMatch(/^[A-Za-z0-9_-]{21}[AQgw]$/);
  });

  test("storage formatting is safe to re-run (--ignore-formatted)", () => {
    expect(scripts(r())["launch.sh"]).toContain("--ignore-formatted");
  });

  test("listeners: client and internal SCRAM-SHA-512, controller SASL on its own port, every one over TLS", () => {
    const props = properties(configMap(r())["broker.properties"] ?? "", "=");
    expect(props.get("listeners")).toBe("CLIENT://:9092,INTERNAL://:9094");
    expect(props.get("listener.security.protocol.map")).toBe("CLIENT:SASL_SSL,INTERNAL:SASL_SSL,CONTROLLER:SASL_SSL");
    expect(props.get("inter.broker.listener.name")).toBe("INTERNAL");
    expect(props.get("listener.name.client.sasl.enabled.mechanisms")).toBe("SCRAM-SHA-512");
    expect(props.get("sasl.mechanism.inter.broker.protocol")).toBe("SCRAM-SHA-512");
    expect(props.get("controller.listener.names")).toBe("CONTROLLER");
    const ctl = properties(configMap(r())["controller.properties"] ?? "", "=");
    expect(ctl.get("listeners")).toBe("CONTROLLER://:9093");
    expect(ctl.get("process.roles")).toBe("controller");
  });

  test("broker.rack comes from the zone label, and fetches go to the closest replica", () => {
    const props = properties(configMap(r())["broker.properties"] ?? "", "=");
    expect(props.get("broker.rack")).toBe("@RACK@");
    expect(props.get("replica.selector.class")).toBe("org.apache.kafka.common.replica.RackAwareReplicaSelector");
    const kafka = container(r().get("StatefulSet", brokers), "kafka");
    expect(env(kafka, "RACK_ENABLED")).toBe("true");
    expect(env(kafka, "RACK_LABEL")).toBe("topology.kubernetes.io/zone");
    expect(env(container(r().get("StatefulSet", controllers), "kafka"), "RACK_ENABLED")).toBe("false");
  });

  test("a PodDisruptionBudget with maxUnavailable 1 covers each pool", () => {
    for (const [name, component] of [
      [brokers, "broker"],
      [controllers, "controller"],
    ]) {
      const pdb = r().get("PodDisruptionBudget", name ?? "");
      expect(pdb.spec.maxUnavailable).toBe(1);
      expect(pdb.spec.selector.matchLabels["app.kubernetes.io/component"]).toBe(component);
      expect(r().get("StatefulSet", name ?? "").spec.template.metadata.labels).toEqual(
        expect.objectContaining(pdb.spec.selector.matchLabels),
      );
    }
  });

  test("one pod per node (required hostname anti-affinity) and a hard spread over zones", () => {
    for (const name of [brokers, controllers]) {
      const spec = r().get("StatefulSet", name).spec.template.spec;
      expect(spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual(
        expect.arrayContaining([expect.objectContaining({ topologyKey: "kubernetes.io/hostname" })]),
      );
      expect(spec.topologySpreadConstraints).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule" }),
        ]),
      );
    }
  });

  test("roll gate: a broker is Ready only when it is back in the ISR of every partition it replicates", () => {
    const kafka = container(r().get("StatefulSet", brokers), "kafka");
    expect(kafka.readinessProbe.exec.command).toEqual(
      expect.arrayContaining(["/opt/kafka-chart/scripts/broker-ready.sh"]),
    );
    const gate = scripts(r())["broker-ready.sh"] ?? "";
    expect(gate).toContain("--under-replicated-partitions");
    expect(gate).toContain("not in ISR yet");
    const sts = r().get("StatefulSet", brokers).spec;
    expect(sts.updateStrategy).toEqual({ type: "RollingUpdate" });
    expect(kafka.startupProbe.tcpSocket.port).toBe("client");
    expect(kafka.livenessProbe.tcpSocket.port).toBe("internal");
    const ctl = container(r().get("StatefulSet", controllers), "kafka");
    expect(ctl.readinessProbe.exec.command).toEqual(
      expect.arrayContaining(["/opt/kafka-chart/scripts/controller-ready.sh"]),
    );
  });

  test("CPU and memory requests equal limits, the heap is derived from the memory limit, and shutdown has time", () => {
    const kafka = container(r().get("StatefulSet", brokers), "kafka");
    const { "ephemeral-storage": requested, ...requests } = kafka.resources.requests;
    const { "ephemeral-storage": limit, ...limits } = kafka.resources.limits;
    expect(requests).toEqual(limits);
    expect([requested, limit]).toEqual(["256Mi", "1200Mi"]);
    expect(kafka.resources.limits.memory).toBe("8Gi");
    expect(env(kafka, "KAFKA_HEAP_OPTS")).toBe("-Xms4096m -Xmx4096m");
    expect(env(container(r().get("StatefulSet", controllers), "kafka"), "KAFKA_HEAP_OPTS")).toBe("-Xms1024m -Xmx1024m");
    expect(r().get("StatefulSet", brokers).spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(
      120,
    );
  });

  test("data volumes are retained on delete and on scale-down", () => {
    for (const name of [brokers, controllers]) {
      const sts = r().get("StatefulSet", name).spec;
      expect(sts.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: "Retain", whenScaled: "Retain" });
      expect(sts.volumeClaimTemplates[0].spec.storageClassName).toBe("ssd");
    }
  });

  test("JMX exporter agent copied in from the mirrored image (the official image has none) on both pools", () => {
    for (const name of [brokers, controllers]) {
      const sts = r().get("StatefulSet", name);
      const init = container(sts, "jmx-exporter-agent");
      expect(init.image).toBe("registry.internal.example/mirror/jmx-prometheus-javaagent:1.0.1");
      expect(init.command).toEqual([
        "cp",
        "/opt/jmx_exporter/jmx_prometheus_javaagent.jar",
        "/opt/jmx-exporter/jmx_prometheus_javaagent.jar",
      ]);
      expect(init.volumeMounts).toEqual([{ name: "jmx-exporter", mountPath: "/opt/jmx-exporter" }]);
      expect(container(sts, "kafka").volumeMounts).toContainEqual({
        name: "jmx-exporter",
        mountPath: "/opt/jmx-exporter",
        readOnly: true,
      });
      expect(sts.spec.template.spec.volumes).toContainEqual({ name: "jmx-exporter", emptyDir: { sizeLimit: "64Mi" } });
    }
  });

  describeFaultReadiness(() => r(), fullname);
  describeLeastPrivilegeEgress(
    () => r(),
    fullname,
    () => [9094, 9093, 9092],
  );

  test("TLS everywhere: no plaintext listener, every listener on the Secret a cert-manager Certificate creates", () => {
    expect(plaintextListeners(r())).toEqual([]);
    const listeners = chartValues(chart).listeners as Record<string, unknown>;
    const values = exampleValues("production").listeners;
    for (const l of Object.keys(listeners))
      expect({ l, tls: values[l].tls }).toEqual({ l, tls: { enabled: true, secretName: "kafka-tls" } });
    expect(readme).toContain("secretName: kafka-tls");
    expect(readme).toMatch(/kind: Certificate/);
  });

  test("the plaintext check names every plaintext listener (the development example has no TLS)", () => {
    expect(plaintextListeners(example("development"))).toEqual([
      `ConfigMap/${fullname}-config broker.properties: listener CLIENT speaks SASL_PLAINTEXT`,
      `ConfigMap/${fullname}-config broker.properties: listener INTERNAL speaks SASL_PLAINTEXT`,
      `ConfigMap/${fullname}-config broker.properties: listener CONTROLLER speaks SASL_PLAINTEXT`,
      `ConfigMap/${fullname}-config client-broker.properties: the probe's client speaks SASL_PLAINTEXT`,
      `ConfigMap/${fullname}-config client-controller.properties: the probe's client speaks SASL_PLAINTEXT`,
    ]);
  });

  test("the NetworkPolicy keeps quorum and replication ports inside the cluster", () => {
    const np = r().get("NetworkPolicy", fullname).spec;
    const internal = np.ingress.find((rule: Any) => rule.from?.some((f: Any) => f.podSelector));
    expect(internal.ports.map((p: Any) => p.port)).toEqual(expect.arrayContaining([9093, 9094]));
    const client = np.ingress.find(
      (rule: Any) => rule.ports.some((p: Any) => p.port === 9092) && !rule.from?.[0]?.podSelector,
    );
    expect(client.from).toEqual([
      { namespaceSelector: { matchLabels: { "messaging-platform/kafka-client": "true" } } },
    ]);
  });
});

describe("every example and the defaults", () => {
  test.each(["default", ...examples])(
    "%s: non-root, no capabilities, read-only root, seccomp RuntimeDefault",
    (name) => {
      for (const sts of example(name).all("StatefulSet")) {
        const pod = sts.spec.template.spec;
        expect(pod.securityContext).toEqual(
          expect.objectContaining({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } }),
        );
        expect(pod.automountServiceAccountToken).toBe(false);
        for (const c of containers(sts)) {
          expect({ c: c.name, sc: c.securityContext }).toEqual({
            c: c.name,
            sc: expect.objectContaining({
              runAsNonRoot: true,
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ["ALL"] },
            }),
          });
          expect(c.resources.limits.memory).toBeDefined();
        }
      }
    },
  );

  test("Kafka logs to stdout only (the kubelet rotates it): no log file can grow in /tmp; the probes keep the tools' own", () => {
    const r = example("default");
    const kafka = container(r.get("StatefulSet", brokers), "kafka");
    expect(env(kafka, "KAFKA_LOG4J_OPTS")).toBe("-Dlog4j2.configurationFile=file:/etc/kafka/config/log4j2.yaml");
    const log4j = parse(configMap(r)["log4j2.yaml"] ?? "");
    expect(Object.keys(log4j.Configuration.Appenders)).toEqual(["Console"]);
    expect(log4j.Configuration.Loggers.Root.AppenderRef).toEqual([{ ref: "STDOUT" }]);
    for (const probe of ["broker-ready.sh", "controller-ready.sh"])
      expect(scripts(r)[probe]).toContain("unset KAFKA_OPTS KAFKA_JMX_OPTS KAFKA_LOG4J_OPTS");
  });

  test("the default image is apache/kafka pinned to the toolchain's Kafka version", () => {
    for (const sts of example("default").all("StatefulSet")) {
      expect(container(sts, "kafka").image).toBe(`apache/kafka:${version("KAFKA_VERSION")}`);
    }
  });

  test("a digest, when given, pins the image by digest", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const r = render(chart, [], [`image.digest=${digest}`]);
    expect(container(r.get("StatefulSet", brokers), "kafka").image).toBe(`apache/kafka@${digest}`);
  });

  test("services: bootstrap 9092 selects brokers only; headless services publish not-ready pods", () => {
    const r = example("default");
    const bootstrap = r.get("Service", fullname).spec;
    expect(bootstrap.ports).toEqual([{ name: "client", port: 9092, targetPort: "client" }]);
    expect(bootstrap.selector["app.kubernetes.io/component"]).toBe("broker");
    const bh = r.get("Service", `${brokers}-headless`).spec;
    expect(bh).toEqual(expect.objectContaining({ clusterIP: "None", publishNotReadyAddresses: true }));
    expect(bh.ports).toEqual(expect.arrayContaining([expect.objectContaining({ name: "internal", port: 9094 })]));
    const ch = r.get("Service", `${controllers}-headless`).spec;
    expect(ch).toEqual(expect.objectContaining({ clusterIP: "None", publishNotReadyAddresses: true }));
    expect(ch.ports).toEqual([{ name: "controller", port: 9093, targetPort: "controller" }]);
  });

  test("defaults are durable and hard anti-affinity; anti-affinity softens only when asked", () => {
    const props = properties(configMap(example("default"))["broker.properties"] ?? "", "=");
    for (const [k, v] of Object.entries(durable)) expect({ k, v: props.get(k) }).toEqual({ k, v });
    const hard = example("default").get("StatefulSet", brokers).spec.template.spec.affinity.podAntiAffinity;
    expect(hard.requiredDuringSchedulingIgnoredDuringExecution).toBeDefined();
    const soft = example("development").get("StatefulSet", brokers).spec.template.spec.affinity.podAntiAffinity;
    expect(soft.preferredDuringSchedulingIgnoredDuringExecution).toBeDefined();
    expect(soft.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
  });

  test("users come from a Secret holding every client user plus the inter-broker and controller identities", () => {
    const secret = example("default").get("Secret", `${fullname}-users`);
    expect(Object.keys(secret.data)).toEqual(expect.arrayContaining(["app", "inter-broker", "controller"]));
    expect(env(container(example("default").get("StatefulSet", brokers), "kafka"), "SCRAM_USERS")).toBe(
      "inter-broker app",
    );
  });

  test("development example: one combined broker+controller node, no controller pool", () => {
    const r = example("development");
    expect(r.all("StatefulSet").map((s: Any) => s.metadata.name)).toEqual([brokers]);
    expect(r.get("StatefulSet", brokers).spec.replicas).toBe(1);
    const props = properties(configMap(r)["broker.properties"] ?? "", "=");
    expect(props.get("process.roles")).toBe("broker,controller");
    expect(props.get("controller.quorum.bootstrap.servers")).toBe(
      `${brokers}-0.${brokers}-headless.messaging.svc.cluster.local:9093`,
    );
    // Combined nodes are voters: they auto-join, and a blank one formats as a controller does.
    expect(props.get("controller.quorum.auto.join.enable")).toBe("true");
    const kafka = container(r.get("StatefulSet", brokers), "kafka");
    expect(env(kafka, "CONTROLLER_ROLE")).toBe("true");
    expect(env(kafka, "QUORUM_VOTERS")).toBe(`100@${brokers}-0.${brokers}-headless.messaging.svc.cluster.local:9093`);
  });

  test("staging example keeps the production durability with a soft zone spread", () => {
    const r = example("staging");
    const props = properties(configMap(r)["broker.properties"] ?? "", "=");
    for (const [k, v] of Object.entries(durable)) expect({ k, v: props.get(k) }).toEqual({ k, v });
    expect(r.get("StatefulSet", brokers).spec.template.spec.topologySpreadConstraints[0].whenUnsatisfiable).toBe(
      "ScheduleAnyway",
    );
  });
});

describe("TLS on every listener (listeners.*.tls)", () => {
  const sets = ["client", "internal", "controller"].flatMap((l) => [
    `listeners.${l}.tls.enabled=true`,
    `listeners.${l}.tls.secretName=kafka-tls`,
  ]);
  const r = render(chart, ["examples/production.yaml"], sets);
  const data = configMap(r);

  test("every listener speaks SASL_SSL, brokers and controllers alike", () => {
    const broker = properties(data["broker.properties"] ?? "", "=");
    expect(broker.get("listener.security.protocol.map")).toBe("CLIENT:SASL_SSL,INTERNAL:SASL_SSL,CONTROLLER:SASL_SSL");
    const controller = properties(data["controller.properties"] ?? "", "=");
    expect(controller.get("listener.security.protocol.map")).toBe("CONTROLLER:SASL_SSL");
  });

  test("each listener has a PEM keystore; the ones brokers dial trust the Secret's CA (host names checked by default)", () => {
    for (const role of ["broker.properties", "controller.properties"]) {
      const props = properties(data[role] ?? "", "=");
      const listeners = role === "broker.properties" ? ["client", "internal", "controller"] : ["controller"];
      for (const l of listeners) {
        expect({ role, l, type: props.get(`listener.name.${l}.ssl.keystore.type`) }).toEqual({ role, l, type: "PEM" });
        expect(props.get(`listener.name.${l}.ssl.keystore.location`)).toBe(`/tmp/kafka/tls-${l}.pem`);
      }
      for (const l of listeners.filter((x) => x !== "client")) {
        expect(props.get(`listener.name.${l}.ssl.truststore.location`)).toBe(`/etc/kafka/tls/${l}/ca.crt`);
      }
      expect(props.get("ssl.endpoint.identification.algorithm")).toBeUndefined();
    }
  });

  test("one TLS profile on every listener of every node, and on the probes' clients: TLS 1.2/1.3, ECDHE with AEAD only", () => {
    const checked: string[] = [];
    for (const role of ["broker.properties", "controller.properties"]) {
      const props = properties(data[role] ?? "", "=");
      const listeners = role === "broker.properties" ? ["client", "internal", "controller"] : ["controller"];
      for (const l of listeners) {
        const protocols = props.get(`listener.name.${l}.ssl.enabled.protocols`)?.split(",") ?? [];
        const suites = props.get(`listener.name.${l}.ssl.cipher.suites`)?.split(",") ?? [];
        expect({ role, l, problems: tlsProfileProblems(protocols, suites) }).toEqual({ role, l, problems: [] });
        checked.push(`${role} ${l}`);
      }
    }
    for (const file of ["client-broker.properties", "client-controller.properties"]) {
      const props = properties(data[file] ?? "", "=");
      const problems = tlsProfileProblems(
        props.get("ssl.enabled.protocols")?.split(",") ?? [],
        props.get("ssl.cipher.suites")?.split(",") ?? [],
      );
      expect({ file, problems }).toEqual({ file, problems: [] });
    }
    expect(checked).toHaveLength(4);
  });

  test("the profile check names a CBC-mode suite, a DHE suite, TLS 1.1 and unset (JVM default) settings", () => {
    expect(
      tlsProfileProblems(
        ["TLSv1.3", "TLSv1.1"],
        ["TLS_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"],
      ),
    ).toEqual([
      "protocol TLSv1.1",
      "cipher suite TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
      "cipher suite TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    ]);
    expect(tlsProfileProblems([], [])).toEqual([
      "no protocols set: the runtime's defaults",
      "no cipher suites set: the runtime's defaults",
    ]);
  });

  test("the readiness probes connect over TLS to the pod's own name, trusting the CA", () => {
    for (const [file, l] of [
      ["client-broker.properties", "internal"],
      ["client-controller.properties", "controller"],
    ] as const) {
      const props = properties(data[file] ?? "", "=");
      expect(props.get("security.protocol")).toBe("SASL_SSL");
      expect(props.get("ssl.truststore.location")).toBe(`/etc/kafka/tls/${l}/ca.crt`);
    }
    const s = scripts(r);
    expect(s["broker-ready.sh"]).toContain('--bootstrap-server "$host:$INTERNAL_PORT"');
    expect(s["controller-ready.sh"]).toContain('--bootstrap-controller "$host:$CONTROLLER_PORT"');
  });

  test("brokers mount the Secrets of the listeners they serve and the quorum's; controllers only the quorum's", () => {
    const mounts = (sts: string) =>
      container(r.get("StatefulSet", sts), "kafka")
        .volumeMounts.filter((m: Any) => m.name.startsWith("tls-"))
        .map((m: Any) => m.mountPath);
    expect(mounts(brokers)).toEqual(["/etc/kafka/tls/client", "/etc/kafka/tls/internal", "/etc/kafka/tls/controller"]);
    expect(mounts(controllers)).toEqual(["/etc/kafka/tls/controller"]);
  });
});

describe("values contract read by embedded/ and infra/", () => {
  test("values.yaml keeps the documented keys", () => {
    const v = chartValues(chart);
    expect(v.listeners.client.port).toBe(9092);
    expect(v.listeners.internal.port).toBe(9094);
    expect(v.listeners.controller.port).toBe(9093);
    expect(v.auth.sasl.mechanism).toBe("SCRAM-SHA-512");
    expect(Array.isArray(v.auth.sasl.users)).toBe(true);
    expect(["dedicated", "combined"]).toContain(v.kraft.mode);
    expect(v.controllers.replicas).toBe(3);
    expect(v.brokers.replicas).toBe(3);
    expect(v.image).toEqual(expect.objectContaining({ repository: "apache/kafka", tag: version("KAFKA_VERSION") }));
    expect(v.resources.limits.memory).toBeDefined();
    expect(v.heap).toBeDefined();
    for (const [k, val] of Object.entries(durable)) expect({ k, v: String(v.config[k]) }).toEqual({ k, v: val });
  });
});

describe("metrics: the JMX exporter agent in the broker and controller JVMs (metrics.*)", () => {
  // kube-prometheus-stack's objects, as a user with its CRDs installed asks for them (off in every example: applying
  // them fails on a cluster without prometheus-operator's CRDs).
  const asked = [
    "metrics.podMonitor.enabled=true",
    "metrics.podMonitor.labels.release=kube-prometheus-stack",
    "metrics.prometheusRule.enabled=true",
    "metrics.prometheusRule.labels.release=kube-prometheus-stack",
  ];
  let withMonitoring: Rendered | undefined;
  const dedicated = () => {
    withMonitoring ??= render(chart, ["examples/production.yaml"], asked);
    return withMonitoring;
  };
  const pools = [brokers, controllers];
  const monitoringNamespaces = [{ namespaceSelector: { matchLabels: { "messaging-platform.io/monitoring": "true" } } }];

  test("on by default: port tcp-prometheus 9404 on every pool, the agent expected in the Kafka image", () => {
    const r = render(chart, [], []);
    for (const name of pools) {
      const sts = r.get("StatefulSet", name);
      const kafka = container(sts, "kafka");
      expect(kafka.ports).toContainEqual({ name: "tcp-prometheus", containerPort: 9404 });
      expect(env(kafka, "METRICS_PORT")).toBe("9404");
      expect(env(kafka, "METRICS_AGENT")).toBe("/opt/jmx-exporter/jmx_prometheus_javaagent.jar");
      expect(kafka.volumeMounts).toContainEqual({
        name: "metrics-config",
        mountPath: "/opt/kafka-chart/metrics",
        readOnly: true,
      });
      expect(containers(sts).map((c: Any) => c.name)).toEqual(["kafka"]);
      expect(sts.spec.template.metadata.annotations).toEqual(
        expect.objectContaining({ "prometheus.io/port": "9404", "prometheus.io/path": "/metrics" }),
      );
    }
    expect(r.get("ConfigMap", `${fullname}-metrics`).data["jmx-exporter.yaml"]).toContain("UnderMinIsrPartitionCount");
  });

  test("the default agent path is where the project's Kafka image (cluster/images.ts) puts the agent", () => {
    expect(chartValues(chart).metrics.agent.path).toBe(KAFKA_IMAGE_JMX_AGENT);
  });

  test.each(["default", ...examples])(
    "%s: no container has KAFKA_OPTS in its environment (every CLI tool run in the pod would load the agent)",
    (name) => {
      const withOpts = example(name)
        .all("StatefulSet")
        .flatMap((sts: Any) => containers(sts).filter((c: Any) => env(c, "KAFKA_OPTS") !== undefined))
        .map((c: Any) => c.name);
      expect(withOpts).toEqual([]);
    },
  );

  test("the probes start their tools without KAFKA_OPTS; only launch.sh adds the agent, for the server it execs", () => {
    const s = scripts(example("default"));
    for (const probe of ["broker-ready.sh", "controller-ready.sh"]) expect(s[probe]).toContain("unset KAFKA_OPTS");
    const launch = s["launch.sh"] ?? "";
    const attach = launch.indexOf("-javaagent:$METRICS_AGENT=$METRICS_PORT:/opt/kafka-chart/metrics/jmx-exporter.yaml");
    expect(attach).toBeGreaterThan(launch.indexOf('KAFKA_OPTS="-XX:-UsePerfData" /opt/kafka/bin/kafka-run-class.sh'));
    expect(attach).toBeLessThan(launch.indexOf("exec /opt/kafka/bin/kafka-server-start.sh"));
  });

  test("metrics.enabled=false: no port, no agent, no rules ConfigMap, no metrics rule in the NetworkPolicy", () => {
    const r = render(chart, [], ["metrics.enabled=false"]);
    for (const name of pools) {
      const kafka = container(r.get("StatefulSet", name), "kafka");
      expect(kafka.ports.map((p: Any) => p.name)).not.toContain("tcp-prometheus");
      expect(env(kafka, "METRICS_PORT")).toBeUndefined();
    }
    expect(r.all("ConfigMap").map((c: Any) => c.metadata.name)).not.toContain(`${fullname}-metrics`);
    const np = r.get("NetworkPolicy", fullname).spec;
    expect(np.ingress.flatMap((rule: Any) => rule.ports.map((p: Any) => p.port))).not.toContain(9404);
  });

  test("NetworkPolicy: the metrics port only from networkPolicy.metricsFrom, by default namespaces labelled for monitoring", () => {
    const np = example("default").get("NetworkPolicy", fullname).spec;
    const metricsRules = np.ingress.filter((rule: Any) => rule.ports.some((p: Any) => p.port === 9404));
    expect(metricsRules).toEqual([{ ports: [{ protocol: "TCP", port: 9404 }], from: monitoringNamespaces }]);
    const custom = [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }];
    const prod = dedicated().get("NetworkPolicy", fullname).spec;
    expect(prod.ingress.filter((rule: Any) => rule.ports.some((p: Any) => p.port === 9404))).toEqual([
      { ports: [{ protocol: "TCP", port: 9404 }], from: custom },
    ]);
  });

  test.each(["default", ...examples])("%s: no PodMonitor, no PrometheusRule (off unless asked)", (name) => {
    const kinds = example(name).objects.map((o) => o.kind);
    expect(kinds).not.toContain("PodMonitor");
    expect(kinds).not.toContain("PrometheusRule");
  });

  test("PodMonitor when asked: selects every broker and controller pod, on a port each of them names", () => {
    const r = dedicated();
    const pm = r.get("PodMonitor", fullname);
    expect(pm.metadata.labels.release).toBe("kube-prometheus-stack");
    // job and release: the labels files/alerts.yaml selects and groups by.
    expect(pm.spec.podMetricsEndpoints).toEqual([
      {
        port: "tcp-prometheus",
        path: "/metrics",
        scheme: "http",
        interval: "30s",
        relabelings: [
          { targetLabel: "job", replacement: "kafka" },
          { targetLabel: "release", replacement: "mp" },
        ],
      },
    ]);
    for (const name of pools) {
      const sts = r.get("StatefulSet", name);
      expect(sts.spec.template.metadata.labels).toEqual(expect.objectContaining(pm.spec.selector.matchLabels));
      expect(container(sts, "kafka").ports.map((p: Any) => p.name)).toContain("tcp-prometheus");
    }
  });

  test("PrometheusRule when asked: the alerts of files/alerts.yaml, on the labels the PodMonitor sets", () => {
    const rule = dedicated().get("PrometheusRule", fullname);
    expect(rule.metadata.labels.release).toBe("kube-prometheus-stack");
    const alerts = rule.spec.groups.flatMap((g: Any) => g.rules);
    expect(alerts.map((a: Any) => a.alert)).toEqual([
      "KafkaUnderReplicatedPartitions",
      "KafkaUnderMinIsrPartitions",
      "KafkaOfflinePartitions",
      "KafkaNoActiveController",
      "KafkaMultipleActiveControllers",
      "KafkaNodeDown",
      "KafkaBrokerFenced",
    ]);
    for (const a of alerts) {
      expect({ alert: a.alert, for: a.for, job: a.expr.includes('{job="kafka"}') }).toEqual({
        alert: a.alert,
        for: "1m",
        job: true,
      });
    }
  });

  test("PodMonitor and PrometheusRule are valid against prometheus-operator's CRD schemas (strict, offline)", () => {
    const r = dedicated();
    const v = validate(r.manifest);
    expect(v.problems).toEqual([]);
    expect(r.all("PodMonitor")).toHaveLength(1);
    expect(r.all("PrometheusRule")).toHaveLength(1);
  });

  test.each([
    [["metrics.port=9092"], "metrics.port (9092) is a listener port (listeners.*.port)"],
    [["metrics.port=metrics"], "metrics/port"],
    [["metrics.enabled=false", "metrics.podMonitor.enabled=true"], "metrics.podMonitor.enabled needs metrics.enabled"],
    [
      ["metrics.enabled=false", "metrics.prometheusRule.enabled=true"],
      "metrics.prometheusRule.enabled needs metrics.enabled",
    ],
    [["metrics.agent.image.repository=mirror/jmx-agent", "metrics.agent.image.tag=latest"], "metrics/agent/image/tag"],
    [["metrics.agent.path=agent.jar"], "metrics/agent/path"],
  ])("refused: %j (%s)", (sets, message) => {
    const r = template(chart, [], sets);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(message);
  });
});
