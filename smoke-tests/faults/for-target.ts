// The fault injector that matches where the target's brokers run: processes on this machine, or pods.
import type { Target } from "../../contract/target";
import { EmbeddedFaults } from "./embedded";
import { KubernetesFaults } from "./kubernetes-faults";
import type { FaultInjector } from "./types";

export async function faultsFor(target: Target): Promise<FaultInjector> {
  return target.placement.kind === "embedded" ? new EmbeddedFaults() : KubernetesFaults.connect(target.placement);
}
