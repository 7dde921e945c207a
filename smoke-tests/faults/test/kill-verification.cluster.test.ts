// The drills' Kubernetes kill on a real kubelet: the same pod killed four times in a row, as drills run minutes apart
// do. Each kill must be verified from the killed container's own record (its ID, exit code 137, finishedAt after the
// exec), also when the kubelet holds the restart back (its back-off doubles: 10 s, 20 s, 40 s). A check that waited
// for the restart within 30 s failed the fourth kill although it happened.

import { clusterPaths } from "../../../cluster/paths";
import { ctrImages, kubectl, mustKubectl, requireCluster } from "../../../cluster/test/kube";
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

const placement: KubePlacement = {
  kind: "kubernetes",
  kubeconfig: clusterPaths.kubeconfig,
  kafka: { namespace: ns, podSelector: "app=broker", statefulSets: ["broker"] },
  rabbitmq: { namespace: ns, podSelector: "app=none", statefulSet: "none" },
};

beforeAll(() => {
  requireCluster();
  mustKubectl(["create", "namespace", ns]);
  mustKubectl(["apply", "-f", "-"], JSON.stringify(statefulSet()));
  mustKubectl(["-n", ns, "rollout", "status", "statefulset/broker", "--timeout=90s"], undefined, 100_000);
});

afterAll(() => {
  kubectl(["delete", "namespace", ns, "--wait=false"]);
});

test("four kills of the same pod in a row: each verified as ours, through the kubelet's restart back-off", async () => {
  const faults = await KubernetesFaults.connect(placement);
  const details: string[] = [];
  for (let i = 1; i <= 4; i++) {
    const before = Date.now();
    const e = await faults.kill("broker-0");
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
