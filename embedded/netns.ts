// One network namespace per node, joined to the host by a veth pair on the bridge mpbr0. There is no default
// route, NAT or forwarding: packets only travel between the host and namespaces created here.
// Isolation is a real partition: iptables inside the node's namespace drops everything but its loopback.
import { existsSync } from "node:fs";
import { run } from "./shell";
import { type EmbeddedNode, network } from "./topology";

const NAMESPACE_PREFIX = "mp-";

const nsPath = (netns: string) => `/run/netns/${netns}`;

/** Runs a command inside a node's network namespace (and only its network namespace). */
export function inNamespace(netns: string, argv: string[]): string[] {
  return ["nsenter", `--net=${nsPath(netns)}`, "--", ...argv];
}

function nsRun(netns: string, argv: string[], allowFailure = false) {
  const [cmd, ...args] = inNamespace(netns, argv) as [string, ...string[]];
  return run(cmd, args, { allowFailure });
}

const linkExists = (name: string) => run("ip", ["link", "show", name], { allowFailure: true }).code === 0;

export function ensureBridge(): void {
  if (!linkExists(network.bridge)) run("ip", ["link", "add", network.bridge, "type", "bridge"]);
  const addr = `${network.hostAddress}/${network.prefixLength}`;
  const shown = run("ip", ["-o", "addr", "show", "dev", network.bridge]).stdout;
  if (!shown.includes(` ${addr} `)) run("ip", ["addr", "add", addr, "dev", network.bridge]);
  run("ip", ["link", "set", network.bridge, "up"]);
}

export function removeBridge(): void {
  if (linkExists(network.bridge)) run("ip", ["link", "del", network.bridge]);
}

export const bridgeExists = () => linkExists(network.bridge);

/** Namespaces left by this environment (including a crashed run's). */
export function ourNamespaces(): string[] {
  return run("ip", ["netns", "list"])
    .stdout.split("\n")
    .map((l) => l.split(" ")[0] ?? "")
    .filter((n) => n.startsWith(NAMESPACE_PREFIX));
}

export const namespaceExists = (netns: string) => existsSync(nsPath(netns));

/** Creates the node's namespace with eth0 on the bridge; a half-built namespace from a crash is rebuilt. */
export function createNamespace(node: Pick<EmbeddedNode, "netns" | "hostVeth" | "address">): void {
  if (namespaceExists(node.netns)) removeNamespace(node.netns);
  run("ip", ["netns", "add", node.netns]);
  removeLink(node.hostVeth);
  run("ip", ["link", "add", node.hostVeth, "type", "veth", "peer", "name", "eth0", "netns", node.netns]);
  run("ip", ["link", "set", node.hostVeth, "master", network.bridge, "up"]);
  run("ip", ["-n", node.netns, "addr", "add", `${node.address}/${network.prefixLength}`, "dev", "eth0"]);
  run("ip", ["-n", node.netns, "link", "set", "eth0", "up"]);
  run("ip", ["-n", node.netns, "link", "set", "lo", "up"]);
}

/**
 * The kernel deletes a deleted namespace's veth pair asynchronously: the host end can still be listed and then be gone
 * before `ip link del` runs (seen as "Cannot find device"). So delete tolerantly and wait until the name is free.
 */
function removeLink(name: string): void {
  const deadline = Date.now() + 10_000;
  while (linkExists(name)) {
    run("ip", ["link", "del", name], { allowFailure: true });
    if (Date.now() > deadline) throw new Error(`link ${name} still exists 10 s after deleting it`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
}

/** Deleting the namespace also deletes its veth pair (and with it the bridge port). */
export function removeNamespace(netns: string): void {
  if (namespaceExists(netns) || ourNamespaces().includes(netns)) run("ip", ["netns", "del", netns]);
}

/** Every process whose network namespace is the node's: the node's whole "host". */
export function namespacePids(netns: string): number[] {
  if (!namespaceExists(netns)) return [];
  const out = run("ip", ["netns", "pids", netns], { allowFailure: true }).stdout;
  return out
    .split("\n")
    .map((l) => Number.parseInt(l, 10))
    .filter((p) => Number.isInteger(p) && p > 0);
}

const ISOLATION_RULES = [
  ["INPUT", "!", "-i", "lo", "-j", "DROP"],
  ["OUTPUT", "!", "-o", "lo", "-j", "DROP"],
];

const ruleExists = (netns: string, rule: string[]) => nsRun(netns, ["iptables", "-w", "-C", ...rule], true).code === 0;

/** Drops every packet in or out of the node except on its own loopback: peers and clients lose it alike. */
export function isolate(netns: string): void {
  for (const rule of ISOLATION_RULES) {
    if (!ruleExists(netns, rule)) {
      const [chain, ...spec] = rule as [string, ...string[]];
      nsRun(netns, ["iptables", "-w", "-I", chain, "1", ...spec]);
    }
  }
}

export function heal(netns: string): void {
  for (const rule of ISOLATION_RULES) {
    // A rule inserted twice (two isolate calls racing) needs two deletes; the bound keeps the loop finite.
    for (let i = 0; i < 10 && ruleExists(netns, rule); i++) nsRun(netns, ["iptables", "-w", "-D", ...rule]);
  }
}

export function isIsolated(netns: string): boolean {
  return namespaceExists(netns) && ISOLATION_RULES.some((rule) => ruleExists(netns, rule));
}
