// The restart-all scenario against a cluster faked in memory (Kafka's 3 controllers and 3 brokers, 3 RabbitMQ nodes,
// a clock that moves only when the drill waits): where the landing and the times to full service come from, what fails
// the drill, and that it is refused before any load where it cannot run. The Kubernetes calls themselves are the
// lead's cluster run (docs/drills.md).

import type { FaultInjector, PodBefore, PodSample, RestartEvidence } from "../../faults/types";
import { drillSettings } from "../flags";
import type { SystemHarness } from "../harness";
import type { NemesisContext } from "../nemesis";
import { notReadyBefore, restartAll } from "../restart-all";
import { scenarioNamed } from "../scenarios";
import { unusedKubernetesFaults } from "./kubernetes-stand-in";

const pods: PodBefore[] = [
  ...["kafka-controller", "kafka-broker"].flatMap((sts) =>
    [0, 1, 2].map((i) => ({
      system: "kafka" as const,
      namespace: "kafka",
      name: `${sts}-${i}`,
      uid: `${sts}-${i}-old`,
    })),
  ),
  ...[0, 1, 2].map((i) => ({
    system: "rabbitmq" as const,
    namespace: "rabbitmq",
    name: `rabbitmq-${i}`,
    uid: `r${i}-old`,
  })),
];

/** Each system's pods come back (new uid, Ready) `backAfter` ms after the landing; Kafka's probe is healthy `healthyAfter`. */
function fakeCluster(o: { backAfter: { kafka: number; rabbitmq: number }; healthyAfter: number; faultMs?: number }) {
  const landedAt = 5_000;
  let restarted = false;
  const brokerPods = async (system: "kafka" | "rabbitmq"): Promise<PodSample[]> =>
    pods
      .filter((p) => p.system === system)
      .map((p) => {
        const back = restarted && Date.now() >= landedAt + o.backAfter[system];
        return { name: p.name, uid: restarted ? `${p.name}-new` : p.uid, ready: !restarted || back };
      });
  const cut: RestartEvidence = {
    before: pods,
    landedAt,
    tookEffect: true,
    detail: "SIGKILLed the broker of each of 9 pods",
  };
  const faults: FaultInjector = {
    ...unusedKubernetesFaults("restart-all"),
    brokerPods,
    restartAll: async () => {
      restarted = true;
      jest.setSystemTime(landedAt);
      return cut;
    },
  };
  const harness = {
    system: "kafka",
    health: async () =>
      Date.now() >= landedAt + o.healthyAfter
        ? { healthy: true, detail: "every partition has 3 in sync" }
        : { healthy: false, detail: "smoke-0 has no leader" },
    close: async () => undefined,
  } as unknown as SystemHarness;
  const effects: Array<{ tookEffect: boolean; detail: string }> = [];
  const marks: Array<{ label: string; at?: number }> = [];
  const landings: number[] = [];
  const fullService: unknown[] = [];
  const tick = () => new Promise<void>((r) => setImmediate(r));
  const ctx = {
    harness,
    faults,
    mark: (kind: string, label: string, at?: number) => marks.push({ label: `${kind}: ${label}`, at }),
    landed: (at: number) => landings.push(at),
    fullService: (r: unknown) => fullService.push(r),
    // The fake clock: each wait's look costs 500 ms, and the drill's waits are the only thing that moves it.
    async waitUntil(condition: () => Promise<boolean>, timeoutMs: number) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (await condition()) return true;
        jest.setSystemTime(Date.now() + 500);
        await tick();
      }
      return false;
    },
    waitHealthy: async () => undefined,
    effect: (tookEffect: boolean, detail: string) => effects.push({ tookEffect, detail }),
    sleep: async () => undefined,
    settings: { steadyMs: 0, faultMs: o.faultMs ?? 240_000, afterMs: 0, rounds: 1, healthTimeoutMs: 60_000 },
  } as unknown as NemesisContext;
  return { ctx, faults, harness, effects, marks, landings, fullService, landedAt };
}

// The drill's clock is Date.now: faked, and moved only by the fake cluster.
beforeEach(() => {
  jest.useFakeTimers({ now: 0, doNotFake: ["setImmediate", "nextTick", "queueMicrotask"] });
});

