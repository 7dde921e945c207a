// `npm run e2e [-- --stack cluster] [--keep]`: the product's main job end to end on this machine's own Kubernetes:
// cluster up, deploy with the gate (preview with policies, `pulumi up` with the in-cluster gate Job, rollout), the
// failover drills on the cluster and, beside them, the same drills on the embedded default, `pulumi up` again (no
// changes), destroy (no namespace, PVC or Secret of ours left), cluster down. One summary at the end; exit 1 when
// any step or drill failed. The cluster is always taken down again unless --keep is given.
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { up as embeddedUp } from "../../embedded/environment";
import { elapsedStamp, flag, main, refuseUnknownFlags } from "../../toolchain/src/command-line";
import { deployWithGate } from "../deploy/deploy";
import { deployPassed, describeChanges, formatSummary } from "../deploy/summary";
import { type DrillFigures, drillFigures, type E2eStep, formatE2e } from "../e2e/summary";
import { kubeConfigFor } from "../faults/kubernetes";
import { loadSelectedTarget } from "../target-select/load";
import { progressPrinter } from "./common";
import { runScenario } from "./drill";

const repoRoot = resolve(__dirname, "..", "..");

/** The drills of the end-to-end run: a hard kill of each system's leader, of the KRaft controller, a partition. */
const drills: Array<{ scenario: string; systems: string }> = [
  { scenario: "kill-leader", systems: "kafka,rabbitmq" },
  { scenario: "kill-controller", systems: "kafka" },
  { scenario: "isolate-node", systems: "kafka,rabbitmq" },
];
const drillFlags = ["--rounds", "1", "--fault-seconds", "20", "--steady-seconds", "5", "--after-seconds", "5"];

function sh(args: string[], printer: ReturnType<typeof progressPrinter>): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn("bash", args, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    for (const s of [child.stdout, child.stderr]) s.on("data", (d) => printer.line(String(d).trimEnd()));
    child.on("error", fail);
    child.on("exit", (code) => (code === 0 ? ok() : fail(new Error(`bash ${args.join(" ")} exited with ${code}`))));
  });
}

