// What every command of smoke-tests/ does first: pick the target (MP_TARGET or --target), check within 10 s that it
// answers, pick the fault injector that matches where the brokers run, and print progress a person can follow.

import type { Target } from "../../contract/target";
import { EmbeddedFaults } from "../faults/embedded";
import { KubernetesFaults } from "../faults/kubernetes";
import type { FaultInjector } from "../faults/types";
import { formatProgressLine, paintFor } from "../reports/terminal";
import { useClusterDns } from "../target-select/cluster-dns";
import { loadSelectedTarget } from "../target-select/load";
import { assertReachable } from "../target-select/reachability";
import type { ProgressSample } from "../workload/workload";

/** `loaded`: the target when the caller has already read it (a stack target costs a `pulumi stack output`). */
export async function selectTarget(argv: readonly string[] = process.argv, loaded?: Target): Promise<Target> {
  const target = loaded ?? loadSelectedTarget(argv);
  await useClusterDns(target);
  await assertReachable(target, { deadlineMs: 10_000 });
  return target;
}

export async function faultsFor(target: Target): Promise<FaultInjector> {
  return target.placement.kind === "embedded" ? new EmbeddedFaults() : KubernetesFaults.connect(target.placement);
}

/** Live progress: rewritten in place on a terminal, one line every 5 s otherwise (CI logs stay readable). */
export function progressPrinter(started = Date.now()) {
  const tty = Boolean(process.stdout.isTTY);
  const paint = paintFor(process.stdout);
  let lastPrinted = 0;
  return {
    line(text: string) {
      if (tty) process.stdout.write("\r\x1b[2K");
      process.stdout.write(`${text}\n`);
    },
    sample(phase: string, s: ProgressSample) {
      const now = Date.now();
      if (!tty && now - lastPrinted < 5_000) return;
      lastPrinted = now;
      const text = formatProgressLine(
        {
          phase,
          elapsedMs: now - started,
          sentPerSecond: s.sentPerSec,
          ackedPerSecond: s.ackedPerSec,
          consumedPerSecond: s.consumedPerSec,
          inFlight: s.inFlight,
          unseen: s.unseen,
          errors: s.errors,
        },
        paint,
      );
      if (tty) process.stdout.write(`\r\x1b[2K${text}`);
      else process.stdout.write(`${text}\n`);
    },
  };
}
