// The drills' Kubernetes kill on a real kubelet: the same pod killed four times in a row, as drills run minutes apart
// do. Each kill must be verified from the killed container's own record (its ID, exit code 137, finishedAt after the
// exec), also when the kubelet holds the restart back (its back-off doubles: 10 s, 20 s, 40 s). A check that waited
// for the restart within 30 s failed the fourth kill although it happened.
// Kill and hold down, on a stand-in with the charts' own hold-down.sh and emptyDir: the restarted container waits,
// not Ready, until restore lets it go; on a pod without the hook the kill is refused and nothing is killed.

import { render } from "../../../charts/test/support";
import { clusterPaths } from "../../../cluster/paths";
import { ctrImages, kubectl, mustKubectl, requireCluster } from "../../../cluster/test/kube";
import { holdDownDir } from "../../../contract/hold-down";
import type { KubePlacement } from "../../kube/rollout";
import { KubernetesFaults } from "../kubernetes-faults";

jest.setTimeout(600_000);

const ns = `kill-verification-${process.pid}`;

const toolbox = () => {
  const ref = ctrImages().find((i) => i.startsWith("localhost/toolbox:"));
  if (!ref) throw new Error("the toolbox image is not in containerd: run `npm run cluster:up`");
  return ref;
};

/** A stand-in broker: one pod of a StatefulSet, its processes in the pod's shared PID namespace as the charts' are. */
const statefulSet = () => ({
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name: "broker", namespace: ns },
  spec: {
    replicas: 1,
    serviceName: "broker",
    selector: { matchLabels: { app: "broker" } },
    template: {
      metadata: { labels: { app: "broker" } },
      spec: {
        shareProcessNamespace: true,
        terminationGracePeriodSeconds: 0,
        containers: [{ name: "broker", image: toolbox(), imagePullPolicy: "Never", command: ["sleep", "3600"] }],
      },
    },
  },
});

/** The charts' hold-down.sh, as charts/kafka renders it (the same program in both charts: charts/test/hold-down). */
const hookConfigMap = () => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "hook", namespace: ns },
  data: { "hold-down.sh": render("kafka").get("ConfigMap", "mp-kafka-scripts").data["hold-down.sh"] },
});

/**
 * A stand-in broker with the charts' hook: started through hold-down.sh, the marker's emptyDir mounted, and Ready only
 * once its "broker" ran (it writes /tmp/started in its container's own layer, which a restarted container has not).
 */
const heldStatefulSet = () => {
  const base = statefulSet();
  const spec = base.spec.template.spec;
  return {
    ...base,
    metadata: { name: "held", namespace: ns },
    spec: {
      ...base.spec,
      serviceName: "held",
      selector: { matchLabels: { app: "held" } },
      template: {
        metadata: { labels: { app: "held" } },
        spec: {
          ...spec,
          containers: [
            {
              ...spec.containers[0],
              command: ["sh", "/hook/hold-down.sh", "sh", "-c", "touch /tmp/started && exec sleep 3600"],
              readinessProbe: { exec: { command: ["test", "-e", "/tmp/started"] }, periodSeconds: 1 },
              volumeMounts: [
                { name: "hook", mountPath: "/hook" },
                { name: "hold-down", mountPath: holdDownDir },
              ],
            },
          ],
          volumes: [
            { name: "hook", configMap: { name: "hook" } },
            { name: "hold-down", emptyDir: { sizeLimit: "1Mi" } },
          ],
        },
      },
    },
  };
};

const placement: KubePlacement = {
  kind: "kubernetes",
  kubeconfig: clusterPaths.kubeconfig,
  kafka: { namespace: ns, podSelector: "app=broker", statefulSets: ["broker", "held"] },
  rabbitmq: { namespace: ns, podSelector: "app=none", statefulSet: "none" },
};

beforeAll(() => {
  requireCluster();
  mustKubectl(["create", "namespace", ns]);
  mustKubectl(["apply", "-f", "-"], JSON.stringify(statefulSet()));
  mustKubectl(["apply", "-f", "-"], JSON.stringify(hookConfigMap()));
  mustKubectl(["apply", "-f", "-"], JSON.stringify(heldStatefulSet()));
  for (const sts of ["broker", "held"]) {
    mustKubectl(["-n", ns, "rollout", "status", `statefulset/${sts}`, "--timeout=90s"], undefined, 100_000);
  }
});

