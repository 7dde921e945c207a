import { render } from "../../../charts/test/support";
import { gateAgainArgs } from "../gate-again";
import { gateJobCopy, type JobView, jobOutcome, leftFromEarlierUp, rerunWaitMs, workersRefusal } from "../gate-rerun";

/** The gate Job as `GET /apis/batch/v1/namespaces/smoke-gate/jobs/<name>` returns it after a run (trimmed container). */
const uid = "5b0c3a4e-8d0f-4c39-9a57-2f1d7b7f0c11";
const chartLabels = {
  "app.kubernetes.io/name": "smoke-gate",
  "app.kubernetes.io/instance": "smoke-gate",
  "app.kubernetes.io/managed-by": "Helm",
  "messaging-platform.io/role": "smoke-gate",
  "messaging-platform.io/run-id": "run-0123456789ab",
};
const job: JobView = {
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: {
    name: "smoke-gate-run-0123456789ab",
    namespace: "smoke-gate",
    uid,
    resourceVersion: "48213",
    generation: 1,
    creationTimestamp: "2026-12-06T16:02:11Z",
    labels: chartLabels,
    annotations: { "pulumi.com/timeoutSeconds": "1020" },
    managedFields: [{ manager: "pulumi-kubernetes", operation: "Apply" }],
  },
  spec: {
    parallelism: 1,
    completions: 1,
    activeDeadlineSeconds: 900,
    backoffLimit: 0,
    completionMode: "NonIndexed",
    suspend: false,
    manualSelector: false,
    selector: { matchLabels: { "batch.kubernetes.io/controller-uid": uid } },
    template: {
      metadata: {
        labels: {
          ...chartLabels,
          "batch.kubernetes.io/controller-uid": uid,
          "batch.kubernetes.io/job-name": "smoke-gate-run-0123456789ab",
          "controller-uid": uid,
          "job-name": "smoke-gate-run-0123456789ab",
        },
      },
      spec: {
        restartPolicy: "Never",
        serviceAccountName: "smoke-gate",
        containers: [{ name: "gate", image: "messaging-platform/smoke-gate:0.1.0" }],
      },
    },
  },
  status: {
    succeeded: 1,
    startTime: "2026-12-06T16:02:12Z",
    completionTime: "2026-12-06T16:04:40Z",
    conditions: [{ type: "Complete", status: "True" }],
  },
};

describe("the gate run again when `pulumi up` left the earlier deploy's Job", () => {
  it("a Job created before this up began is an earlier run's; one created during it is this deploy's", () => {
    expect(leftFromEarlierUp(job, Date.parse("2026-12-06T17:30:00Z"))).toBe(true);
    expect(leftFromEarlierUp(job, Date.parse("2026-12-06T16:01:40Z"))).toBe(false);
    // The client library gives a Date.
    const asDate = { ...job, metadata: { ...job.metadata, creationTimestamp: new Date("2026-12-06T16:02:11Z") } };
    expect(leftFromEarlierUp(asDate, Date.parse("2026-12-06T17:30:00Z"))).toBe(true);
  });

  it("the copy: a new name, the same spec, none of what the API server set on the original", () => {
    const copy = gateJobCopy(job, 1_796_572_800.7);
    expect(copy.metadata).toEqual({
      name: "smoke-gate-run-0123456789ab-r1796572800",
      namespace: "smoke-gate",
      labels: chartLabels,
      annotations: { "pulumi.com/timeoutSeconds": "1020" },
    });
    expect(copy.status).toBeUndefined();
    expect(copy.spec?.selector).toBeUndefined();
    expect(copy.spec?.manualSelector).toBeUndefined();
    expect(copy.spec?.template?.metadata?.labels).toEqual(chartLabels);
    expect(copy.spec?.template?.spec).toEqual(job.spec?.template?.spec);
    expect(copy.spec?.backoffLimit).toBe(0);
    expect(copy.spec?.activeDeadlineSeconds).toBe(900);
    // The original is left as it was.
    expect(job.spec?.selector).toBeDefined();
  });

  it("the copy's pod keeps the labels the gate's NetworkPolicy selects (charts/smoke-gate networkpolicy.yaml)", () => {
    const selected = {
      "app.kubernetes.io/name": "smoke-gate",
      "app.kubernetes.io/instance": "smoke-gate",
      "messaging-platform.io/role": "smoke-gate",
    };
    expect(gateJobCopy(job, 1).spec?.template?.metadata?.labels).toMatchObject(selected);
  });

  it("a name the job-name label can hold (63 characters at most)", () => {
    expect(gateJobCopy(job, 9_999_999_999).metadata.name.length).toBeLessThanOrEqual(63);
  });

  it("waits as Pulumi would: the Job's deadline and 120 s", () => {
    expect(rerunWaitMs(job)).toBe(1_020_000);
  });

  it("finished: Complete or succeeded; Failed or failed (backoffLimit 0); running: neither", () => {
    expect(jobOutcome({ status: { conditions: [{ type: "Complete", status: "True" }] } })).toBe("succeeded");
    expect(jobOutcome({ status: { succeeded: 1 } })).toBe("succeeded");
    expect(jobOutcome({ status: { failed: 1, conditions: [{ type: "Failed", status: "True" }] } })).toBe("failed");
    expect(jobOutcome({ status: { active: 1 } as never })).toBeUndefined();
    expect(jobOutcome({ status: { conditions: [{ type: "Failed", status: "False" }] } })).toBeUndefined();
  });
});

