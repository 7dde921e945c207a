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

/** Where the gate's pod reaches the Kubernetes API (charts/smoke-gate `apiServer`): the `kubernetes` Service's endpoints. */
export interface ApiServerEgress {
  addresses: string[];
  ports: number[];
}

/** The part of an EndpointSlice read here (discovery.k8s.io/v1). */
export interface EndpointSliceLike {
  endpoints?: Array<{ addresses?: string[] }>;
  ports?: Array<{ port?: number; protocol?: string }>;
}

/**
 * Pure: the addresses and TCP ports of the `kubernetes` Service's EndpointSlices, each once, sorted. A NetworkPolicy
 * sees the gate's connection to the Service after kube-proxy rewrote it to one of these (charts/smoke-gate
 * templates/networkpolicy.yaml), so these, not the Service's ClusterIP and port 443, are what its egress allows.
 */
export function apiServerEgress(slices: readonly EndpointSliceLike[]): ApiServerEgress {
  const addresses = [...new Set(slices.flatMap((s) => (s.endpoints ?? []).flatMap((e) => e.addresses ?? [])))];
  const ports = [
    ...new Set(
      slices.flatMap((s) =>
        (s.ports ?? []).filter((p) => (p.protocol ?? "TCP") === "TCP").flatMap((p) => (p.port ? [p.port] : [])),
      ),
    ),
  ];
  if (addresses.length === 0 || ports.length === 0) {
    throw new Error(
      `the kubernetes Service (namespace default) has ${addresses.length === 0 ? "no endpoint address" : "no TCP port"} in its EndpointSlices: the in-cluster gate's NetworkPolicy could not allow the API server`,
    );
  }
  return { addresses: addresses.sort(), ports: ports.sort((a, b) => a - b) };
}

export function smokeGateChartValues(
  s: InClusterGateSettings,
  opts: {
    brokerNamespaces: { kafka: string; rabbitmq: string };
    /** The brokers' client ports, the gate's only egress into their namespaces. */
    brokerPorts: { kafka: { client: number }; rabbitmq: { amqp: number; management: number } };
    /** Undefined where no cluster can be read (the render platform): the chart then allows the API ports only. */
    apiServer?: ApiServerEgress;
    runId: string;
    reportsVolume: boolean;
    /** The stack's Prometheus, for the gate's metrics check; none when the stack runs none. */
    monitoring?: { namespace: string; podLabels: Record<string, string>; port: number };
    /** gate.workers: above 1 the chart adds what the gate's worker Job needs (its Service, policies, Role). */
    workers: number;
  },
) {
  return {
    image: splitImage(s.image),
    target: { existingSecret: smokeGateTargetSecret, key: smokeGateTargetKey },
    brokerNamespaces: opts.brokerNamespaces,
    brokerPorts: opts.brokerPorts,
    ...(opts.apiServer ? { apiServer: opts.apiServer } : {}),
    runId: opts.runId,
    workers: opts.workers,
    reports: { persistence: { enabled: opts.reportsVolume } },
    ...(opts.monitoring ? { monitoring: opts.monitoring } : {}),
  };
}
