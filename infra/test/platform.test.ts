// The resource graph each example stack registers (Pulumi mocks), the objects its charts render (helm template of
// the values the program passes) and the policy pack run over all of them.
import * as pulumi from "@pulumi/pulumi";
import { validateTarget } from "../../contract/validate-target";
import { deployPlatform } from "../platform";
import { policies } from "../policy/policies";
import { unwrap } from "./helpers";
import {
  asPolicyResource,
  exampleSettings,
  exampleStacks,
  helmTemplate,
  type Obj,
  type Registered,
  recordingMocks,
  settle,
} from "./stacks";

let registered: Registered[];
beforeAll(async () => {
  registered = await recordingMocks();
});

async function deploy(stack: string) {
  const start = registered.length;
  const settings = exampleSettings(stack);
  const out = deployPlatform(settings);
  const target = await unwrap(pulumi.output(out.target));
  await settle();
  return { settings, out, target, resources: registered.slice(start) };
}

/** Runs every policy over a stack's objects; returns the violation messages. */
async function violations(objects: Obj[]): Promise<string[]> {
  const resources = objects.map(asPolicyResource);
  const found: string[] = [];
  const report = (m: string) => found.push(m);
  const common = { stackTags: new Map(), getConfig: () => ({}), notApplicable: () => undefined as never };
  for (const p of policies) {
    if ("validateStack" in p && p.validateStack) await p.validateStack({ resources, ...common } as any, report);
    if ("validateResource" in p && typeof p.validateResource === "function") {
      for (const r of resources) await p.validateResource({ ...r, ...common } as any, report);
    }
  }
  return found;
}

/** Objects registered directly (Namespaces, Secrets, NetworkPolicies, Jobs) plus everything the charts render. */
function stackObjects(resources: Registered[]): Obj[] {
  const direct = resources
    .filter((r) => r.type.startsWith("kubernetes:") && r.inputs.kind !== undefined)
    .map((r) => r.inputs);
  const charts = resources
    .filter((r) => r.type === "kubernetes:helm.sh/v4:Chart")
    .flatMap((c) => helmTemplate(c.inputs.chart, c.inputs.name, c.inputs.namespace, c.inputs.values));
  return [...direct, ...charts];
}

