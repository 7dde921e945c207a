// What a stack on the embedded platform may say: the embedded environment runs the charts' values.yaml unchanged, so
// the stack names topics, queues and policies and nothing else.
import type { Problems, Raw } from "../problems";

/** What a stack on the embedded platform may set: the embedded environment runs the charts' values.yaml unchanged. */
export const embeddedKeys = {
  kafka: ["valuesFile", "topics"],
  rabbitmq: ["valuesFile", "queues", "policies"],
} as const;

export function checkEmbedded(p: Problems, raw: Raw): void {
  for (const key of ["kubernetes", "clientNamespaceLabels"] as const) {
    if (raw[key] !== undefined)
      p.add(key, raw[key], "is not used on platform embedded (there is no Kubernetes): remove it");
  }
  for (const system of ["kafka", "rabbitmq"] as const) {
    const o = raw[system];
    if (typeof o !== "object" || o === null || Array.isArray(o)) continue;
    const values = `charts/${system}/values.yaml`;
    for (const [k, v] of Object.entries(o)) {
      if (k === "valuesFile" && v !== values) {
        p.add(
          `${system}.valuesFile`,
          v,
          `must be ${values} on platform embedded: the embedded environment runs the chart's defaults`,
        );
      } else if (!(embeddedKeys[system] as readonly string[]).includes(k)) {
        p.add(
          `${system}.${k}`,
          v,
          `is not used on platform embedded, which runs ${values} unchanged (change it there, or deploy to Kubernetes)`,
        );
      }
    }
  }
}

/** The embedded platform's base values are the chart's own values.yaml. */
export function chartDefaults(value: unknown, chart: "kafka" | "rabbitmq"): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return value ?? { valuesFile: `charts/${chart}/values.yaml` };
  return { valuesFile: `charts/${chart}/values.yaml`, ...value };
}
