// The worker Job as the gate would create it, built from the gate pod charts/smoke-gate renders (no cluster): the Job
// Kubernetes' schemas accept, the gate's image and security, the token only by reference; and what a worker pod's
// status says about how it ended.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type * as k8s from "@kubernetes/client-node";
import { stringify } from "yaml";
import { looseSecretFiles, render, secretsInEnvironment, validate } from "../../../charts/test/support";
import { repoRoot } from "../../../toolchain/src/paths";
import {
  indexAnnotation,
  roleLabel,
  runTokenKey,
  workerCommand,
  workerJob,
  workerLabels,
  workerPodState,
  workerSecret,
} from "../worker-job";

const runToken = "0123456789abcdef0123456789abcdef";

/** The gate's pod as the API would return it: the chart's pod template, named and scheduled. */
function renderedGatePod(sets: string[] = []): k8s.V1Pod {
  const job = render("smoke-gate", ["examples/staging.yaml"], sets).all("Job")[0];
  return {
    metadata: {
      name: `${job.metadata.name}-x7k2p`,
      namespace: job.metadata.namespace,
      uid: "0b7c8a52-5d2e-4a63-9c1f-2f0b7f3e9a11",
      labels: job.spec.template.metadata.labels,
    },
    spec: job.spec.template.spec,
  };
}

const gatePod = renderedGatePod();
const request = {
  name: "smoke-workers-1a2b3c4d",
  count: 3,
  collector: "mp-smoke-gate-collector.messaging.svc:7070",
  gatePod,
};
const job = workerJob(request);
const pod = job.spec?.template.spec as k8s.V1PodSpec;
const worker = pod.containers[0] as k8s.V1Container;
const gate = gatePod.spec?.containers[0] as k8s.V1Container;

