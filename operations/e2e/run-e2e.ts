// The product's main job end to end on this machine's own Kubernetes (`npm run e2e`, operations/cli/e2e.ts): cluster
// up, deploy with the gate (preview with policies, `pulumi up` with the in-cluster gate Job, rollout), the failover
// drills on the cluster and a deliberately harmless fault their checks must catch, the same drills on the embedded
// default beside them (stopped again when e2e started it), `pulumi up` again (no changes), destroy (no namespace, PVC
// or Secret of ours left), cluster down. The cluster is always taken down again unless `keep` is set.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { loadKubeConfig } from "../../contract/kube-config";
import type { SystemName } from "../../contract/systems";
import { formatProblems, validateTarget } from "../../contract/validate-target";
import { down as embeddedDown, leftovers as embeddedLeftovers, up as embeddedUp } from "../../embedded/environment";
import { defaultKafkaClient } from "../../smoke-tests/clients/kafka-client";
import type { DrillSettings } from "../../smoke-tests/drills/nemesis";
import { runScenario } from "../../smoke-tests/drills/run-scenario";
import { type KubePlacement, statefulSetsOf } from "../../smoke-tests/kube/rollout";
import type { ProgressPrinter } from "../../smoke-tests/reports/progress";
import { elapsedStamp } from "../../toolchain/src/command-line";
import { nodeControlFor } from "../cluster-nodes/for-target";
import { deployWithGate } from "../deploy/deploy";
import type { SystemPlacement } from "../deploy/placement";
import { readPlacement } from "../deploy/placement-check";
import { deployPassed, describeChanges, formatSummary } from "../deploy/summary";
import { stackChangerFor } from "../stack-changes/for-target";
import { withConfigCopy } from "../stack-changes/stack-update";
import { brokenTopicConfig } from "./broken-topic";
import { e2eStopsEmbedded } from "./embedded-owner";
import { judgeHarmless } from "./harmless-fault";
import { type DrillFigures, drillFigures, type E2eStep } from "./summary";

const repoRoot = resolve(__dirname, "..", "..");

/**
 * The drills of the end-to-end run: a hard kill of each system's leader, of the KRaft controller, a partition, and on
 * the cluster a rolling update by stack config, a node freeze, a two-node drain, a restart of every broker at once and a
 * node lost with its disks.
 */
const drills: Array<{
  scenario: string;
  systems: SystemName[];
  clusterOnly?: boolean;
  ratePerSec?: number;
  faultMs?: number;
  recoveryBoundMs?: number;
}> = [
  { scenario: "kill-leader", systems: ["kafka", "rabbitmq"] },
  { scenario: "kill-controller", systems: ["kafka"] },
  { scenario: "isolate-node", systems: ["kafka", "rabbitmq"] },
  // At the stack's throughput floor: the in-cluster gate that each `pulumi up` runs measures its own throughput on
  // the same two cores meanwhile.
  { scenario: "rolling-update", systems: ["kafka", "rabbitmq"], clusterOnly: true, ratePerSec: 300 },
  // A whole node frozen and cut off past the node-monitor grace period: only this machine's cluster has such nodes.
  { scenario: "node-freeze", systems: ["kafka", "rabbitmq"], clusterOnly: true, faultMs: 90_000 },
  // Planned maintenance: two nodes drained at once, the PDB refusing the second broker until the first is back.
  { scenario: "node-drain", systems: ["kafka", "rabbitmq"], clusterOnly: true },
  // A power cut of the whole cluster: every broker of both systems at once (the scenario's own wait and bound).
  {
    scenario: "restart-all",
    systems: ["kafka", "rabbitmq"],
    clusterOnly: true,
    faultMs: 180_000,
    recoveryBoundMs: 120_000,
  },
  // A node and its disks lost for good, a new empty node joined, the brokers rebuilt from their peers (the scenario's
  // own wait for full service and recovery bound).
  {
    scenario: "node-lost",
    systems: ["kafka", "rabbitmq"],
    clusterOnly: true,
    faultMs: 600_000,
    recoveryBoundMs: 120_000,
  },
];
/** One round, 20 s faults, 5 s of load before and after; a killed broker held down on both targets (the same fault). */
const drillSettings: DrillSettings = {
  kill: "hold-down",
  rounds: 1,
  faultMs: 20_000,
  steadyMs: 5_000,
  afterMs: 5_000,
  healthTimeoutMs: 120_000,
  recoveryBoundMs: 30_000,
};

function sh(args: string[], printer: ProgressPrinter): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn("bash", args, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    for (const s of [child.stdout, child.stderr]) s.on("data", (d) => printer.line(String(d).trimEnd()));
    child.on("error", fail);
    child.on("exit", (code) => (code === 0 ? ok() : fail(new Error(`bash ${args.join(" ")} exited with ${code}`))));
  });
}

