// Certificate rotation under load: `pulumi up` with `tls.renewal` raised (in a copy of the stack's config, as the
// rolling-update drill changes settings) re-issues both systems' server certificates under the same CA; the pod
// annotation that carries the certificate's fingerprint changes, so each StatefulSet rolls one pod at a time. Meanwhile
// every TLS endpoint of the system is asked once a second which certificate it presents, and the report says when
// each one started serving the new one. The drill's own verdict lines (lost, unexpected, recovery) apply as always.
import { join } from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { parseDocument } from "yaml";
import { pulumiProject as project } from "../../contract/pulumi-project";
import type { Target } from "../../contract/target";
import { pulumiFailure } from "../../infra/pulumi-failure";
import type { Scenario } from "../../smoke-tests/drills/nemesis";
import { type Endpoint, presentedCertificate, tlsEndpoints } from "../../smoke-tests/gate/tls";
import { withConfigCopy } from "./stack-update";

/** Pure: the stack config file's text with `tls.renewal` set; everything else kept as it is. */
export function withRenewal(configText: string, renewal: number): string {
  const doc = parseDocument(configText);
  doc.setIn(["config", `${project}:tls`, "renewal"], renewal);
  return doc.toString();
}

/** `pulumi up` (policy pack on) with `tls.renewal` raised in a copy of Pulumi.<stack>.yaml. */
export async function renewCertificates(o: { stack: string; repoRoot: string; renewal: number }): Promise<string> {
  const { readFileSync } = await import("node:fs");
  const text = withRenewal(readFileSync(join(o.repoRoot, `Pulumi.${o.stack}.yaml`), "utf8"), o.renewal);
  return withConfigCopy(o.stack, text, async (configFile) => {
    const s = await LocalWorkspace.selectStack({ stackName: o.stack, workDir: o.repoRoot });
    const u = await s.up({ configFile, policyPacks: [join(o.repoRoot, "infra", "policy")] }).catch((e: Error) => {
      throw new Error(`pulumi up failed:\n    ${pulumiFailure(e.message)}`);
    });
    return Object.entries(u.summary.resourceChanges ?? {})
      .map(([k, n]) => `${n} ${k}`)
      .join(", ");
  });
}

/** When each endpoint first presented a certificate other than the one it served before the rotation. */
export interface Switch {
  endpoint: string;
  /** ms after the `pulumi up` began; undefined: never seen. */
  atMs?: number;
  /** The new certificate chains to the target's CA (the handshake with only that CA trusted succeeded). */
  trusted?: boolean;
}

/** Pure: the report's sentence on who switched when, from the switches seen. */
export function describeSwitches(switches: Switch[]): { ok: boolean; detail: string } {
  const missing = switches.filter((s) => s.atMs === undefined).map((s) => s.endpoint);
  const untrusted = switches.filter((s) => s.trusted === false).map((s) => s.endpoint);
  const seen = switches
    .filter((s) => s.atMs !== undefined)
    .sort((a, b) => (a.atMs ?? 0) - (b.atMs ?? 0))
    .map((s) => `${s.endpoint} at +${((s.atMs ?? 0) / 1000).toFixed(1)} s`);
  const problems = [
    ...(missing.length > 0 ? [`still the old certificate: ${missing.join(", ")}`] : []),
    ...(untrusted.length > 0 ? [`new certificate not trusted: ${untrusted.join(", ")}`] : []),
  ];
  return {
    ok: problems.length === 0,
    detail: `new certificate served by ${seen.join("; ") || "none"}${problems.length ? ` — ${problems.join("; ")}` : ""}`,
  };
}

const short = (e: Endpoint) => e.what.split(".")[0] + e.what.slice(e.what.lastIndexOf(":"));

export function tlsRotation(o: { target: Target; stack: string; repoRoot: string; renewal: number }): Scenario {
  return {
    name: "tls-rotation",
    summary:
      "re-issue the server certificates through `pulumi up` (tls.renewal raised) under load: each broker rolls onto the new certificate under the same CA, nothing lost",
    systems: ["kafka", "rabbitmq"],
    besideTheGate: true,
    async nemesis(ctx) {
      const system = ctx.harness.system;
      const ca = system === "kafka" ? o.target.kafka.ca : o.target.rabbitmq.ca;
      const endpoints = tlsEndpoints(o.target, system);
      const fingerprint = (e: Endpoint) =>
        presentedCertificate(e, ca, 3_000).then(
          (p) => ({ fp: p.certificate.fingerprint256, trusted: p.authorized }),
          () => undefined,
        );
      const before = await Promise.all(endpoints.map(fingerprint));
      const switches: Switch[] = endpoints.map((e) => ({ endpoint: short(e) }));
      const started = Date.now();
      let polling = true;
      const poll = (async () => {
        while (polling) {
          const now = await Promise.all(endpoints.map(fingerprint));
          now.forEach((n, i) => {
            const s = switches[i];
            if (!s || s.atMs !== undefined || !n || n.fp === before[i]?.fp) return;
            s.atMs = Date.now() - started;
            s.trusted = n.trusted;
            ctx.mark("note", `${s.endpoint} serves the new certificate${n.trusted ? "" : " (NOT trusted)"}`);
          });
          if (switches.every((s) => s.atMs !== undefined)) return;
          await new Promise((r) => setTimeout(r, 1_000));
        }
      })();
      const roll = ctx.faults.watchRoll?.(system);
      ctx.mark("fault", `pulumi up: tls.renewal → ${o.renewal}`);
      const up = await renewCertificates(o).then(
        (summary) => ({ summary, error: undefined }),
        (error: Error) => ({ summary: "", error }),
      );
      const observed = await roll?.stop().catch(() => undefined);
      // The roll and the certificate files may outlast `up`: give the endpoints up to two minutes more.
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline && switches.some((s) => s.atMs === undefined)) await ctx.sleep(1_000);
      polling = false;
      await poll;
      ctx.mark("heal", `pulumi up: ${up.error ? "failed" : up.summary}`);
      const judged = describeSwitches(switches);
      const rolled = observed
        ? `; rolled ${observed.order.join(" → ")}, at most ${observed.mostDownAtOnce} pod down at once`
        : "";
      ctx.effect(judged.ok && !up.error, `${judged.detail}${rolled}`);
      await ctx.waitHealthy(ctx.settings.healthTimeoutMs);
      if (up.error) throw up.error;
    },
  };
}
