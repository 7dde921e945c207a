// Brokers on Kubernetes advertise cluster DNS names (kafka-broker-0.kafka-broker-headless.kafka.svc.cluster.local),
// which only the cluster's DNS answers. A command run on this machine (which routes the pod ranges of its own
// cluster's nodes) reaches the pods but resolves through the machine's resolver, which must never be asked for
// cluster names. So names under the cluster domain, and only those, are resolved through the cluster's DNS pods
// (kube-system/kube-dns's endpoints), read from the API; every other name resolves as before. Inside a pod nothing
// changes.

import { spawnSync } from "node:child_process";
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

/** One DNS server's answer for a name: its IPv4 addresses. */
export type Resolve4 = (server: string, hostname: string) => Promise<string[]>;

const resolve4Through: Resolve4 = (server, hostname) => {
  const resolver = new dns.promises.Resolver({ timeout: 2_000, tries: 2 });
  resolver.setServers([server]);
  return resolver.resolve4(hostname);
};

/**
 * Asks every server at once and takes the first non-empty answer: a DNS pod on a frozen or cut node answers nothing
 * until the control plane removes it (50 s and more), and asking it first would stall every connection for as long.
 * Fails only when every server failed, naming each.
 */
export function answerFromAny(servers: readonly string[], hostname: string, resolve4: Resolve4): Promise<string[]> {
  if (servers.length === 0) return Promise.reject(new Error(`no cluster DNS server to ask for ${hostname}`));
  return new Promise((resolve, reject) => {
    const failures: string[] = [];
    const failed = (why: string) => {
      failures.push(why);
      if (failures.length === servers.length) reject(new Error(`${hostname}: ${failures.join("; ")}`));
    };
    for (const server of servers) {
      resolve4(server, hostname).then(
        (addresses) => (addresses.length > 0 ? resolve(addresses) : failed(`${server}: no address`)),
        (e: unknown) => failed(`${server}: ${e instanceof Error ? e.message : String(e)}`),
      );
    }
  });
}

/** Replaces dns.lookup for names under the cluster domain with queries to every one of `servers`; idempotent. */
export function resolveClusterNamesThrough(servers: readonly string[], resolve4: Resolve4 = resolve4Through): void {
  const key = servers.join(",");
  const current = dns.lookup as typeof dns.lookup & { clusterDns?: string[] };
  if (current.clusterDns?.join(",") === key) return;
  const original = (current as { original?: typeof dns.lookup }).original ?? dns.lookup;
  const lookup = (hostname: string, options: unknown, callback?: LookupCallback) => {
    const cb = (typeof options === "function" ? options : callback) as LookupCallback;
    const opts = (typeof options === "object" && options !== null ? options : {}) as { all?: boolean };
    if (!hostname.endsWith(clusterSuffix) && !hostname.endsWith(`${clusterSuffix}.`)) {
      return (original as (...a: unknown[]) => void)(hostname, options, callback);
    }
    answerFromAny(servers, hostname, resolve4).then(
      (addresses) =>
        opts.all
          ? cb(
              null,
              addresses.map((address) => ({ address, family: 4 })),
            )
          : cb(null, addresses[0], 4),
      (err: Error) => {
        const e = err as NodeJS.ErrnoException;
        e.message = `through the cluster DNS: ${e.message}`;
        cb(e);
      },
    );
  };
  Object.assign(lookup, { clusterDns: [...servers], original });
  (dns as { lookup: unknown }).lookup = lookup;
}

/** The cluster DNS servers `resolveClusterNamesThrough` installed in this process, if any. */
export function clusterDnsInUse(): string[] | undefined {
  return (dns.lookup as typeof dns.lookup & { clusterDns?: string[] }).clusterDns;
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
  const servers = clusterDnsInUse();
  if (servers === undefined) return undefined;
  const entries = await Promise.all(
    clusterHostnames(target).map(async (host) => ({
      host,
      address: (await answerFromAny(servers, host, resolve4Through))[0] as string,
    })),
  );
  return hostsFileText(entries);
}

/**
 * Pure: whether `ip -j route get <address>` says the address is reached without leaving the machine: through one of
 * its own interfaces, not via the default route's gateway (a Service IP, which only the nodes translate, would go
 * there).
 */
export function routedLocally(routeGetJson: string, defaultDevice: string | undefined): boolean {
  const routes = JSON.parse(routeGetJson) as Array<{ gateway?: string; dev?: string; type?: string }>;
  const r = routes[0];
  if (r === undefined || (r.type !== undefined && r.type !== "unicast")) return false;
  return r.dev !== undefined && r.dev !== defaultDevice;
}

function defaultRouteDevice(): string | undefined {
  const r = spawnSync("ip", ["-j", "route", "show", "default"], { encoding: "utf8" });
  return (JSON.parse(r.stdout || "[]") as Array<{ dev?: string }>)[0]?.dev;
}

/**
 * On a Kubernetes target, outside a pod: resolve the target's cluster names through the cluster's DNS pods (the
 * kube-dns Service's endpoints: pod addresses, which this machine routes to its nodes; the Service's ClusterIP is
 * translated only on the nodes, and from here would leave the machine), every one of them at once. A DNS address
 * this machine would send off the machine is refused, never queried. Returns the servers used, or undefined when
 * nothing was needed.
 */
export async function useClusterDns(
  target: Target,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string[] | undefined> {
  const placement = target.placement;
  if (placement.kind !== "kubernetes" || env.KUBERNETES_SERVICE_HOST) return undefined;
  if (clusterHostnames(target).length === 0) return undefined;
  const { lib, kc } = await loadKubeConfig(placement);
  const slices = await kc
    .makeApiClient(lib.DiscoveryV1Api)
    .listNamespacedEndpointSlice({ namespace: "kube-system", labelSelector: "kubernetes.io/service-name=kube-dns" })
    .catch((e: Error) => {
      throw new Error(
        `the target's brokers have cluster DNS names, and kube-system/kube-dns's endpoints could not be read: ${e.message}`,
      );
    });
  const addresses = slices.items.flatMap((s) =>
    (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).flatMap((e) => e.addresses),
  );
  const defaultDevice = defaultRouteDevice();
  const servers = addresses.filter((a) => {
    const r = spawnSync("ip", ["-j", "route", "get", a], { encoding: "utf8" });
    return r.status === 0 && routedLocally(r.stdout, defaultDevice);
  });
  if (servers.length === 0)
    throw new Error(
      `kube-system/kube-dns has no ready endpoint this machine reaches without leaving it (endpoints: ${addresses.join(", ") || "none"}): ` +
        "the brokers' cluster names cannot be resolved from here; run the command in the cluster (the in-cluster gate)",
    );
  resolveClusterNamesThrough(servers);
  return servers;
}