/** The pod's Ready condition and its container's restart count, as the API server has them now. */
const podState = (pod: string) => {
  const jsonpath = '{.status.conditions[?(@.type=="Ready")].status} {.status.containerStatuses[0].restartCount}';
  const [ready, restarts] = mustKubectl(["-n", ns, "get", "pod", pod, "-o", `jsonpath=${jsonpath}`])
    .trim()
    .split(" ");
  return { ready: ready === "True", restarts: Number(restarts) };
};

afterAll(() => {
  kubectl(["delete", "namespace", ns, "--wait=false"]);
});

test("four kills of the same pod in a row: each verified as ours, through the kubelet's restart back-off", async () => {
  const faults = await KubernetesFaults.connect(placement);
  const details: string[] = [];
  for (let i = 1; i <= 4; i++) {
    const before = Date.now();
    const e = await faults.kill("broker-0", "crash-restart");
    details.push(e.detail);
    process.stdout.write(`kill ${i}: ${e.detail}\n`);
    expect({ kill: i, bySigkill: e.bySigkill, detail: e.detail }).toEqual({
      kill: i,
      bySigkill: true,
      detail: expect.stringMatching(
        /^SIGKILL by exec \(\d+ sleep\); container [0-9a-f]{12}: terminated: exit code 137/,
      ),
    });
    expect(e.landedAt).toBeGreaterThanOrEqual(before);
    await faults.restore("broker-0");
  }
  // The kubelet held restarts back (its BackOff events), and every kill was still verified, each of another container.
  const backOffs = mustKubectl(["-n", ns, "get", "events", "--field-selector", "reason=BackOff", "-o", "name"]);
  expect(backOffs.trim().split("\n").filter(Boolean).length).toBeGreaterThan(0);
  const killed = details.map((d) => /container ([0-9a-f]{12}):/.exec(d)?.[1]);
  expect(new Set(killed).size).toBe(4);
});

test("kill and hold down: the restarted container waits in the hook, not Ready, until restore lets it go", async () => {
  const faults = await KubernetesFaults.connect(placement);
  const before = podState("held-0");
  const e = await faults.kill("held-0", "hold-down");
  process.stdout.write(`hold-down kill: ${e.detail}\n`);
  expect(e.bySigkill).toBe(true);
  expect(e.detail).toMatch(/^SIGKILL by exec \(\d+ sleep\); container [0-9a-f]{12}: terminated: exit code 137/);
  // The kubelet restarts the container (its back-off, at most 300 s), and the restarted one says it is held and waits.
  const heldLine = /^held down by a drill: starts once \/run\/hold-down\/held is gone/m;
  const deadline = Date.now() + 330_000;
  while (!heldLine.test(kubectl(["-n", ns, "logs", "held-0"]).out) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1_000));
  }
  expect(kubectl(["-n", ns, "logs", "held-0"]).out).toMatch(heldLine);
  expect(podState("held-0")).toEqual({ ready: false, restarts: before.restarts + 1 });
  const { releasedAt } = await faults.restore("held-0");
  expect(releasedAt).toBeGreaterThan(e.landedAt);
  // Let go, not restarted: the waiting container itself started the stand-in broker.
  expect(podState("held-0")).toEqual({ ready: true, restarts: before.restarts + 1 });
});

test("kill and hold down on a pod without the hook: refused, saying so, and nothing killed", async () => {
  const faults = await KubernetesFaults.connect(placement);
  await faults.restore("broker-0");
  const before = podState("broker-0");
  expect(before.ready).toBe(true);
  await expect(faults.kill("broker-0", "hold-down")).rejects.toThrow(
    /the hold-down marker \/run\/hold-down\/held could not be written, so nothing was killed/,
  );
  // A kill would show as a termination within a second or two: watch that long for one that must not come.
  const watchMs = 5_000;
  await new Promise((r) => setTimeout(r, watchMs));
  expect(podState("broker-0")).toEqual(before);
});