afterEach(() => {
  jest.useRealTimers();
});

describe("the restart-all scenario", () => {
  it("times recovery from the landing, and each system's full service from it: Kafka by pods and health, RabbitMQ by pods", async () => {
    const c = fakeCluster({ backAfter: { kafka: 60_000, rabbitmq: 30_000 }, healthyAfter: 75_000 });
    await restartAll.nemesis(c.ctx);
    expect(c.landings).toEqual([c.landedAt]);
    expect(c.effects).toEqual([{ tookEffect: true, detail: "SIGKILLed the broker of each of 9 pods" }]);
    expect(c.fullService).toEqual([
      expect.objectContaining({ system: "kafka", pods: 6, judgedBy: "pods and health" }),
      expect.objectContaining({ system: "rabbitmq", pods: 3, judgedBy: "pods only" }),
    ]);
    const [kafka, rabbitmq] = c.fullService as Array<{ ms: number }>;
    // Kafka: its pods were back at 60 s but its probe healthy only from 75 s; RabbitMQ's pods at 30 s.
    expect(kafka?.ms).toBeGreaterThanOrEqual(75_000);
    expect(kafka?.ms).toBeLessThan(77_000);
    expect(rabbitmq?.ms).toBeGreaterThanOrEqual(30_000);
    expect(rabbitmq?.ms).toBeLessThan(32_000);
    const notes = c.marks.filter((m) => m.label.includes("back to full service"));
    expect(notes.map((m) => m.at)).toEqual([c.landedAt + (kafka?.ms ?? 0), c.landedAt + (rabbitmq?.ms ?? 0)]);
    expect(notes[0]?.label).toMatch(
      /^note: Kafka back to full service 7\d\.\d s after the landing \(6 pods Ready, health probe healthy\)$/,
    );
  });

  it("fails naming the system not back to full service within the wait, with what it waited for", async () => {
    const c = fakeCluster({ backAfter: { kafka: 10_000, rabbitmq: 10_000 }, healthyAfter: 1e9, faultMs: 20_000 });
    await expect(restartAll.nemesis(c.ctx)).rejects.toThrow(
      "Kafka not back to full service 20 s after the landing (pods Ready, health probe: smoke-0 has no leader; full service: 6 pods Ready, health probe healthy)",
    );
    expect(c.fullService).toEqual([
      expect.objectContaining({ system: "kafka", missing: "pods Ready, health probe: smoke-0 has no leader" }),
      expect.objectContaining({ system: "rabbitmq", ms: expect.any(Number) }),
    ]);
  });

  it("is refused before any load on a target that cannot delete pods, and while a broker pod is not Ready", async () => {
    const c = fakeCluster({ backAfter: { kafka: 0, rabbitmq: 0 }, healthyAfter: 0 });
    const { restartAll: _, ...embedded } = c.faults;
    await expect(restartAll.preflight?.(c.harness, { ...embedded, kind: "embedded" })).rejects.toThrow(
      "restart-all deletes every broker pod of both systems through the Kubernetes API and waits for their StatefulSets to bring them back: select a Kubernetes target (MP_TARGET=stack:cluster); this one is embedded",
    );
    await expect(restartAll.preflight?.(c.harness, c.faults)).resolves.toBeUndefined();
    expect(notReadyBefore("rabbitmq", [{ name: "rabbitmq-1", ready: false }])).toBe(
      "restart-all times each system back to full service: every broker pod must be Ready before the restart; rabbitmq: rabbitmq-1 not Ready",
    );
    expect(notReadyBefore("kafka", [])).toBe("restart-all: kafka has no broker pod to restart");
  });

  it("is a scenario of the drill command, with a fault wait and recovery bound fit for a whole-cluster restart", () => {
    const s = scenarioNamed("restart-all");
    expect(s.systems).toEqual(["kafka", "rabbitmq"]);
    const settings = drillSettings([], s.defaultFaultSeconds, s.defaultRecoveryBoundSeconds);
    expect(settings).toMatchObject({ faultMs: 180_000, recoveryBoundMs: 120_000 });
    expect(drillSettings(["--recovery-bound-seconds", "90"], 180, 120).recoveryBoundMs).toBe(90_000);
  });
});
