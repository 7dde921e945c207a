// restart-all: every node restarted at once, as after a power cut of the whole cluster. Every broker pod of both
// systems (Kafka's controllers and brokers, RabbitMQ) is SIGKILLed and deleted together, under load: writes fail while
// they are down, and the ledger must still read back every message acknowledged before, during and after. The report
// gives each system's time from the landing to full service.

import type { SystemName } from "../../contract/systems";
import { fullServiceText, notBack } from "../faults/restart-all";
import type { FaultInjector } from "../faults/types";
import { waitFullService } from "./full-service";
import type { Scenario } from "./nemesis";

type RestartFaults = FaultInjector & Required<Pick<FaultInjector, "restartAll" | "brokerPods">>;

/** Both systems: a power cut takes the whole cluster, whichever system the drill's load runs on. */
const everySystem: readonly SystemName[] = ["kafka", "rabbitmq"];

/** The injector, if it can restart every broker pod (Kubernetes); else the refusal naming what it needs. */
function restartFaults(faults: FaultInjector): RestartFaults {
  if (!faults.restartAll || !faults.brokerPods) {
    throw new Error(
      `restart-all deletes every broker pod of both systems through the Kubernetes API and waits for their StatefulSets to bring them back: select a Kubernetes target (MP_TARGET=stack:cluster); this one is ${faults.kind}`,
    );
  }
  return faults as RestartFaults;
}

/** Pure: the refusal when a system is not at full service before the restart (its time back would mean nothing). */
export function notReadyBefore(system: SystemName, pods: ReadonlyArray<{ name: string; ready: boolean }>) {
  if (pods.length === 0) return `restart-all: ${system} has no broker pod to restart`;
  const down = pods.filter((p) => !p.ready).map((p) => p.name);
  return down.length > 0
    ? `restart-all times each system back to full service: every broker pod must be Ready before the restart; ${system}: ${down.join(", ")} not Ready`
    : undefined;
}

export const restartAll: Scenario = {
  name: "restart-all",
  summary:
    "power cut of the whole cluster: every broker pod of both systems SIGKILLed and deleted at once under load; every acknowledged message read back, each system's time to full service reported",
  // The longest each system may take from the landing back to full service: every broker of both systems restarting
  // at once on a 2-core machine (the cluster stack: 3 combined Kafka nodes, 3 RabbitMQ). Measured 2026-12-07 on the
  // cluster: Kafka 75 s, RabbitMQ 42–53 s; the bound leaves room for a busier machine.
  defaultFaultSeconds: 180,
  // Writes fail until both Kafka's quorum and its brokers are back: the clients' first write after the landing.
  // Measured 2026-12-07: writes stalled 46 s (Kafka), 41 s (RabbitMQ).
  defaultRecoveryBoundSeconds: 120,
  systems: ["kafka", "rabbitmq"],
  async preflight(_harness, faults) {
    const f = restartFaults(faults);
    for (const system of everySystem) {
      const refused = notReadyBefore(system, await f.brokerPods(system));
      if (refused) throw new Error(refused);
    }
  },
  async nemesis(ctx) {
    const f = restartFaults(ctx.faults);
    ctx.mark("fault", "restart every broker pod of Kafka and RabbitMQ at once (SIGKILL, then delete with grace 0)");
    const cut = await f.restartAll();
    ctx.landed(cut.landedAt);
    ctx.mark("note", cut.detail, cut.landedAt);
    ctx.effect(cut.tookEffect, cut.detail);
    const records = await Promise.all(
      everySystem.map((system) => {
        const pods = cut.before.filter((p) => p.system === system);
        return waitFullService(ctx, {
          system,
          pods: pods.length,
          waiting: async () => notBack(pods, await f.brokerPods(system).catch(() => [])),
          landedAt: cut.landedAt,
          deadline: cut.landedAt + ctx.settings.faultMs,
        });
      }),
    );
    for (const r of records) {
      ctx.fullService(r);
      ctx.mark("note", fullServiceText(r), r.ms === undefined ? Date.now() : cut.landedAt + r.ms);
    }
    const late = records.filter((r) => r.ms === undefined);
    if (late.length > 0) throw new Error(late.map(fullServiceText).join("; "));
    await ctx.waitHealthy(ctx.settings.healthTimeoutMs);
  },
};