/** What the deploy produced, read once from its stack outputs. */
interface Deployed {
  stack: Stack;
  placement: KubePlacement;
  /** The namespaces the stack created: both brokers' and the in-cluster gate's. */
  namespaces: string[];
  /** The in-cluster gate's Job (stack output smokeGate.job). */
  gateJob?: string;
}

async function readDeployed(stackName: string): Promise<Deployed> {
  const stack = await LocalWorkspace.selectStack({ stackName, workDir: repoRoot });
  const outputs = await stack.outputs();
  const checked = validateTarget(outputs.target?.value);
  if (!checked.ok) throw new Error(formatProblems(`stack ${stackName}'s target output`, checked.problems));
  const placement = checked.target.placement;
  if (placement.kind !== "kubernetes") throw new Error(`stack ${stackName} is not on Kubernetes`);
  const gate = outputs.smokeGate?.value as { namespace?: string; job?: string } | undefined;
  const namespaces = [placement.kafka.namespace, placement.rabbitmq.namespace, gate?.namespace ?? ""].filter(Boolean);
  return { stack, placement, namespaces, ...(gate?.job ? { gateJob: gate.job } : {}) };
}

/**
 * Three brokers of each system Running (not counting Jobs' pods); prints every pod, as `kubectl get pods -A`, and
 * keeps where each broker runs for the summary.
 */
async function checkPods(d: Deployed, printer: ProgressPrinter, placement: SystemPlacement[]): Promise<string> {
  const { lib, kc } = await loadKubeConfig(d.placement);
  const pods = (await kc.makeApiClient(lib.CoreV1Api).listPodForAllNamespaces()).items;
  printer.line(
    pods
      .map((p) => `${p.metadata?.namespace}/${p.metadata?.name} ${p.status?.phase} ${p.spec?.containers[0]?.image}`)
      .join("\n"),
  );
  const running = (ns: string) =>
    pods.filter(
      (p) => p.metadata?.namespace === ns && p.status?.phase === "Running" && !p.metadata?.labels?.["job-name"],
    ).length;
  const k = running(d.placement.kafka.namespace);
  const r = running(d.placement.rabbitmq.namespace);
  if (k < 3 || r < 3) throw new Error(`${k} Kafka and ${r} RabbitMQ pods Running; 3 of each expected`);
  const gate = pods
    .filter((p) => d.gateJob !== undefined && p.metadata?.labels?.["job-name"] === d.gateJob)
    .map((p) => p.status?.phase);
  placement.push(...(await readPlacement(d.placement)));
  const shared = placement.flatMap((p) => p.shared);
  const where = shared.length > 0 ? `NOT one per node and zone: ${shared.join("; ")}` : "one broker per node and zone";
  return `${k} Kafka, ${r} RabbitMQ pods Running (${where}); gate Job pod ${gate.join(", ") || "gone"}`;
}

async function runDrills(
  step: (name: string, body: () => Promise<string>) => Promise<boolean>,
  figures: DrillFigures[],
  printer: ProgressPrinter,
  target: string,
  label: string,
): Promise<void> {
  for (const d of drills) {
    if (d.clusterOnly && label !== "cluster") continue;
    await step(`${d.scenario} (${label})`, async () => {
      const { report } = await runScenario({
        scenario: d.scenario,
        target,
        systems: d.systems,
        kafkaClients: [defaultKafkaClient],
        settings: {
          ...drillSettings,
          ...(d.faultMs ? { faultMs: d.faultMs } : {}),
          ...(d.recoveryBoundMs ? { recoveryBoundMs: d.recoveryBoundMs } : {}),
        },
        ratePerSec: d.ratePerSec ?? 1000,
        stack: stackChangerFor(target),
        nodes: nodeControlFor(target),
        printer,
      });
      const f = drillFigures(report);
      figures.push(...f);
      const line = f.map((x) => `${x.system} lost ${x.lost}, unexpected ${x.unexpected}`).join("; ");
      const bad = f.filter((x) => !x.passed);
      if (bad.length > 0) throw new Error(`${line}; failed: ${bad.map((x) => `${x.system}: ${x.effect}`).join("; ")}`);
      return line;
    });
  }
}

/**
 * The deliberate break: kill-leader on Kafka with the decoy kill (a process beside the broker dies, the broker does
 * not). The step passes only when the drill's own checks caught it; see judgeHarmless.
 */
