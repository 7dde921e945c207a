// Deploy with a gate: preview with the policy pack (and, on Kubernetes, whether the nodes can hold the brokers),
// `pulumi up`, wait until both clusters are healthy, run the smoke gate against the stack's own `target` output.
// Through the Automation API on the project's Pulumi CLI. Every step is recorded, a failed step stops the ones after
// it, and a failed gate fails the deploy: a green `up` never hides it.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type EngineEvent, LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { parse } from "yaml";
import type { Target } from "../../contract/target";
import { formatProblems, validateTarget } from "../../contract/validate-target";
import { pulumiFailure } from "../../infra/pulumi-failure";
import { faultsFor } from "../../smoke-tests/faults/for-target";
import { type GateProgress, runGate } from "../../smoke-tests/gate/gate";
import { writeGateReport } from "../../smoke-tests/gate/report";
import { waitRolledOut } from "../../smoke-tests/kube/rollout";
import { usePassphraseFor } from "../../toolchain/src/stack-secrets";
import { previousGateOptions } from "./gate-failed";
import { waitHealthy } from "./health";
import { failedGateReport, gateJobLeftFromEarlierUp, inClusterGate, previousGateRuns, rerunGate } from "./in-cluster";
import { checkPlacement, type KubeAccess, kubeAccessOf, readPlacement, watchUnschedulable } from "./placement-check";
import { plannedFromConfig, statefulSetsToCheck } from "./planned-statefulsets";
import { type RenderedStatefulSet, renderedStatefulSets } from "./scheduling";
import { type DeployResult, describeChanges, type StepName } from "./summary";

export interface DeployOptions {
  stack: string;
  repoRoot: string;
  /** The Pulumi project directory (Pulumi.yaml and Pulumi.<stack>.yaml); default: the repo root. */
  projectDir?: string;
  /** Use this file's config instead of Pulumi.<stack>.yaml (pulumi --config-file). */
  configFile?: string;
  healthTimeoutMs?: number;
  /** Pulumi's own progress output, as the CLI prints it. */
  onOutput?: (text: string) => void;
  progress?: GateProgress;
}

/** A file:// backend's directory made if missing; names the backend in use. */
export function ensureFileBackend(): string {
  const url = process.env.PULUMI_BACKEND_URL ?? "";
  if (url.startsWith("file://")) mkdirSync(fileURLToPath(url), { recursive: true });
  return url || "the default backend";
}