describe("the worker Job", () => {
  it("is an Indexed Job of N pods at once, none of which comes back once it ended", () => {
    expect(job.spec).toMatchObject({
      completionMode: "Indexed",
      completions: 3,
      parallelism: 3,
      backoffLimitPerIndex: 0,
    });
    // backoffLimit 0 would fail the whole Job at the first killed worker, and take the others with it.
    expect(job.spec?.backoffLimit).toBeUndefined();
    expect(pod.restartPolicy).toBe("Never");
  });

  it("Kubernetes' schemas accept the Job and its Secret (strict, offline, the cluster's version)", () => {
    const manifest = [job, workerSecret(request, runToken)].map((o) => stringify(o)).join("---\n");
    const v = validate(manifest);
    expect(v.problems).toEqual([]);
    expect(v.summary).toEqual({ valid: 2, invalid: 0, errors: 0, skipped: 0 });
  });

  it("is labelled a worker of the gate's release and run, and owned by the gate's pod", () => {
    const labels = workerLabels(gatePod);
    const own = gatePod.metadata?.labels ?? {};
    expect(labels).toEqual(
      expect.objectContaining({
        "app.kubernetes.io/name": own["app.kubernetes.io/name"],
        "app.kubernetes.io/instance": own["app.kubernetes.io/instance"],
        "messaging-platform.io/run-id": own["messaging-platform.io/run-id"],
        [roleLabel]: "smoke-worker",
      }),
    );
    expect(own[roleLabel]).toBe("smoke-gate");
    expect(job.metadata?.labels).toEqual(labels);
    expect(job.spec?.template.metadata?.labels).toEqual(labels);
    expect(workerSecret(request, runToken).metadata?.labels).toEqual(labels);
    expect(job.metadata?.namespace).toBe(gatePod.metadata?.namespace);
    expect(job.metadata?.ownerReferences).toEqual([
      {
        apiVersion: "v1",
        kind: "Pod",
        name: gatePod.metadata?.name,
        uid: gatePod.metadata?.uid,
        controller: false,
        blockOwnerDeletion: false,
      },
    ]);
  });

  it("each worker finds the collector in its environment, its index from the Job controller, its token in the Secret mounted as a file", () => {
    expect(worker.env).toEqual([
      { name: "MP_WORKER_COLLECTOR", value: request.collector },
      { name: "MP_WORKER_TOKEN_FILE", value: `/etc/mp-worker/${runTokenKey}` },
    ]);
    expect(worker.volumeMounts).toEqual(
      expect.arrayContaining([{ name: "run-token", mountPath: "/etc/mp-worker", readOnly: true }]),
    );
    expect(pod.volumes).toEqual(
      expect.arrayContaining([
        {
          name: "run-token",
          secret: { secretName: request.name, items: [{ key: runTokenKey, path: runTokenKey }], defaultMode: 0o400 },
        },
      ]),
    );
    // No Secret in the environment (the project's secrets-as-files policy, charts/test/support.ts).
    expect(secretsInEnvironment([job])).toEqual([]);
    expect(looseSecretFiles([job])).toEqual([]);
    // One pod template for every index: an MP_WORKER_INDEX here would give them all one index (worker.ts reads
    // JOB_COMPLETION_INDEX when it is absent).
    expect(worker.env?.some((e) => e.name === "MP_WORKER_INDEX")).toBe(false);
    expect(JSON.stringify(job)).not.toContain(runToken);
    expect(worker.args).toBeUndefined();
    const secret = workerSecret(request, runToken);
    expect(secret.metadata?.name).toBe(request.name);
    expect(secret.stringData).toEqual({ [runTokenKey]: runToken });
  });

  it("runs the worker entry point with the gate's image, user, security context and resources", () => {
    expect(worker.command).toEqual(workerCommand);
    expect(existsSync(join(repoRoot, workerCommand.at(-1) as string))).toBe(true);
    expect(gate.command?.slice(0, 3)).toEqual(workerCommand.slice(0, 3));
    expect(worker.image).toBe(gate.image);
    expect(worker.imagePullPolicy).toBe(gate.imagePullPolicy);
    expect(worker.workingDir).toBe(gate.workingDir);
    expect(worker.securityContext).toEqual(gate.securityContext);
    expect(pod.securityContext).toEqual(gatePod.spec?.securityContext);
    expect(worker.resources).toEqual(gate.resources);
    expect(worker.resources?.limits).toEqual(expect.objectContaining({ cpu: "1", memory: "1Gi" }));
    expect(pod.automountServiceAccountToken).toBe(false);
    // Read-only root: tsx compiles into /tmp, the gate's size.
    expect(worker.volumeMounts).toEqual(expect.arrayContaining([{ name: "tmp", mountPath: "/tmp" }]));
    expect(pod.volumes).toEqual(expect.arrayContaining([{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }]));
    expect(worker.terminationMessagePolicy).toBe("FallbackToLogsOnError");
  });

  it("carries the gate's scheduling and pull secrets where it has them", () => {
    const scheduled = renderedGatePod([
      "nodeSelector.pool=load",
      "tolerations[0].key=load",
      "tolerations[0].operator=Exists",
      "imagePullSecrets={registry}",
      "resources.requests.cpu=2",
    ]);
    const p = workerJob({ ...request, gatePod: scheduled }).spec?.template.spec as k8s.V1PodSpec;
    expect(p.nodeSelector).toEqual({ pool: "load" });
    expect(p.tolerations).toEqual([{ key: "load", operator: "Exists" }]);
    expect(p.imagePullSecrets).toEqual([{ name: "registry" }]);
    expect(p.containers[0]?.resources?.requests).toEqual(expect.objectContaining({ cpu: 2 }));
  });

  it("refuses a gate pod read without what the workers need, saying what is missing", () => {
    const { uid: _, ...noUid } = gatePod.metadata as k8s.V1ObjectMeta;
    expect(() => workerJob({ ...request, gatePod: { ...gatePod, metadata: noUid } })).toThrow(
      "the gate's own pod as read has no name or uid",
    );
    expect(() => workerJob({ ...request, gatePod: { ...gatePod, spec: { containers: [{ name: "gate" }] } } })).toThrow(
      "the gate's own pod as read has no container image",
    );
  });
});

