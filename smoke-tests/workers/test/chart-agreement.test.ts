// What charts/smoke-gate prepares with workers > 1 agrees with what the gate does with it: the worker pods the launcher
// labels are the pods its NetworkPolicies name, never the pods its Service selects; the environment it gives the gate
// is what the launcher's choice accepts; its Role grants exactly the launcher's API calls.
import type * as k8s from "@kubernetes/client-node";
import { type Any, render } from "../../../charts/test/support";
import { launcherChoice } from "../choose-launcher";
import { workersApiCalls } from "../kubernetes-launcher";
import { workerJob } from "../worker-job";

const rendered = () => render("smoke-gate", ["examples/staging.yaml"], ["workers=3"]);
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe("charts/smoke-gate and the Kubernetes launcher agree", () => {
  let r: ReturnType<typeof rendered>;
  let gatePod: k8s.V1Pod;
  let workerLabels: Record<string, string>;
  beforeAll(() => {
    r = rendered();
    const job = r.all("Job")[0];
    gatePod = {
      metadata: {
        name: "mp-smoke-gate-3f9c2a1-x7k2p",
        namespace: "messaging",
        uid: "u-1",
        labels: job.spec.template.metadata.labels,
      },
      spec: job.spec.template.spec,
    };
    const workers = workerJob({ name: "smoke-workers-1a2b3c4d", count: 3, collector: "c:7070", gatePod });
    workerLabels = workers.spec?.template.metadata?.labels as Record<string, string>;
  });

  it("the worker pods are the ones the workers' policy governs and the gate admits, and never the gate's", () => {
    const gateLabels = gatePod.metadata?.labels as Record<string, string>;
    const workersPolicy = r.get("NetworkPolicy", "mp-smoke-gate-workers").spec.podSelector.matchLabels;
    const gatePolicy = r.get("NetworkPolicy", "mp-smoke-gate").spec;
    const admitted = gatePolicy.ingress[0].from[0].podSelector.matchLabels;
    const service = r.get("Service", "mp-smoke-gate-collector").spec.selector;
    expect(selects(workersPolicy, workerLabels)).toBe(true);
    expect(selects(admitted, workerLabels)).toBe(true);
    expect(selects(gatePolicy.podSelector.matchLabels, workerLabels)).toBe(false);
    expect(selects(service, workerLabels)).toBe(false);
    // And the other way round: the gate is no worker, and the Service and the workers' egress find the gate.
    expect(selects(workersPolicy, gateLabels)).toBe(false);
    expect(selects(service, gateLabels)).toBe(true);
    const toGate = r.get("NetworkPolicy", "mp-smoke-gate-workers").spec.egress[2].to[0].podSelector.matchLabels;
    expect(selects(toGate, gateLabels)).toBe(true);
  });

  it("the gate's environment is what the launcher's choice takes, on the Service's port", () => {
    const env = Object.fromEntries(
      (gatePod.spec?.containers[0]?.env ?? []).map((e) => [
        e.name,
        e.value ?? `from ${e.valueFrom?.fieldRef?.fieldPath}`,
      ]),
    );
    expect(env.MP_POD_NAME).toBe("from metadata.name");
    expect(env.MP_POD_NAMESPACE).toBe("from metadata.namespace");
    const choice = launcherChoice(
      {
        ...env,
        KUBERNETES_SERVICE_HOST: "10.96.0.1",
        MP_POD_NAME: "mp-smoke-gate-3f9c2a1-x7k2p",
        MP_POD_NAMESPACE: "messaging",
      },
      "kubernetes",
      3,
    );
    expect(choice).toEqual({
      kind: "kubernetes",
      place: {
        pod: { name: "mp-smoke-gate-3f9c2a1-x7k2p", namespace: "messaging" },
        collector: {
          host: "mp-smoke-gate-collector.messaging.svc",
          port: r.get("Service", "mp-smoke-gate-collector").spec.ports[0].port,
        },
      },
    });
  });

  it("the Role in the release namespace grants exactly the launcher's calls", () => {
    const verbOf = { read: "get", list: "list", create: "create", delete: "delete" } as Record<string, string>;
    const resourceOf = { Pod: "/pods", Secret: "/secrets", Job: "batch/jobs" } as Record<string, string>;
    const calls = [...workersApiCalls.core, ...workersApiCalls.batch].map((call) => {
      const m = /^(read|list|create|delete)Namespaced(Pod|Secret|Job)$/.exec(call);
      if (!m) throw new Error(`${call}: no Role rule is known for this call`);
      return `${resourceOf[m[2] as string]} ${verbOf[m[1] as string]}`;
    });
    const role = r.get("Role", "mp-smoke-gate-workers");
    const granted = (role.rules as Any[]).flatMap((rule) =>
      (rule.apiGroups as string[]).flatMap((g) =>
        (rule.resources as string[]).flatMap((res) => (rule.verbs as string[]).map((v) => `${g}/${res} ${v}`)),
      ),
    );
    expect(granted.sort()).toEqual(calls.sort());
  });
});