async function harmlessFault(
  step: (name: string, body: () => Promise<string>) => Promise<boolean>,
  printer: ProgressPrinter,
  target: string,
  withPrometheus: boolean,
): Promise<void> {
  await step("harmless fault (cluster)", async () => {
    const { report } = await runScenario({
      scenario: "kill-leader",
      target,
      systems: ["kafka"],
      kafkaClients: [defaultKafkaClient],
      // Measured 2026-12-07: after node-lost, Kafka's own rebalance moved p2's leadership back to its preferred replica
      // 70 s into this run, a 1.7 s stall the harmless fault was blamed for; it waits for that rebalance first.
      settings: { ...drillSettings, kill: "decoy", settleLeadersMs: 330_000 },
      ratePerSec: 1000,
      stack: stackChangerFor(target),
      nodes: nodeControlFor(target),
      printer,
    });
    return judgeHarmless(drillFigures(report), withPrometheus);
  });
}

/** After destroy: none of the stack's namespaces, and no PVC or Secret in them, may be left (deletion takes a while). */
async function nothingLeft(d: Deployed): Promise<string> {
  const { lib, kc } = await loadKubeConfig(d.placement);
  const core = kc.makeApiClient(lib.CoreV1Api);
  const ours = (o: { metadata?: { namespace?: string } }) => d.namespaces.includes(o.metadata?.namespace ?? "");
  const deadline = Date.now() + 120_000;
  for (;;) {
    const left = (await core.listNamespace()).items
      .map((n) => n.metadata?.name ?? "")
      .filter((n) => d.namespaces.includes(n));
    const pvcs = (await core.listPersistentVolumeClaimForAllNamespaces()).items.filter(ours);
    const secrets = (await core.listSecretForAllNamespaces()).items.filter(ours);
    if (left.length + pvcs.length + secrets.length === 0) return "no namespace, PVC or Secret of ours left";
    if (Date.now() > deadline)
      throw new Error(`left behind: namespaces ${left.join(", ")}; ${pvcs.length} PVCs; ${secrets.length} Secrets`);
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

/** Each StatefulSet's generation: equal before and after means no broker was touched. */
async function generations(p: KubePlacement): Promise<string> {
  const { lib, kc } = await loadKubeConfig(p);
  const apps = kc.makeApiClient(lib.AppsV1Api);
  const out: string[] = [];
  for (const { namespace, name } of statefulSetsOf(p)) {
    const sts = await apps.readNamespacedStatefulSet({ name, namespace });
    out.push(`${name} generation ${sts.metadata?.generation}`);
  }
  return out.join(", ");
}

/**
 * The broken-topic stack (the smoke topic declared with min ISR 1), deployed through `npm run deploy`'s own code with
 * --config-file: in staging the config check refuses it before anything changes; as development the in-cluster gate
 * fails `pulumi up` and names its failed check. Then the stack's own config is deployed again (the gate passes).
 */
async function brokenTopic(
  step: (name: string, body: () => Promise<string>) => Promise<boolean>,
  d: Deployed,
  stackName: string,
  printer: ProgressPrinter,
  started: number,
): Promise<void> {
  const own = readFileSync(join(repoRoot, `Pulumi.${stackName}.yaml`), "utf8");
  const deploy = (configFile?: string) =>
    deployWithGate({
      stack: stackName,
      repoRoot,
      ...(configFile ? { configFile } : {}),
      onOutput: () => undefined,
      progress: (line) => printer.line(`${elapsedStamp(started)}   ${line}`),
    });
  const deployFrom = (text: string | undefined) =>
    text === undefined ? deploy() : withConfigCopy(stackName, text, deploy);
  const failedStep = (r: Awaited<ReturnType<typeof deployWithGate>>) => r.steps.find((x) => !x.ok);
  await step("broken topic (staging)", async () => {
    const before = await generations(d.placement);
    const r = await deployFrom(brokenTopicConfig(own));
    const failed = failedStep(r);
    if (!failed) throw new Error("the deploy of a min-ISR-1 topic passed");
    if (!/minInsyncReplicas/.test(failed.detail)) throw new Error(`failed for another reason: ${failed.detail}`);
    const after = await generations(d.placement);
    if (after !== before) throw new Error(`brokers changed: ${before} → ${after}`);
    return `${failed.step} refused it: ${firstLine(failed.detail, /minInsyncReplicas/)}; brokers untouched`;
  });
  await step("broken topic (gate)", async () => {
    const before = await generations(d.placement);
    const r = await deployFrom(brokenTopicConfig(own, "development"));
    const failed = failedStep(r);
    if (!failed || failed.step !== "up")
      throw new Error(`expected \`pulumi up\` to fail, got: ${failed?.step ?? "pass"}`);
    if (!/durability settings/.test(failed.detail) || !/min\.insync\.replicas = 1/.test(failed.detail))
      throw new Error(`up failed, but the gate's report does not name the check: ${failed.detail}`);
    const after = await generations(d.placement);
    if (after !== before) throw new Error(`brokers changed: ${before} → ${after}`);
    return `pulumi up failed: ${firstLine(failed.detail, /min\.insync\.replicas = 1/)}; brokers untouched`;
  });
  await step("deploy the stack's own config", async () => {
    const r = await deployFrom(undefined);
    if (!deployPassed(r)) throw new Error(formatSummary(r));
    return r.steps.map((s) => `${s.step} ${(s.durationMs / 1000).toFixed(0)} s`).join(", ");
  });
}

function firstLine(text: string, match: RegExp): string {
  const lines = text.split("\n");
  return (lines.find((l) => match.test(l)) ?? lines[0] ?? "").trim().slice(0, 200);
}

export interface E2eRequest {
  stackName: string;
  /** Leave the cluster up at the end. */
  keep: boolean;
  printer: ProgressPrinter;
}

/** Every step and drill figure; the run passed when every step is ok. */
export async function runE2e({
  stackName,
  keep,
  printer,
}: E2eRequest): Promise<{ steps: E2eStep[]; figures: DrillFigures[]; placement: SystemPlacement[] }> {
  const started = Date.now();
  const steps: E2eStep[] = [];
  const figures: DrillFigures[] = [];
  const placement: SystemPlacement[] = [];
  const step = async (name: string, body: () => Promise<string>): Promise<boolean> => {
    const t0 = Date.now();
    printer.line(`${elapsedStamp(started)} ${name}…`);
    try {
      const detail = await body();
      steps.push({ name, ok: true, durationMs: Date.now() - t0, detail });
      return true;
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      steps.push({
        name,
        ok: false,
        durationMs: Date.now() - t0,
        detail: detail.split("\n").slice(0, 16).join("\n    "),
      });
      return false;
    }
  };
  const cluster = join(repoRoot, "cluster", "cluster.sh");

  const up = await step("cluster up", async () => {
    await sh([cluster, "up"], printer);
    return "Kubernetes 1.34 (cluster up's default nodes), images built here";
  });
  let deployed: Deployed | undefined;
  if (up) {
    await step("deploy with the gate", async () => {
      const r = await deployWithGate({
        stack: stackName,
        repoRoot,
        onOutput: () => undefined,
        progress: (line) => printer.line(`${elapsedStamp(started)}   ${line}`),
      });
      printer.line(formatSummary(r));
      if (!deployPassed(r)) throw new Error(`deploy ${stackName} failed (summary above)`);
      deployed = await readDeployed(stackName);
      return r.steps.map((s) => `${s.step} ${(s.durationMs / 1000).toFixed(0)} s`).join(", ");
    });
  }
  if (deployed) {
    const d = deployed;
    await step("pods", () => checkPods(d, printer, placement));
    await runDrills(step, figures, printer, `stack:${stackName}`, "cluster");
    await harmlessFault(step, printer, `stack:${stackName}`, d.placement.prometheus !== undefined);
    await brokenTopic(step, d, stackName, printer, started);
    // The drills beside the cluster's run on the embedded default; e2e stops it again if it started it, whatever failed.
    const before = embeddedLeftovers();
    let upAttempted = false;
    try {
      await step("embedded up", async () => {
        upAttempted = true;
        await embeddedUp({ progress: () => undefined });
        return before.length > 0
          ? `already running (${before.length} namespaces, mounts, links): left running after e2e`
          : "3 Kafka + 3 RabbitMQ nodes as processes";
      });
      await runDrills(step, figures, printer, "embedded", "embedded");
    } finally {
      if (e2eStopsEmbedded(before, upAttempted)) {
        await step("embedded down", async () => {
          await embeddedDown({ progress: () => undefined });
          return "e2e started it: stopped, nothing left";
        });
      }
    }
    await step("pulumi up again", async () => {
      const u = await d.stack.up({ onOutput: () => undefined });
      const changes = (u.summary.resourceChanges ?? {}) as Record<string, number>;
      const what = describeChanges(changes, "done");
      if (Object.entries(changes).some(([op, n]) => op !== "same" && n > 0)) {
        throw new Error(`expected no changes, got: ${what}`);
      }
      return what;
    });
  }
  if (up) {
    // Also after a failed deploy: whatever it created goes.
    await step("pulumi destroy", async () => {
      const stack =
        deployed?.stack ?? (await LocalWorkspace.selectStack({ stackName, workDir: repoRoot }).catch(() => undefined));
      if (!stack) return `no stack ${stackName} was created: nothing to destroy`;
      await stack.destroy({ onOutput: () => undefined });
      return deployed ? await nothingLeft(deployed) : "destroyed";
    });
  }
  if (!keep)
    await step("cluster down", async () => {
      await sh([cluster, "down"], printer);
      return "nothing left";
    });
  return { steps, figures, placement };
}
