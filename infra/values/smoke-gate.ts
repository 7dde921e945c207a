// Settings ↔ charts/smoke-gate values, the target the in-cluster gate reads, and the run id that makes a changed
// deploy run a new Job. Pure: tested without Pulumi.
import { createHash } from "node:crypto";
import { blankPasswords, withPasswords } from "../../contract/passwords";
import type { Target } from "../../contract/target";
import { type InClusterGateSettings, splitImage } from "../settings/gate";

export const smokeGateRelease = "smoke-gate";
export const smokeGateTargetSecret = "smoke-gate-target";
export const smokeGateTargetKey = "target.json";

/** Inside the cluster the fault injector uses the Job's ServiceAccount: no kubeconfig, no context. */
export function inClusterTarget<T extends Target>(target: T): T {
  if (target.placement.kind !== "kubernetes") return target;
  const { kubeconfig: _k, context: _c, ...placement } = target.placement;
  return { ...target, placement };
}

/**
 * A new Job (and so a new gate run) whenever what the gate checks changes: the target without its passwords, the
 * gate settings, the image, and the charts' values. Jobs are immutable; a changed name is how a deploy re-runs one.
 */
export function gateRunId(parts: { target: Target; image: string; chartValues: unknown[] }): string {
  const blanked = withPasswords(parts.target, blankPasswords);
  const hash = createHash("sha256").update(JSON.stringify([blanked, parts.image, parts.chartValues]));
  return `run-${hash.digest("hex").slice(0, 12)}`;
}

export function smokeGateChartValues(
  s: InClusterGateSettings,
  opts: { brokerNamespaces: { kafka: string; rabbitmq: string }; runId: string; reportsVolume: boolean },
) {
  return {
    image: splitImage(s.image),
    target: { existingSecret: smokeGateTargetSecret, key: smokeGateTargetKey },
    brokerNamespaces: opts.brokerNamespaces,
    runId: opts.runId,
    reports: { persistence: { enabled: opts.reportsVolume } },
  };
}
