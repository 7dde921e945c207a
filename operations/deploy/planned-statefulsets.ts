// The broker StatefulSets a stack asks for, from its settings rather than from the preview: a preview whose chart
// values hold unknowns (a certificate being replaced, say) renders no chart objects, so the placement checks would see
// nothing. Names, namespaces and pod labels as the charts render them (infra/values), replicas from the settings and
// required anti-affinity from the chart values (`scheduling.hostAntiAffinity`).
import { loadValues, optional } from "../../chart-values/source";
import { pick } from "../../chart-values/values";
import { pulumiProject } from "../../contract/pulumi-project";
import { parseSettings, type Settings } from "../../infra/settings/settings";
import { kafkaTopology } from "../../infra/values/kafka";
import { rabbitmqTopology } from "../../infra/values/rabbitmq";
import { hostnameKey, type RenderedStatefulSet } from "./scheduling";

/** Per system: whether its chart values require one pod per host (the charts' default is `required`). */
export type HostAntiAffinity = Record<"kafka" | "rabbitmq", boolean>;

/** Pure: the StatefulSets, each with the values that set its placement. */
export function plannedStatefulSets(s: Settings, required: HostAntiAffinity): RenderedStatefulSet[] {
  // The embedded platform runs no StatefulSet and has no nodes to place them on.
  if (s.platform !== "kubernetes") return [];
  const sts = (
    system: "kafka" | "rabbitmq",
    namespace: string,
    name: string,
    replicas: number,
    matchLabels: Record<string, string>,
  ): RenderedStatefulSet => ({
    statefulSet: {
      metadata: { name, namespace },
      spec: {
        replicas,
        selector: { matchLabels },
        template: {
          spec: required[system]
            ? {
                affinity: {
                  podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: hostnameKey }] },
                },
              }
            : {},
        },
      },
    },
    source: `charts/${system} values scheduling.hostAntiAffinity: required`,
  });
  const k = kafkaTopology(s.kafka);
  const kafkaLabels = (component: string) => ({ ...k.brokerPodLabels, "app.kubernetes.io/component": component });
  const [first, second] = k.statefulSets;
  const kafka =
    second === undefined
      ? [sts("kafka", s.kafka.namespace, first as string, s.kafka.brokers, kafkaLabels("broker"))]
      : [
          sts("kafka", s.kafka.namespace, first as string, s.kafka.controllers, kafkaLabels("controller")),
          sts("kafka", s.kafka.namespace, second, s.kafka.brokers, kafkaLabels("broker")),
        ];
  const r = rabbitmqTopology(s.rabbitmq);
  return [...kafka, sts("rabbitmq", s.rabbitmq.namespace, r.statefulSet, s.rabbitmq.replicas, r.podLabels)];
}

/** Pure: the preview's rendering where it has one (it carries every detail), the settings' otherwise. */
export function statefulSetsToCheck(
  rendered: RenderedStatefulSet[],
  planned: RenderedStatefulSet[],
): RenderedStatefulSet[] {
  const key = (x: RenderedStatefulSet) => `${x.statefulSet.metadata?.namespace}/${x.statefulSet.metadata?.name}`;
  const seen = new Set(rendered.map(key));
  return [...rendered, ...planned.filter((p) => !seen.has(key(p)))];
}

/** From a stack's config file: its settings and chart values read as the program reads them; undefined if it cannot. */
export function plannedFromConfig(
  config: Record<string, unknown>,
  stack: string,
  repoRoot: string,
): RenderedStatefulSet[] {
  try {
    const own: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(config))
      if (k.startsWith(`${pulumiProject}:`)) own[k.slice(pulumiProject.length + 1)] = v;
    const s = parseSettings(own, { stack, repoRoot });
    const requiredIn = (system: "kafka" | "rabbitmq", example: unknown) => {
      // The example file's value, else the chart's default (values.yaml, through the one reader of chart defaults).
      const value =
        pick(example as never, ["scheduling", "hostAntiAffinity"]) ??
        optional(loadValues(system), "scheduling.hostAntiAffinity");
      return value === "required";
    };
    return plannedStatefulSets(s, {
      kafka: requiredIn("kafka", s.kafka.exampleValues),
      rabbitmq: requiredIn("rabbitmq", s.rabbitmq.exampleValues),
    });
  } catch {
    // The preview refuses bad settings with their own message; this check then has nothing to add.
    return [];
  }
}