describe.each(exampleStacks)("example stack %s", (stack) => {
  let d: Awaited<ReturnType<typeof deploy>>;
  beforeAll(async () => {
    d = await deploy(stack);
  });
  const ofType = (type: string) => d.resources.filter((r) => r.type === type);

  it("gives each system its own namespace with Pod Security restricted and a default-deny NetworkPolicy", () => {
    const namespaces = ofType("kubernetes:core/v1:Namespace")
      .map((r) => r.inputs.metadata)
      .filter((m) => m.labels["messaging-platform.io/system"] !== undefined);
    expect(namespaces.map((m) => m.name).sort()).toEqual(["kafka", "rabbitmq"]);
    for (const m of namespaces) {
      expect(m.labels).toMatchObject({
        "pod-security.kubernetes.io/enforce": "restricted",
        "messaging-platform.io/environment": d.settings.environment,
      });
    }
    const deny = ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => r.inputs);
    expect(deny.map((p) => p.metadata.namespace).sort()).toEqual(["kafka", "rabbitmq"]);
    for (const p of deny) expect(p.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress"] });
  });

  it("deploys both development charts with the Secrets it created and the client namespaces from config", () => {
    const charts = ofType("kubernetes:helm.sh/v4:Chart").map((r) => r.inputs);
    expect(charts.map((c) => c.chart.replace(/.*\/charts\//, "charts/")).sort()).toEqual([
      "charts/kafka",
      "charts/rabbitmq",
      ...(d.settings.inClusterGate.enabled ? ["charts/smoke-gate"] : []),
    ]);
    const secretNames = ofType("kubernetes:core/v1:Secret").map((r) => r.inputs.metadata.name);
    const chart = (name: string) => {
      const c = charts.find((x) => x.chart.endsWith(name));
      if (!c) throw new Error(`no chart ${name}`);
      return c;
    };
    const kafka = chart("kafka");
    const rabbit = chart("rabbitmq");
    expect(secretNames).toEqual(
      expect.arrayContaining([
        kafka.values.auth.sasl.existingSecret,
        kafka.values.kraft.existingClusterIdSecret,
        rabbit.values.auth.existingSecret,
        rabbit.values.erlangCookie.existingSecret,
      ]),
    );
    for (const c of [kafka, rabbit]) {
      expect(c.values.networkPolicy.clientFrom).toContainEqual({
        namespaceSelector: { matchLabels: d.settings.clientNamespaceLabels },
      });
    }
    expect(kafka.values.config["default.replication.factor"]).toBe(d.settings.kafka.replicationFactor);
    expect(kafka.values.config["min.insync.replicas"]).toBe(d.settings.kafka.minInsyncReplicas);
  });

  it("gives every Kubernetes resource the explicit provider, never the default one", () => {
    expect(ofType("pulumi:providers:kubernetes")).toHaveLength(1);
    const k8s = d.resources.filter((r) => r.type.startsWith("kubernetes:"));
    expect(k8s.length).toBeGreaterThan(6);
  });

  it("outputs a target the smoke tests accept, with both passwords as Pulumi secrets", async () => {
    const result = validateTarget(JSON.parse(JSON.stringify(d.target)));
    // A one-broker development stack promises no durability, and the smoke tests' contract says so: it accepts only
    // targets where one broker can die. Every other field of the development target must be right.
    const problems = result.ok ? [] : result.problems.map((p) => p.field);
    expect(problems).toEqual(
      stack === "dev" ? ["kafka.expected.minInsyncReplicas", "kafka.topics[0].minInsyncReplicas"] : [],
    );
    expect(d.target.kafka.expected.replicationFactor).toBe(d.settings.kafka.replicationFactor);
    expect(await pulumi.isSecret(d.out.target.kafka.sasl.password)).toBe(true);
    expect(await pulumi.isSecret(d.out.target.rabbitmq.password)).toBe(true);
    expect(d.target.kafka.sasl.password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(d.target.placement).toMatchObject({ kind: "kubernetes", kafka: { namespace: "kafka" } });
  });

  it("publishes durability that agrees with the target's expectations", () => {
    expect(d.out.durability.kafka).toMatchObject(d.target.kafka.expected);
    expect(d.out.durability.rabbitmq).toMatchObject(d.target.rabbitmq.expected);
    expect(d.out.durability.kafka.toleratesBrokerLoss).toBe(
      d.target.kafka.expected.replicationFactor - d.target.kafka.expected.minInsyncReplicas,
    );
  });

  it("passes every policy of the pack, charts included", async () => {
    expect(await violations(stackObjects(d.resources))).toEqual([]);
  });
});

describe("the in-cluster smoke gate (staging: gate.inCluster.enabled)", () => {
  let d: Awaited<ReturnType<typeof deploy>>;
  let objects: Obj[];
  beforeAll(async () => {
    d = await deploy("staging");
    objects = stackObjects(d.resources);
  });
  const gateChart = () =>
    d.resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.chart.endsWith("smoke-gate"));

  it("runs in its own namespace, which carries the client labels the brokers' NetworkPolicies admit", () => {
    const ns = d.resources.find(
      (r) => r.type === "kubernetes:core/v1:Namespace" && r.inputs.metadata.name === "messaging-smoke",
    );
    expect(ns?.inputs.metadata.labels).toMatchObject({
      ...d.settings.clientNamespaceLabels,
      "pod-security.kubernetes.io/enforce": "restricted",
    });
    expect(gateChart()?.inputs.namespace).toBe("messaging-smoke");
  });

  it("reads the stack's target from a Secret: both passwords, gate settings, and no kubeconfig or context", async () => {
    const secret = d.resources.find(
      (r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.name === "smoke-gate-target",
    );
    // Registered as a Pulumi secret (the engine's secret signature wraps the value): encrypted in state.
    const data = secret?.inputs.stringData;
    expect(data["4dabf18193072939515e22adb298388d"]).toBe("1b47061264138c4ac30d75fd1eb44270");
    const target = JSON.parse(data.value["target.json"]);
    expect(validateTarget(target).ok).toBe(true);
    expect(target.kafka.sasl.password).toBe(d.target.kafka.sasl.password);
    expect(target.gate.throughput.floors.kafka).toEqual({ messagesPerSec: 2000, publishP99Ms: 500 });
    expect(target.placement.context).toBeUndefined();
    expect(target.placement.kubeconfig).toBeUndefined();
  });

  it("renders a Job named after a run id that changes with what was deployed", () => {
    const values = gateChart()?.inputs.values;
    expect(values.image).toEqual({ repository: "messaging-platform/smoke-gate", tag: "0.1.0" });
    const job = objects.find((o) => o.kind === "Job" && o.metadata.name.startsWith("smoke-gate-run-"));
    expect(job?.metadata.name).toBe(`smoke-gate-${values.runId}`);
    expect(d.out.smokeGate.logs).toBe(`kubectl -n messaging-smoke logs job/smoke-gate-${values.runId}`);
    expect(job?.spec.backoffLimit).toBe(0);
  });

  it("its ServiceAccount may delete pods and manage NetworkPolicies in the broker namespaces, and nothing else", () => {
    const rbac = objects.filter((o) => /^(Cluster)?Role(Binding)?$/.test(o.kind));
    expect(rbac.filter((o) => o.kind.startsWith("Cluster"))).toEqual([]);
    const roles = rbac.filter((o) => o.kind === "Role");
    expect(roles.map((r) => r.metadata.namespace).sort()).toEqual(["kafka", "rabbitmq"]);
    for (const role of roles) {
      expect(role.rules).toEqual([
        { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "delete"] },
        {
          apiGroups: ["networking.k8s.io"],
          resources: ["networkpolicies"],
          verbs: ["get", "list", "create", "delete"],
        },
      ]);
    }
    for (const binding of rbac.filter((o) => o.kind === "RoleBinding")) {
      expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "smoke-gate", namespace: "messaging-smoke" }]);
    }
  });
});

