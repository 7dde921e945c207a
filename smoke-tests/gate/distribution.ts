// The gate's `distribution` check (RabbitMQ, where the target says the Erlang distribution speaks TLS): from inside
// each node's container, a plaintext distribution handshake to the next node's distribution port must be refused.
// From inside, because the chart's NetworkPolicy admits only the cluster's own nodes to that port: from the gate's
// pod the port is filtered, which would prove the policy, not the TLS. Every node's listener is tried once.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { NodeRef, Target } from "../../contract/target";
import { execInPod } from "../kube/exec";
import { type CheckResult, timed } from "./checks";

/**
 * The first message of a plaintext Erlang distribution handshake (send_name, the "N" form every OTP since 23 sends):
 * 2-byte length, "N", 8 bytes of capability flags, 4 of creation, 2 of name length, the name. The flags are those
 * OTP 26+ requires of a peer (DFLAG_DIST_MANDATORY and the handshake-23 flag), so a plaintext node answers with its
 * status ("sok") instead of closing on a peer it considers too old.
 */
export function plaintextHandshake(name = "mp-gate-probe@localhost"): Buffer {
  const flags =
    0x4n | // extended references
    0x80n | // new fun tags
    0x100n | // extended pids and ports
    0x200n | // export pointer tag
    0x400n | // bit binaries
    0x800n | // new floats
    0x10000n | // UTF-8 atoms
    0x20000n | // map tag
    0x40000n | // big creation
    0x1000000n | // handshake 23
    0x2000000n | // unlink id
    0x4000000n | // mandatory since OTP 25
    0x400000000n; // v4 node container types
  const nameBytes = Buffer.from(name, "latin1");
  const body = Buffer.alloc(1 + 8 + 4 + 2 + nameBytes.length);
  body.write("N", 0, "latin1");
  body.writeBigUInt64BE(flags, 1);
  body.writeUInt32BE(1, 9);
  body.writeUInt16BE(nameBytes.length, 13);
  nameBytes.copy(body, 15);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(body.length);
  return Buffer.concat([length, body]);
}

/** Bytes as printf escapes (`\x4e…`), how the in-container probe takes its message. */
export function printfEscapes(bytes: Buffer): string {
  return [...bytes].map((b) => `\\x${b.toString(16).padStart(2, "0")}`).join("");
}

/** accepted: a plaintext node took the handshake; refused: the listener would not; unreached: nothing to judge. */
export type ProbeVerdict = { endpoint: string; outcome: "accepted" | "refused" | "unreached"; how: string };

/**
 * Pure: each line of the probe's output judged. Accepted only when the reply is a distribution status message (2-byte
 * length, then "s"): a plaintext node took the handshake. A TLS listener answers with an alert record (0x15) or closes.
 * Not connected fails too: a listener that is not there proves nothing.
 */
export function judgeProbe(out: string, endpoints: string[]): ProbeVerdict[] {
  const lines = new Map(
    out
      .split("\n")
      .map((l) => l.trim().split(/\s+/))
      .filter((w) => w.length >= 2)
      .map((w) => [w[0] as string, { state: w[1] as string, hex: w[2] ?? "" }]),
  );
  return endpoints.map((endpoint) => {
    const seen = lines.get(endpoint);
    if (!seen) return { endpoint, outcome: "unreached", how: "no result from the probe" };
    if (seen.state !== "connected") return { endpoint, outcome: "unreached", how: "could not connect" };
    const { hex } = seen;
    if (hex.length >= 6 && hex.slice(4, 6) === "73") {
      // The status is the message's body after "s": its 2-byte length counts the "s".
      const length = Number.parseInt(hex.slice(0, 4), 16);
      const status = Buffer.from(hex.slice(6, 4 + 2 * length), "hex").toString("latin1");
      return { endpoint, outcome: "accepted", how: `a plaintext handshake was answered "${status}"` };
    }
    if (hex === "") return { endpoint, outcome: "refused", how: "closed without a plaintext reply" };
    if (hex.startsWith("15")) return { endpoint, outcome: "refused", how: "answered with a TLS alert" };
    return { endpoint, outcome: "refused", how: `answered ${hex.slice(0, 16)}, not a distribution status` };
  });
}

/** Pure: what fails the check: a listener that took the handshake, or one the probe did not reach. */
export function distributionProblems(verdicts: Array<ProbeVerdict & { from?: string }>): string[] {
  return verdicts
    .filter((v) => v.outcome !== "refused")
    .map((v) => `${v.from === undefined ? "" : `${v.from} → `}${v.endpoint}: ${v.how}`);
}

/** The probe script's text (in-container/distribution-probe.sh), run with `bash -c`. */
export const probeScript = () => readFileSync(join(__dirname, "in-container", "distribution-probe.sh"), "utf8");

/** Runs the probe script from inside one node's network, with its arguments; resolves with its output. */
export type DistributionProbe = (from: NodeRef, args: string[]) => Promise<string>;

/** From inside a node's pod, by exec through the API server (the gate's own RBAC allows pods/exec). */
export function kubernetesProbe(target: Target): DistributionProbe {
  const script = probeScript();
  return async (from, args) => {
    const p = target.placement;
    if (p.kind !== "kubernetes")
      throw new Error("the distribution is probed from inside a node's pod: Kubernetes only");
    const run = await execInPod({
      where: p,
      namespace: p.rabbitmq.namespace,
      pod: from.name,
      command: ["bash", "-c", script, "distribution-probe", ...args],
    });
    return run.out;
  };
}

export async function distributionCheck(
  target: Target,
  probe: DistributionProbe = kubernetesProbe(target),
  timeoutMs = 30_000,
): Promise<CheckResult> {
  return timed("rabbitmq", "distribution", async () => {
    const d = target.rabbitmq.distribution;
    if (!d?.tls) throw new Error("the target does not say the distribution speaks TLS");
    const nodes = target.rabbitmq.nodes;
    if (nodes.length < 2) throw new Error(`${nodes.length} node: no peer to probe from`);
    const message = printfEscapes(plaintextHandshake());
    const verdicts = await Promise.all(
      nodes.map(async (from, i) => {
        const to = nodes[(i + 1) % nodes.length] as NodeRef;
        const endpoint = `${to.host}:${d.port}`;
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer from the probe in ${from.name} in ${timeoutMs} ms`)),
            timeoutMs,
          );
        });
        const out = await Promise.race([probe(from, [message, endpoint]), late]).finally(() => clearTimeout(timer));
        return judgeProbe(out, [endpoint]).map((v) => ({ ...v, from: from.name }));
      }),
    );
    const all = verdicts.flat();
    const problems = distributionProblems(all);
    if (problems.length > 0) throw new Error(problems.join(" | "));
    return all.map((v) => `${v.from} → ${v.endpoint}: ${v.how}`).join("; ");
  });
}
