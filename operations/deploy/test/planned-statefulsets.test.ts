// The StatefulSets the placement checks see when the preview rendered none (its chart values held unknowns).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { repoRoot } from "../../../toolchain/src/paths";
import { plannedFromConfig, statefulSetsToCheck } from "../planned-statefulsets";
import { type NodeView, placementRefusals } from "../scheduling";

const config = (stack: string) =>
  (parse(readFileSync(join(repoRoot, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> }).config;
const node = (name: string, zone: string): NodeView => ({
  metadata: { name, labels: { "kubernetes.io/hostname": name, "topology.kubernetes.io/zone": zone } },
  status: { conditions: [{ type: "Ready", status: "True" }] },
});
const threeNodes = [node("n1", "a"), node("n2", "b"), node("n3", "c")];

test("the cluster stack: Kafka's and RabbitMQ's StatefulSets, three replicas each, one per host required", () => {
  const planned = plannedFromConfig(config("cluster"), "cluster", repoRoot);
  expect(
    planned.map(
      (p) => `${p.statefulSet.metadata?.namespace}/${p.statefulSet.metadata?.name} ×${p.statefulSet.spec?.replicas}`,
    ),
  ).toEqual(["kafka/kafka-broker ×3", "rabbitmq/rabbitmq ×3"]);
  expect(placementRefusals(planned, threeNodes)).toEqual([]);
});

test("five Kafka brokers asked of three nodes are refused, though the preview rendered no StatefulSet", () => {
  const c = config("cluster");
  const five = { ...c, "messaging-platform:kafka": { ...(c["messaging-platform:kafka"] as object), brokers: 5 } };
  const checked = statefulSetsToCheck([], plannedFromConfig(five, "cluster", repoRoot));
  expect(placementRefusals(checked, threeNodes)).toEqual([
    "kafka-broker: replicas 5 need 5 nodes (required anti-affinity by kubernetes.io/hostname, charts/kafka values scheduling.hostAntiAffinity: required); the cluster has 3 schedulable nodes: n1 (a), n2 (b), n3 (c)",
  ]);
});

test("the preview's rendering wins where it has one; the embedded platform has none to check", () => {
  const planned = plannedFromConfig(config("cluster"), "cluster", repoRoot);
  const rendered = [{ statefulSet: { metadata: { name: "rabbitmq", namespace: "rabbitmq" }, spec: { replicas: 1 } } }];
  expect(statefulSetsToCheck(rendered, planned).map((x) => x.statefulSet.spec?.replicas)).toEqual([1, 3]);
  expect(plannedFromConfig(config("embedded"), "embedded", repoRoot)).toEqual([]);
});