describe("the policy pack on a production stack", () => {
  let objects: Obj[];
  beforeAll(async () => {
    objects = stackObjects((await deploy("production")).resources);
  });
  const clone = () => structuredClone(objects);
  const find = (os: Obj[], kind: string, pred: (o: Obj) => boolean = () => true) => {
    const o = os.find((x) => x.kind === kind && pred(x));
    if (!o) throw new Error(`no ${kind}`);
    return o;
  };

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

  it("rejects a StatefulSet without a PodDisruptionBudget", async () => {
    const os = clone().filter((o) => o.kind !== "PodDisruptionBudget");
    const found = await violations(os);
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
    const job = find(os, "Job");
    job.spec.template.spec.securityContext = { runAsUser: 0 };
    expect(await violations(os)).toContainEqual(expect.stringMatching(/container apply may run as root/));
  });

  it("rejects a container without resources", async () => {
    const os = clone();
    delete find(os, "Job").spec.template.spec.containers[0].resources;
    expect(await violations(os)).toContainEqual(
      expect.stringMatching(/container apply has no resources requests.cpu, requests.memory, limits.memory$/),
    );
  });

  it("rejects a namespace without any NetworkPolicy", async () => {
    const os = clone().filter((o) => !(o.kind === "NetworkPolicy" && o.metadata.namespace === "rabbitmq"));
    expect(await violations(os)).toEqual([
      "namespace rabbitmq has no NetworkPolicy: its pods accept traffic from anywhere",
    ]);
  });
});
