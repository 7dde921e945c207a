// Stack config `kubernetes:` and `clientNamespaceLabels:` (the kubernetes and render platforms).
import { isAbsolute, join } from "node:path";
import type { Problems } from "../problems";
import type { Platform } from "./levels";

export interface KubernetesSettings {
  /** kubeconfig context to deploy to (default: the kubeconfig's current context). */
  context?: string;
  /** Path of a kubeconfig file (default: $KUBECONFIG or ~/.kube/config). */
  kubeconfig?: string;
  /** Absolute directory the render platform writes manifests to (default <repo>/rendered/<stack>). */
  renderYamlToDirectory?: string;
}

const labelKey =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

export function parseKubernetes(
  p: Problems,
  value: unknown,
  platform: Platform | undefined,
  ctx: { stack: string; repoRoot: string },
): KubernetesSettings | undefined {
  const k = p.object("kubernetes", value, true);
  if (!k) return undefined;
  p.knownKeys("kubernetes", k, ["context", "kubeconfig", "renderYamlToDirectory"]);
  const out: KubernetesSettings = {};
  if (platform === "render") {
    for (const key of ["context", "kubeconfig"] as const) {
      if (k[key] !== undefined) {
        p.add(`kubernetes.${key}`, k[key], "is not used on platform render (it contacts no cluster)");
      }
    }
    const dir = p.string(
      "kubernetes.renderYamlToDirectory",
      k.renderYamlToDirectory ?? join(ctx.repoRoot, "rendered", ctx.stack),
    );
    if (dir !== undefined && !isAbsolute(dir)) {
      p.add("kubernetes.renderYamlToDirectory", dir, "must be an absolute path (relative paths do not render)");
    }
    out.renderYamlToDirectory = dir;
    return out;
  }
  if (k.context !== undefined) out.context = p.string("kubernetes.context", k.context);
  if (k.kubeconfig !== undefined) out.kubeconfig = p.string("kubernetes.kubeconfig", k.kubeconfig);
  if (k.renderYamlToDirectory !== undefined) {
    p.add("kubernetes.renderYamlToDirectory", k.renderYamlToDirectory, "is only used on platform render");
  }
  return out;
}

export function parseLabels(p: Problems, value: unknown): Record<string, string> | undefined {
  const key = "clientNamespaceLabels";
  const labels = p.object(key, value);
  if (!labels) return undefined;
  if (Object.keys(labels).length === 0)
    return p.add(key, labels, "must name at least one label (else no client is admitted)");
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) {
    if (!labelKey.test(k)) p.add(`${key}.${k}`, v, "has a key that is not a valid Kubernetes label key");
    const s = p.string(`${key}.${k}`, v, labelValue, "a valid Kubernetes label value (quote true/false/numbers)");
    if (s !== undefined) out[k] = s;
  }
  return out;
}