export async function deployWithGate(o: DeployOptions): Promise<DeployResult> {
  const result: DeployResult = { stack: o.stack, steps: [] };
  const progress = o.progress ?? (() => undefined);
  const step = async (name: StepName, body: () => Promise<string>): Promise<boolean> => {
    const started = Date.now();
    progress(`${name}…`);
    try {
      const detail = await body();
      result.steps.push({ step: name, ok: true, detail, durationMs: Date.now() - started });
      return true;
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      result.steps.push({ step: name, ok: false, detail, durationMs: Date.now() - started });
      return false;
    }
  };
  const policyPacks = [join(o.repoRoot, "infra", "policy")];
  const common = { policyPacks, onOutput: o.onOutput, ...(o.configFile ? { configFile: o.configFile } : {}) };

  let stack: Stack | undefined;
  let cluster: KubeAccess = {};
  let planned: RenderedStatefulSet[] = [];
  const configured = await step("config", async () => {
    const workDir = o.projectDir ?? o.repoRoot;
    const file = o.configFile ?? join(workDir, `Pulumi.${o.stack}.yaml`);
    if (!existsSync(file))
      throw new Error(`--stack ${o.stack}: ${file} does not exist (each stack has a Pulumi.<stack>.yaml)`);
    const config = (parse(readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null)?.config ?? {};
    cluster = kubeAccessOf(config);
    planned = plannedFromConfig(config, o.stack, o.projectDir ?? o.repoRoot);
    // Before Pulumi runs at all: a stack that is not throwaway needs a passphrase or a secrets provider. The decision
    // goes into this process's environment, for every Pulumi command that follows for the stack.
    const secrets = usePassphraseFor(o.stack, { projectDir: workDir, ...(o.configFile ? { configFile: file } : {}) });
    const backend = ensureFileBackend();
    stack = await LocalWorkspace.createOrSelectStack({ stackName: o.stack, workDir });
    return `stack ${o.stack}, config ${file}, state in ${backend}, secrets: ${secrets}`;
  });
  if (!configured || !stack) return result;
  const s = stack;

  // The manifests the preview rendered: the broker StatefulSets' replicas and affinity, as `up` will apply them.
  let rendered: RenderedStatefulSet[] = [];
  // The earlier deploy's gate Job, when it failed, is replaced by this one's preview and `up` (./gate-failed.ts).
  let previous = previousGateOptions([]);
  const previewed = await step("preview", async () => {
    const runs = await previousGateRuns(s, cluster);
    for (const r of runs) if (r.action !== "keep") progress(r.line);
    previous = previousGateOptions(runs);
    const events: EngineEvent[] = [];
    const p = await s.preview({ ...common, ...previous.preview, onEvent: (e) => events.push(e) }).catch((e: Error) => {
      throw new Error(`pulumi preview failed, nothing was changed:\n    ${pulumiFailure(e.message)}`);
    });
    // The preview's rendering where it has one; the settings' where the chart's values held unknowns.
    rendered = statefulSetsToCheck(renderedStatefulSets(events), planned);
    // Before anything changes: brokers that required anti-affinity cannot place would leave a pod Pending until the
    // provider's timeout.
    const placed = rendered.length > 0 ? `; ${await checkPlacement(rendered, cluster)}` : "";
    return `${describeChanges(p.changeSummary, "plan")}; policy pack passed${placed}`;
  });
  if (!previewed) return result;

  let target: Target | undefined;
  let inCluster: { namespace: string; job: string } | undefined;
  const upStartedMs = Date.now();
  const deployed = await step("up", async () => {
    // The provider awaits each StatefulSet until its own timeout; a pod the scheduler refused stops `up` at once
    // (SIGINT: the engine cancels and records what it did), and the failure gives the scheduler's reason.
    const abort = new AbortController();
    let refused: string | undefined;
    const watch =
      rendered.length > 0
        ? watchUnschedulable(rendered, cluster, upStartedMs, (why) => {
            refused = why;
            progress(`stopping pulumi up: ${why}`);
            abort.abort();
          })
        : undefined;
    // --refresh: what was removed behind Pulumi's back (a pod, the embedded environment) is recreated.
    const u = await s
      .up({ ...common, ...previous.up, refresh: true, signal: abort.signal })
      .catch(async (e: Error) => {
        if (refused) throw new Error(`pulumi up stopped: ${refused}\n    ${pulumiFailure(e.message)}`);
        const gate = await failedGateReport(s).catch(() => undefined);
        throw new Error(`pulumi up failed:\n    ${pulumiFailure(e.message)}${gate ? `\n${gate}` : ""}`);
      })
      .finally(() => watch?.stop());
    const checked = validateTarget(u.outputs.target?.value);
    if (!checked.ok) throw new Error(formatProblems(`stack ${o.stack}'s target output`, checked.problems));
    target = checked.target;
    const gateJob = u.outputs.smokeGate?.value as { enabled?: boolean; namespace?: string; job?: string } | undefined;
    if (gateJob?.enabled && gateJob.namespace && gateJob.job)
      inCluster = { namespace: gateJob.namespace, job: gateJob.job };
    return describeChanges(u.summary.resourceChanges as Record<string, number> | undefined, "done");
  });
  if (!deployed || !target) return result;
  const t = target;

  const placement = t.placement;
  if (inCluster && placement.kind === "kubernetes") {
    // The gate ran inside `pulumi up` (a failed gate fails `up` above); the brokers' names resolve only in the cluster.
    const gateJob = inCluster;
    const rolledOut = await step("rolled out", () => waitRolledOut(placement, o.healthTimeoutMs ?? 300_000, progress));
    // Where the brokers landed, for the summary: a reading, never a step of its own (the cluster tier checks it).
    result.placement = await readPlacement(placement).catch(() => undefined);
    if (!rolledOut) return result;
    await step("gate", async () => {
      // An unchanged stack keeps the earlier deploy's Job (its name is a hash of what it checks): run it again.
      const earlier = await gateJobLeftFromEarlierUp(placement, gateJob, upStartedMs);
      const g = earlier
        ? await rerunGate(placement, gateJob, progress)
        : { job: gateJob.job, ...(await inClusterGate(placement, gateJob)) };
      o.onOutput?.(`\n${g.report}\n`);
      const where = earlier
        ? `Job ${gateJob.namespace}/${g.job} (${gateJob.job} run again)`
        : `Job ${gateJob.namespace}/${g.job}`;
      if (!g.passed) throw new Error(`${where} did not succeed:\n${g.report}`);
      return `${where} passed in the cluster (${g.report.split("\n")[0]})`;
    });
    return result;
  }

  const systems = t.gate?.systems ?? ["kafka", "rabbitmq"];
  const healthy = await step("healthy", () => waitHealthy(t, systems, o.healthTimeoutMs ?? 300_000, progress));
  if (placement.kind === "kubernetes") result.placement = await readPlacement(placement).catch(() => undefined);
  if (!healthy) return result;

  await step("gate", async () => {
    const settings = t.gate;
    if (!settings) throw new Error(`stack ${o.stack}'s target has no gate settings`);
    const faults = settings.nodeFailure ? await faultsFor(t) : undefined;
    const report = await runGate(t, faults, settings, progress);
    result.gate = { report, written: writeGateReport(report) };
    const checks = report.systems.flatMap((x) => x.checks);
    const passed = checks.filter((c) => c.passed).length;
    const line = `${passed} of ${checks.length} checks passed`;
    if (!report.passed) throw new Error(line);
    return line;
  });
  return result;
}
