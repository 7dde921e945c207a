// `npm run gate`: the stack's in-cluster gate run again now, against what is deployed, without `pulumi up`: a copy of
// the Job `up` left (./gate-rerun.ts), with load flags of its own. So one stack can be measured with 1, 2 and 3
// workers, and a worker pod killed during the node-failure check (`--workers 3 --kill-worker 1`).
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { formatProblems, validateTarget } from "../../contract/validate-target";
import type { WorkerFlags } from "../../smoke-tests/drills/flags";
import { usePassphraseFor } from "../../toolchain/src/stack-secrets";
import { ensureFileBackend } from "./deploy";
import { workersRefusal } from "./gate-rerun";
import { rerunGate } from "./in-cluster";

export interface GateAgainRequest {
  stack: string;
  /** The Pulumi project directory (Pulumi.yaml and Pulumi.<stack>.yaml). */
  projectDir: string;
  configFile?: string;
  /** --workers and --kill-worker for this run; the stack's gate.workers when absent. */
  workers?: WorkerFlags;
  progress: (line: string) => void;
}

/** The gate container's extra args for these flags. Pure. */
export function gateAgainArgs(workers: WorkerFlags | undefined): string[] {
  if (!workers) return [];
  return [
    "--workers",
    String(workers.count),
    ...(workers.killAtFault === undefined ? [] : ["--kill-worker", String(workers.killAtFault)]),
  ];
}

export async function runGateAgain(r: GateAgainRequest): Promise<{ job: string; passed: boolean; report: string }> {
  usePassphraseFor(r.stack, { projectDir: r.projectDir, ...(r.configFile ? { configFile: r.configFile } : {}) });
  ensureFileBackend();
  const s = await LocalWorkspace.selectStack({ stackName: r.stack, workDir: r.projectDir }).catch((e: Error) => {
    throw new Error(`--stack = ${r.stack}: no such stack (${e.message.split("\n")[0]}); deploy it first`);
  });
  const outputs = await s.outputs();
  const checked = validateTarget(outputs.target?.value);
  if (!checked.ok) throw new Error(formatProblems(`stack ${r.stack}'s target output`, checked.problems));
  const gate = outputs.smokeGate?.value as { enabled?: boolean; namespace?: string; job?: string } | undefined;
  const placement = checked.target.placement;
  if (placement.kind !== "kubernetes" || !gate?.enabled || !gate.namespace || !gate.job) {
    throw new Error(
      `stack ${r.stack}'s gate does not run in the cluster (gate.inCluster): run it from here with ` +
        `npm run smoke -- --target stack:${r.stack}`,
    );
  }
  const count = r.workers?.count ?? 1;
  return rerunGate(placement, { namespace: gate.namespace, job: gate.job }, r.progress, {
    args: gateAgainArgs(r.workers),
    refuse: (job) => workersRefusal(job, r.stack, count),
  });
}