describe("the copy of the Job charts/smoke-gate renders", () => {
  it("runs as the chart's ServiceAccount, and its pod is the one the gate's NetworkPolicy selects", () => {
    const r = render("smoke-gate", ["examples/staging.yaml"]);
    const rendered = r.objects.find((o) => o.kind === "Job") as JobView;
    // As the API server stores it: the controller's labels on the template, a selector.
    const stored: JobView = {
      ...rendered,
      spec: {
        ...rendered.spec,
        selector: { matchLabels: { "batch.kubernetes.io/controller-uid": uid } },
        template: {
          ...rendered.spec?.template,
          metadata: {
            labels: { ...rendered.spec?.template?.metadata?.labels, "controller-uid": uid, "job-name": "x" },
          },
        },
      },
    };
    const copy = gateJobCopy(stored, 1_796_572_800);
    const np = r.objects.find((o) => o.kind === "NetworkPolicy") as unknown as {
      spec: { podSelector: { matchLabels: object } };
    };
    expect(copy.spec?.template?.metadata?.labels).toMatchObject(np.spec.podSelector.matchLabels);
    expect(copy.spec?.template?.metadata?.labels).toEqual(rendered.spec?.template?.metadata?.labels);
    const serviceAccount = (j: JobView) =>
      (j.spec?.template?.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName;
    expect(serviceAccount(copy)).toBe(serviceAccount(rendered));
    expect(serviceAccount(copy)).toMatch(/smoke-gate/);
  });
});

describe("`npm run gate`: the copy run with load flags of its own", () => {
  const gateJob = (workers: number) =>
    render("smoke-gate", ["examples/staging.yaml"], [`workers=${workers}`]).objects.find(
      (o) => o.kind === "Job",
    ) as JobView;
  const containers = (j: JobView) =>
    (j.spec?.template?.spec as { containers?: Array<{ name: string; args?: string[] }> } | undefined)?.containers ?? [];

  it("the flags go after the gate container's args, and nothing else of the pod changes", () => {
    const original = gateJob(3);
    const args = gateAgainArgs({ count: 3, killAtFault: 1 });
    expect(args).toEqual(["--workers", "3", "--kill-worker", "1"]);
    const copy = gateJobCopy(original, 1_796_572_800, args);
    expect(containers(copy).find((c) => c.name === "gate")?.args).toEqual(args);
    const podBesides = (j: JobView) => ({ ...(j.spec?.template?.spec as object), containers: undefined });
    expect(podBesides(copy)).toEqual(podBesides(original));
    // Without flags the copy is the deploy's own re-run, args as deployed.
    expect(containers(gateJobCopy(original, 1_796_572_800)).find((c) => c.name === "gate")?.args).toBeUndefined();
  });

  it("a flag the chart's args already give is refused, not read twice", () => {
    const original = render(
      "smoke-gate",
      ["examples/staging.yaml"],
      ["workers=3", "args[0]=--workers", "args[1]=two"],
    ).objects.find((o) => o.kind === "Job") as JobView;
    expect(() => gateJobCopy(original, 1, gateAgainArgs({ count: 3 }))).toThrow(
      "the gate Job's args already give --workers (chart value args)",
    );
  });

  it("more than one worker needs a gate deployed with gate.workers above 1 (its collector Service and Role)", () => {
    expect(workersRefusal(gateJob(1), "cluster", 3)).toBe(
      "--workers = 3: stack cluster's gate was deployed with gate.workers 1, so the cluster has no collector Service " +
        "or Role for workers; set gate.workers to 2 or more in Pulumi.cluster.yaml and deploy first",
    );
    expect(workersRefusal(gateJob(1), "cluster", 1)).toBeUndefined();
    expect(workersRefusal(gateJob(2), "cluster", 3)).toBeUndefined();
  });
});