describe("a worker pod's state, from its status", () => {
  const at = Date.parse("2026-12-08T10:00:00Z");
  const podOf = (status: k8s.V1PodStatus, extra: Partial<k8s.V1ObjectMeta> = {}): k8s.V1Pod => ({
    metadata: { name: "smoke-workers-1a2b3c4d-1-abcde", annotations: { [indexAnnotation]: "1" }, ...extra },
    status,
  });
  const terminated = (exitCode: number, reason: string, message?: string): k8s.V1PodStatus["containerStatuses"] => [
    {
      name: "worker",
      image: "i",
      imageID: "",
      ready: false,
      restartCount: 0,
      state: { terminated: { exitCode, reason, ...(message ? { message } : {}) } },
    },
  ];

  it("running: its index, not ended", () => {
    expect(workerPodState(podOf({ phase: "Running" }), at)).toEqual({
      name: "smoke-workers-1a2b3c4d-1-abcde",
      index: 1,
      ended: undefined,
      said: [],
    });
  });

  it("closed by the coordinator: exit code 0", () => {
    expect(workerPodState(podOf({ phase: "Succeeded", containerStatuses: terminated(0, "Completed") }), at).ended).toBe(
      "exit code 0",
    );
  });

  it("failed: its exit code and the last lines it wrote", () => {
    const lines = Array.from({ length: 8 }, (_, i) => `line ${i}`).join("\n");
    const s = workerPodState(
      podOf({ phase: "Failed", containerStatuses: terminated(1, "Error", `${lines}\nworker w1: no broker\n`) }),
      at,
    );
    expect(s.ended).toBe("exit code 1");
    expect(s.said).toEqual(["line 4", "line 5", "line 6", "line 7", "worker w1: no broker"]);
  });

  it("deleted (the drill's kill): ended at once, with its exit code once the kubelet has one", () => {
    const deleting = { deletionTimestamp: new Date(at) };
    expect(workerPodState(podOf({ phase: "Running" }, deleting), at).ended).toBe("pod deleted");
    expect(
      workerPodState(podOf({ phase: "Failed", containerStatuses: terminated(137, "Error") }, deleting), at).ended,
    ).toBe("pod deleted, exit code 137");
  });

  it("evicted or out of memory: the kubelet's reason beside the exit code", () => {
    expect(
      workerPodState(podOf({ phase: "Failed", reason: "Evicted", message: "low on ephemeral-storage" }), at).ended,
    ).toBe("Failed, Evicted: low on ephemeral-storage");
    expect(workerPodState(podOf({ phase: "Failed", containerStatuses: terminated(137, "OOMKilled") }), at).ended).toBe(
      "exit code 137 (OOMKilled)",
    );
  });

  it("not started: why, in its own words (a missing Secret, an image it cannot pull, the scheduler's refusal)", () => {
    const waiting = workerPodState(
      podOf({
        phase: "Pending",
        containerStatuses: [
          {
            name: "worker",
            image: "i",
            imageID: "",
            ready: false,
            restartCount: 0,
            state: { waiting: { reason: "CreateContainerConfigError", message: 'secret "x" not found' } },
          },
        ],
      }),
      at,
    );
    expect(waiting).toMatchObject({
      ended: undefined,
      said: ['waiting: CreateContainerConfigError: secret "x" not found'],
    });
    const refused = workerPodState(
      podOf({
        phase: "Pending",
        conditions: [
          {
            type: "PodScheduled",
            status: "False",
            reason: "Unschedulable",
            message: "0/3 nodes are available: 3 Insufficient cpu.",
            lastTransitionTime: new Date(at - 60_000),
          },
        ],
      }),
      at,
    );
    expect(refused.ended).toBeUndefined();
    expect(refused.said.join(" ")).toContain("0/3 nodes are available: 3 Insufficient cpu.");
  });
});
