// What every command does first: pick the target (MP_TARGET or --target), make its cluster's DNS names resolvable,
// and check within 10 s that it answers.
import type { Target } from "../../contract/target";
import { useClusterDns } from "./cluster-dns";
import { loadSelectedTarget } from "./load";
import { assertReachable, awaitReachable } from "./reachability";

/**
 * `loaded`: the target when the caller has already read it (a stack target costs a `pulumi stack output`).
 * `settle`: right after a roll, how long an endpoint may still refuse before the target counts as unreachable.
 */
export async function selectTarget(
  argv: readonly string[] = process.argv,
  loaded?: Target,
  settle?: { withinMs: number; onWaiting: (line: string) => void },
): Promise<Target> {
  const target = loaded ?? loadSelectedTarget(argv);
  await useClusterDns(target);
  if (settle) await awaitReachable(target, { deadlineMs: 10_000, ...settle });
  else await assertReachable(target, { deadlineMs: 10_000 });
  return target;
}
