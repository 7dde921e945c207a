// Brokers on Kubernetes advertise cluster DNS names (kafka-broker-0.kafka-broker-headless.kafka.svc.cluster.local),
// which only the cluster's DNS answers. A command run on a node of the cluster (this project's cluster: the machine
// itself) reaches the pods and Services but resolves through the machine's resolver, which must never be asked for
// cluster names. So names under the cluster domain, and only those, are resolved through the cluster's DNS Service
// (kube-system/kube-dns), read from the API; every other name resolves as before. Inside a pod nothing changes.

import { loadKubeConfig } from "../../contract/kube-config";
import type { Target } from "../../contract/target";
import { endpointsOf } from "./reachability";

// The dns module object, not an ES namespace (which is frozen): net and undici look `lookup` up on it per connection.
const dns = require("node:dns") as typeof import("node:dns");

const clusterSuffix = ".svc.cluster.local";

/** Host names of the target that only the cluster's DNS can answer. */
export function clusterHostnames(target: Target): string[] {
  const hosts = [
    ...endpointsOf(target).map((e) => e.host),
    ...target.rabbitmq.managementUrls.map((u) => new URL(u).hostname),
  ];
  return [...new Set(hosts.filter((h) => h.endsWith(clusterSuffix)))];
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address?: unknown, family?: number) => void;

/** Replaces dns.lookup for names under the cluster domain with queries to `server`; idempotent. */
export function resolveClusterNamesThrough(server: string): void {
  const current = dns.lookup as typeof dns.lookup & { clusterDns?: string };
  if (current.clusterDns === server) return;
  const original = dns.lookup;
  const resolver = new dns.Resolver({ timeout: 2_000, tries: 2 });
  resolver.setServers([server]);
  const lookup = (hostname: string, options: unknown, callback?: LookupCallback) => {
    const cb = (typeof options === "function" ? options : callback) as LookupCallback;
    const opts = (typeof options === "object" && options !== null ? options : {}) as { all?: boolean };
    if (!hostname.endsWith(clusterSuffix) && !hostname.endsWith(`${clusterSuffix}.`)) {
      return (original as (...a: unknown[]) => void)(hostname, options, callback);
    }
    resolver.resolve4(hostname, (err, addresses) => {
      if (err || addresses.length === 0) {
        const e = (err ?? new Error(`no address for ${hostname}`)) as NodeJS.ErrnoException;
        e.message = `${hostname} through the cluster DNS ${server}: ${e.message}`;
        return cb(e);
      }
      if (opts.all)
        return cb(
          null,
          addresses.map((address) => ({ address, family: 4 })),
        );
      return cb(null, addresses[0], 4);
    });
  };
  (lookup as typeof lookup & { clusterDns?: string }).clusterDns = server;
  (dns as { lookup: unknown }).lookup = lookup;
}

/** The cluster DNS server `resolveClusterNamesThrough` installed in this process, if any. */
export function clusterDnsInUse(): string | undefined {
  return (dns.lookup as typeof dns.lookup & { clusterDns?: string }).clusterDns;
}

/** Pure: an /etc/hosts-format file, one line per name. */
export function hostsFileText(entries: ReadonlyArray<{ host: string; address: string }>): string {
  return entries.map((e) => `${e.address} ${e.host}\n`).join("");
}

/**
 * The target's cluster names resolved through the cluster's DNS, as a hosts file for a Java tool
 * (-Djdk.net.hosts.file): with it the JVM resolves from the file alone, so it never asks the machine's resolver for a
 * cluster name. Undefined when this process resolves no names through a cluster DNS.
 */
export async function clusterHostsFile(target: Target): Promise<string | undefined> {
  const server = clusterDnsInUse();
  if (server === undefined) return undefined;
  const resolver = new dns.promises.Resolver({ timeout: 2_000, tries: 2 });
  resolver.setServers([server]);
  const entries = await Promise.all(
    clusterHostnames(target).map(async (host) => ({ host, address: (await resolver.resolve4(host))[0] as string })),
  );
  return hostsFileText(entries);
}

/**
 * On a Kubernetes target, outside a pod: resolve the target's cluster names through the cluster's DNS Service.
 * Returns the server used, or undefined when nothing was needed.
 */
export async function useClusterDns(target: Target, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const placement = target.placement;
  if (placement.kind !== "kubernetes" || env.KUBERNETES_SERVICE_HOST) return undefined;
  if (clusterHostnames(target).length === 0) return undefined;
  const { lib, kc } = await loadKubeConfig(placement);
  const svc = await kc
    .makeApiClient(lib.CoreV1Api)
    .readNamespacedService({ name: "kube-dns", namespace: "kube-system" })
    .catch((e: Error) => {
      throw new Error(
        `the target's brokers have cluster DNS names, and kube-system/kube-dns could not be read: ${e.message}`,
      );
    });
  const ip = svc.spec?.clusterIP;
  if (!ip || ip === "None") throw new Error("kube-system/kube-dns has no ClusterIP to resolve the brokers' names with");
  resolveClusterNamesThrough(ip);
  return ip;
}
