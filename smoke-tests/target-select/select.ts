// What every command does first: pick the target (MP_TARGET or --target), make its cluster's DNS names resolvable,
// and check within 10 s that it answers.
import type { Target } from "../../contract/target";
import { useClusterDns } from "./cluster-dns";
import { loadSelectedTarget } from "./load";
import { assertReachable } from "./reachability";

/** `loaded`: the target when the caller has already read it (a stack target costs a `pulumi stack output`). */
export async function selectTarget(argv: readonly string[] = process.argv, loaded?: Target): Promise<Target> {
  const target = loaded ?? loadSelectedTarget(argv);
  await useClusterDns(target);
  await assertReachable(target, { deadlineMs: 10_000 });
  return target;
}