main(async () => {
  const argv = process.argv.slice(2);
  refuseUnknownFlags(argv, ["stack", "keep"], "e2e");
  const stackName = flag(argv, "stack") ?? "cluster";
  const keep = argv.includes("--keep");
  const printer = progressPrinter();
  const started = Date.now();
  const steps: E2eStep[] = [];
  const figures: DrillFigures[] = [];
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
        detail: detail.split("\n").slice(0, 8).join("\n    "),
      });
      return false;
    }
  };
  const cluster = join(repoRoot, "cluster", "cluster.sh");

  const up = await step("cluster up", async () => {
    await sh([cluster, "up"], printer);
    return "single-node Kubernetes 1.34, images built here";
  });
  let deployed = false;
  if (up) {
    deployed = await step("deploy with the gate", async () => {
      const r = await deployWithGate({
        stack: stackName,
        repoRoot,
        onOutput: () => undefined,
        progress: (line) => printer.line(`${elapsedStamp(started)}   ${line}`),
      });
      printer.line(formatSummary(r));
      if (!deployPassed(r)) throw new Error(formatSummary(r));
      return r.steps.map((s) => `${s.step} ${(s.durationMs / 1000).toFixed(0)} s`).join(", ");
    });
  }
  if (deployed) {
    await step("pods", async () => {
      const target = loadSelectedTarget([], { ...process.env, MP_TARGET: `stack:${stackName}` });
      if (target.placement.kind !== "kubernetes") throw new Error(`stack ${stackName} is not on Kubernetes`);
      const { lib, kc } = await kubeConfigFor(target.placement);
      const pods = (await kc.makeApiClient(lib.CoreV1Api).listPodForAllNamespaces()).items;
      const table = pods.map(
        (p) => `${p.metadata?.namespace}/${p.metadata?.name} ${p.status?.phase} ${p.spec?.containers[0]?.image}`,
      );
      printer.line(table.join("\n"));
      const running = (ns: string) =>
        pods.filter(
          (p) => p.metadata?.namespace === ns && p.status?.phase === "Running" && !p.metadata?.labels?.["job-name"],
        );
      const k = running(target.placement.kafka.namespace).length;
      const r = running(target.placement.rabbitmq.namespace).length;
      const gate = pods.filter((p) => p.metadata?.namespace === "messaging-smoke").map((p) => p.status?.phase);
      if (k < 3 || r < 3) throw new Error(`${k} Kafka and ${r} RabbitMQ pods Running; 3 of each expected`);
      return `${k} Kafka, ${r} RabbitMQ pods Running; gate Job pod ${gate.join(", ") || "gone"}`;
    });
    for (const [target, label] of [
      [`stack:${stackName}`, "cluster"],
      ["embedded", "embedded"],
    ] as const) {
      if (label === "embedded") {
        await step("embedded up", async () => {
          await embeddedUp({ progress: () => undefined });
          return "3 Kafka + 3 RabbitMQ nodes as processes";
        });
      }
      for (const d of drills) {
        await step(`${d.scenario} (${label})`, async () => {
          const { report } = await runScenario(
            d.scenario,
            ["--target", target, "--system", d.systems, ...drillFlags],
            printer,
          );
          const f = drillFigures(report);
          figures.push(...f);
          const bad = f.filter((x) => !x.passed);
          const line = f.map((x) => `${x.system} lost ${x.lost}, unexpected ${x.unexpected}`).join("; ");
          if (bad.length > 0)
            throw new Error(`${line}; failed: ${bad.map((x) => `${x.system}: ${x.effect}`).join("; ")}`);
          return line;
        });
      }
    }
    await step("pulumi up again", async () => {
      const stack = await LocalWorkspace.selectStack({ stackName, workDir: repoRoot });
      const u = await stack.up({ onOutput: () => undefined });
      const changes = u.summary.resourceChanges ?? {};
      const changed = Object.entries(changes).filter(([op, n]) => op !== "same" && (n ?? 0) > 0);
      const what = describeChanges(changes as Record<string, number>, "done");
      if (changed.length > 0) throw new Error(`expected no changes, got: ${what}`);
      return what;
    });
  }
  if (up) {
    await step("pulumi destroy", async () => {
      const stack = await LocalWorkspace.selectStack({ stackName, workDir: repoRoot });
      const target = loadSelectedTarget([], { ...process.env, MP_TARGET: `stack:${stackName}` });
      await stack.destroy({ onOutput: () => undefined });
      if (target.placement.kind !== "kubernetes") return "destroyed";
      const { lib, kc } = await kubeConfigFor(target.placement);
      const core = kc.makeApiClient(lib.CoreV1Api);
      const ours = [target.placement.kafka.namespace, target.placement.rabbitmq.namespace, "messaging-smoke"];
      const deadline = Date.now() + 120_000;
      for (;;) {
        const left = (await core.listNamespace()).items
          .map((n) => n.metadata?.name ?? "")
          .filter((n) => ours.includes(n));
        const pvcs = (await core.listPersistentVolumeClaimForAllNamespaces()).items.filter((p) =>
          ours.includes(p.metadata?.namespace ?? ""),
        );
        const secrets = (await core.listSecretForAllNamespaces()).items.filter((s) =>
          ours.includes(s.metadata?.namespace ?? ""),
        );
        if (left.length + pvcs.length + secrets.length === 0) return `no namespace, PVC or Secret of ours left`;
        if (Date.now() > deadline)
          throw new Error(`left behind: namespaces ${left.join(", ")}; ${pvcs.length} PVCs; ${secrets.length} Secrets`);
        await new Promise((r) => setTimeout(r, 2_000));
      }
    });
  }
  if (!keep) await step("cluster down", async () => (await sh([cluster, "down"], printer), "nothing left"));
  printer.line(`\n${formatE2e(steps, figures)}`);
  return steps.every((s) => s.ok) ? 0 : 1;
});
