// "Break one thing on purpose and see the verdict fail with a named reason." The real drill runs (runDrill with the
// kill-leader scenario, workload, ledger, timeline, recovery measures, checkers, verdict) against a Kafka stand-in
// held in memory; each case breaks one thing of an otherwise passing drill and exactly its named line must fail.
// Time is jest's fake clock: the drill's sleeps, the stand-in's election and every timestamp advance only as the test
// moves the clock, so the figures below are the same on an idle machine and on two busy cores.
import type { Received, Subscriber } from "../../clients/types";
import { killsText } from "../../faults/kill-mode";
import type { FaultInjector, KillMode } from "../../faults/types";
import { failuresOf, type SystemRun } from "../../reports/run-report";
import { verdictLines } from "../../reports/verdict";
import type { SystemHarness } from "../harness";
import type { DrillSettings } from "../nemesis";
import { type DrillOptions, runDrill } from "../run-drill";
import { scenarioNamed } from "../scenarios";

const nodes = ["kafka-0", "kafka-1", "kafka-2"];
const partitions = 2;
/** How long writes stall while the partition has no leader: several 250 ms timeline buckets, so it shows. */
const electionMs = 2_000;

/** Where a message lands, for a consumer that is told to miss it. */
interface Position {
  partition: number;
  offset: number;
}

/**
 * The cluster as the drill sees it: a leader, partitions that hand out offsets, and writes held while no node
 * leads (a client retrying through an election). A kill that `takesEffect` leaves the partition leaderless for
 * electionMs and then moves the leader to the next node; one that does not changes nothing.
 */
class FakeKafka {
  leader = "kafka-0";
  leaderless = false;
  private readonly nextOffset = Array.from({ length: partitions }, () => 0);
  private readonly consumers: Array<(d: Received) => void> = [];
  private written = 0;
  private lastWrite: Promise<unknown> = Promise.resolve();

  /** Records written per partition and read per partition: the fake's high watermarks and consumer positions. */
  readonly end = Array.from({ length: partitions }, () => 0);
  readonly read = Array.from({ length: partitions }, () => 0);

  constructor(
    private readonly consumerSkips?: Position,
    /** Records the broker holds past the last acknowledged write, that nobody sent an ack for (unknown writes). */
    private readonly unackedTail = 0,
  ) {}

  /** After the load: an unknown write that landed, held at the end of partition 0. */
  landUnknownWrites(): void {
    if (this.landed) return;
    this.landed = true;
    this.end[0] = (this.end[0] ?? 0) + this.unackedTail;
  }
  private landed = false;

  /** Writes land in the order they were sent, as an idempotent producer guarantees (the offset checks hold us to it). */
  write(ids: string[]): Promise<Position[]> {
    const written = this.lastWrite.then(() => this.append(ids));
    this.lastWrite = written;
    return written;
  }

  private async append(ids: string[]): Promise<Position[]> {
    while (this.leaderless) await new Promise((r) => setTimeout(r, 10));
    // An ack takes a moment, so publishes are in flight when the fault strikes.
    await new Promise((r) => setTimeout(r, 2));
    const positions = ids.map(() => {
      const partition = this.written++ % partitions;
      const offset = this.nextOffset[partition] ?? 0;
      this.nextOffset[partition] = offset + 1;
      this.end[partition] = offset + 1;
      return { partition, offset };
    });
    // Delivered after the ack is recorded, as a consumer reads what the broker already committed.
    setTimeout(() => {
      for (const [i, id] of ids.entries()) this.deliver(id, positions[i] as Position);
    }, 1);
    return positions;
  }

  subscribe(onDelivery: (d: Received) => void): void {
    this.consumers.push(onDelivery);
  }

  /** How each kill asked the stand-in to bring its node back. */
  readonly killModes: KillMode[] = [];
  /** Publishers opened: none may be before a drill's request was checked. */
  opened = 0;

  kill(node: string, takesEffect: boolean, rebalancesAnyway = false): void {
    // The kill missed, but the leader moves anyway, at once and with no election (a preferred-leader rebalance).
    if (rebalancesAnyway) {
      this.leader = nodes[(nodes.indexOf(node) + 1) % nodes.length] as string;
      return;
    }
    if (!takesEffect || node !== this.leader) return;
    this.leaderless = true;
    setTimeout(() => {
      this.leader = nodes[(nodes.indexOf(node) + 1) % nodes.length] as string;
      this.leaderless = false;
    }, electionMs);
  }

  private deliver(id: string, at: Position): void {
    const skipped = this.consumerSkips?.partition === at.partition && this.consumerSkips.offset === at.offset;
    this.read[at.partition] = at.offset + 1;
    if (skipped) return;
    const d: Received = { id, sentAt: 0, receivedAt: Date.now(), partition: at.partition, offset: String(at.offset) };
    for (const consume of this.consumers) consume(d);
  }
}

function harnessOn(cluster: FakeKafka): SystemHarness {
  return {
    system: "kafka",
    destination: "mp-smoke",
    duplicatesAllowed: true,
    async openPublishers(count) {
      cluster.opened += count;
      return Array.from({ length: count }, (_, i) => ({
        name: `p${i}`,
        publisher: {
          async publish(batch) {
            const positions = await cluster.write(batch.map((env) => env.id));
            return positions.map((position) => ({ type: "ok" as const, position }));
          },
          close: async () => undefined,
        },
      }));
    },
    subscriber(): Subscriber {
      return {
        start: async (onDelivery) => cluster.subscribe(onDelivery),
        stop: async () => undefined,
        async atEnd() {
          cluster.landUnknownWrites();
          const behind = cluster.end.flatMap((e, p) =>
            (cluster.read[p] ?? 0) < e ? [`p${p} read to ${cluster.read[p]} of ${e}`] : [],
          );
          return { atEnd: behind.length === 0, detail: behind.join(", ") || "every partition read to its end" };
        },
      };
    },
    leader: async () => cluster.leader,
    followers: async () => nodes.filter((n) => n !== cluster.leader),
    health: async () =>
      cluster.leaderless ? { healthy: false, detail: "mp-smoke-0 has no leader" } : { healthy: true, detail: "ok" },
    redundancy: async () => ({ least: 3, needed: 2, detail: "ISR [0,1,2]" }),
    nodes: () => nodes,
    close: async () => undefined,
  };
}

/** Two Nodes as the stand-in's control plane lists them: the first NotReady while the partition has no leader. */
const nodeReadingsOf = (cluster: FakeKafka) => async () => [
  { name: "cluster-node-1", ready: cluster.leaderless ? "Unknown" : "True", unschedulable: false },
  { name: "cluster-node-2", ready: "True", unschedulable: false },
];

function faultsOn(
  cluster: FakeKafka,
  killTakesEffect: boolean,
  kind: FaultInjector["kind"],
  rebalancesAnyway = false,
): FaultInjector {
  const notHere = async () => {
    throw new Error("kill-leader does not use this fault");
  };
  return {
    kind,
    async kill(node, mode) {
      cluster.killModes.push(mode);
      cluster.kill(node, killTakesEffect, rebalancesAnyway);
      return { bySigkill: true, detail: "SIGKILL to the stand-in", landedAt: Date.now() };
    },
    // Held down until now, as the embedded default's restore reports it; a kubelet's restart holds nothing.
    restore: async () => (cluster.killModes.at(-1) === "hold-down" ? { releasedAt: Date.now() } : {}),
    isolate: notHere,
    heal: notHere,
    rollingRestart: notHere,
    activeKafkaController: notHere,
    healAll: async () => undefined,
  };
}

const drillOptions = (recoveryBoundMs: number, kill?: KillMode): DrillOptions => ({
  runId: "deliberate-breaks",
  // Long enough after the fault for the 1 s stretch of clean acks that counts as recovered.
  settings: {
    steadyMs: 1_000,
    faultMs: 2_500,
    afterMs: 2_000,
    rounds: 1,
    healthTimeoutMs: 3_000,
    recoveryBoundMs,
    ...(kill ? { kill } : {}),
  },
  workload: { messageBytes: 100, batchSize: 10, inFlightBatches: 2, ratePerSec: 400 },
  publishers: 1,
  drainQuietMs: 2_000,
});

interface Break {
  killTakesEffect?: boolean;
  /** The kill misses, and the leader moves anyway without any node gone (a preferred-leader rebalance). */
  rebalancesAnyway?: boolean;
  recoveryBoundMs?: number;
  consumerSkips?: Position;
  /** Records past the last acknowledged write that the consumer never reaches. */
  unackedTail?: number;
  /** The drill's --kill; and the injector's kind (embedded unless given). */
  kill?: KillMode;
  kind?: FaultInjector["kind"];
  /** The drill reads the Nodes (as a Kubernetes drill does). */
  readsNodes?: boolean;
  /** Another scenario than kill-leader, with its own injector and settings. */
  scenario?: { name: string; faults: (cluster: FakeKafka) => FaultInjector; settings: Partial<DrillSettings> };
}

/** The baseline drill (the kill moves the leader, bound 3 s, a consumer that reads everything), with one break. */
async function drill(broken: Break = {}, cluster = new FakeKafka(broken.consumerSkips, broken.unackedTail)) {
  const options = drillOptions(broken.recoveryBoundMs ?? 3_000, broken.kill);
  const running = runDrill(
    harnessOn(cluster),
    broken.scenario?.faults(cluster) ??
      faultsOn(cluster, broken.killTakesEffect ?? true, broken.kind ?? "embedded", broken.rebalancesAnyway),
    scenarioNamed(broken.scenario?.name ?? "kill-leader"),
    {
      ...options,
      settings: { ...options.settings, ...broken.scenario?.settings },
      ...(broken.readsNodes ? { readNodes: nodeReadingsOf(cluster) } : {}),
    },
  );
  let settled = false;
  const settle = () => {
    settled = true;
  };
  running.then(settle, settle);
  // Moves the fake clock in small steps, running every timer due and the promises it resolves, until the drill ends.
  for (let steps = 0; !settled; steps++) {
    if (steps > 100_000) throw new Error("the drill did not end within 500 s of fake time");
    await jest.advanceTimersByTimeAsync(5);
  }
  return running;
}

beforeEach(() => {
  jest.useFakeTimers({ now: 1_700_000_000_000 });
});

afterEach(() => {
  jest.useRealTimers();
});

const passedByName = (run: SystemRun) => Object.fromEntries(verdictLines(run).map((l) => [l.name, l.passed]));
const everyLinePasses = {
  "fault took effect": true,
  "writes acknowledged after the fault": true,
  "recovery within the bound": true,
  "no acknowledged message lost": true,
  "nothing unexpected consumed": true,
};

describe("a drill broken on purpose fails with the named reason, and only that one", () => {
  test("baseline: the unbroken drill passes every line", async () => {
    const run = await drill();
    expect(passedByName(run)).toEqual(everyLinePasses);
    expect(failuresOf(run)).toEqual([]);
    // Under load throughout: the offered 400 msg/s for as long as the load ran, less the election's stall.
    const phase = (label: string) => run.timeline.events.find((e) => e.kind === "phase" && e.label === label)?.atMs;
    const loadMs = (phase("drain") as number) - (phase("steady") as number);
    expect(run.ledger.counts.acknowledged).toBeGreaterThanOrEqual(Math.floor((400 * (loadMs - electionMs)) / 1000));
    // The stall is measured from the kill's landing, not assumed: the election, plus at most one paced batch.
    expect(run.recovery).toHaveLength(1);
    const [r] = run.recovery;
    expect(r?.fault.landedAtMs).toEqual(expect.any(Number));
    expect(r?.writes.status).toBe("recovered");
    expect(r?.writes.ms).toBeGreaterThanOrEqual(electionMs);
    expect(r?.writes.ms).toBeLessThanOrEqual(electionMs + 50);
    expect(r?.fault.inFlight).toEqual(expect.any(Number));
    // The kill held its node down (the default), from its landing until the drill let it go after the leader moved.
    expect(run.kills).toEqual([
      {
        fault: "kill kafka-0 (leader)",
        node: "kafka-0",
        mode: "hold-down",
        landedAt: expect.any(Number),
        releasedAt: expect.any(Number),
      },
    ]);
    const [k] = run.kills ?? [];
    expect((k?.releasedAt ?? 0) - (k?.landedAt ?? 0)).toBeGreaterThanOrEqual(electionMs);
    expect(killsText(run.kills ?? [])).toMatch(/^kill \(held down \d+\.\d s\)$/);
    // A drill that does not read Nodes (embedded): no node lanes.
    expect(run.nodes).toBeUndefined();
  });

  test("a fault that does nothing fails 'fault took effect'; its 'not disrupted' writes pass nothing else", async () => {
    const run = await drill({ killTakesEffect: false });
    expect(run.recovery[0]?.writes).toMatchObject({ status: "not-disrupted", ms: null });
    expect(passedByName(run)).toEqual({
      ...everyLinePasses,
      "fault took effect": false,
      "writes acknowledged after the fault": false,
      "recovery within the bound": false,
    });
    const notRecovered = "kill kafka-0 (leader): not disrupted, by a fault that did not take effect: nothing recovered";
    expect(failuresOf(run)).toEqual([
      "fault took effect: killed kafka-0: kafka-0 never seen gone by the cluster in 2.5 s (SIGKILL to the stand-in)",
      `writes acknowledged after the fault: ${notRecovered}`,
      `recovery within the bound: ${notRecovered}`,
    ]);
  });

  test("a kill that missed fails 'fault took effect' even when the leader moves anyway (a rebalance, no node gone)", async () => {
    const run = await drill({ killTakesEffect: false, rebalancesAnyway: true });
    expect(passedByName(run)["fault took effect"]).toBe(false);
    expect(failuresOf(run)[0]).toBe(
      "fault took effect: killed kafka-0: kafka-0 never seen gone by the cluster in 2.5 s (SIGKILL to the stand-in)",
    );
  });

  test("a recovery bound of 1 ms fails 'recovery within the bound'", async () => {
    const run = await drill({ recoveryBoundMs: 1 });
    expect(passedByName(run)).toEqual({ ...everyLinePasses, "recovery within the bound": false });
    expect(failuresOf(run)).toEqual([
      expect.stringMatching(/^recovery within the bound: kill kafka-0 \(leader\): writes stalled \d+ ms, bound 1 ms$/),
    ]);
  });

  test("a consumer that skips one acknowledged message fails 'no acknowledged message lost', naming where", async () => {
    const run = await drill({ consumerSkips: { partition: 1, offset: 40 } });
    expect(passedByName(run)).toEqual({ ...everyLinePasses, "no acknowledged message lost": false });
    expect(run.ledger.counts).toMatchObject({ lost: 1, unexpected: 0 });
    expect(run.ledger.lostMessages).toEqual([{ id: expect.any(String), partition: 1, offset: 40 }]);
    // The same miss, as the drain, the total-queue checker and the Kafka offset checks each see it.
    expect(failuresOf(run)).toEqual([
      "drain: 1 acknowledged messages still unconsumed after 2 s, none consumed in the last 2 s (every partition read to its end)",
      "1 acknowledged message(s) were never consumed (lost)",
      "1 lostWrites: acknowledged writes below the highest read offset were never read (lost-write)",
      "1 unseen: acknowledged writes were never read",
    ]);
  });

  test("a drain that stops short of a partition's high watermark fails the drain, naming the partition", async () => {
    // Every acknowledged message was read, but partition 0 holds one more record (an unknown write that landed).
    const run = await drill({ unackedTail: 1 });
    expect(run.ledger.counts.lost).toBe(0);
    expect(failuresOf(run)).toEqual([
      expect.stringMatching(/^drain: not read to the end after 2 s: p0 read to \d+ of \d+$/),
    ]);
  });
});

describe("the kill mode: asked of the injector, named in the run, refused where the target cannot run it", () => {
  test("crash-restart on Kubernetes: the injector is asked for it, and the run says the kubelet restarted the node", async () => {
    const cluster = new FakeKafka();
    const run = await drill({ kill: "crash-restart", kind: "kubernetes" }, cluster);
    expect(cluster.killModes).toEqual(["crash-restart"]);
    expect(run.kills).toEqual([expect.objectContaining({ node: "kafka-0", mode: "crash-restart" })]);
    expect(run.kills?.[0]?.releasedAt).toBeUndefined();
    expect(killsText(run.kills ?? [])).toBe("kill (restarted by the kubelet)");
  });

  test("the default asks the injector to hold the node down", async () => {
    const cluster = new FakeKafka();
    await drill({ kind: "kubernetes" }, cluster);
    expect(cluster.killModes).toEqual(["hold-down"]);
  });

  test("crash-restart on the embedded default is refused before any publisher is opened", async () => {
    const cluster = new FakeKafka();
    await expect(drill({ kill: "crash-restart" }, cluster)).rejects.toThrow(
      "--kill = crash-restart: the embedded target offers only hold-down",
    );
    expect(cluster.opened).toBe(0);
    expect(cluster.killModes).toEqual([]);
  });
});

describe("the Kubernetes nodes beside the rates", () => {
  test("a drill that reads the Nodes gives the run one lane per node, read through the whole drill", async () => {
    const run = await drill({ kind: "kubernetes", readsNodes: true });
    expect(run.nodes?.failedReads).toBe(0);
    expect(run.nodes?.lanes.map((l) => l.node)).toEqual(["cluster-node-1", "cluster-node-2"]);
    const [first, second] = run.nodes?.lanes ?? [];
    // NotReady while the stand-in had no leader (read once a second: the election's 2 s cannot slip between reads).
    expect(first?.segments.map((s) => s.state)).toEqual(["Ready", "NotReady", "Ready"]);
    expect(second?.segments.map((s) => s.state)).toEqual(["Ready"]);
    // From the drill's first second to its check: the lane spans the load.
    const drain = run.timeline.events.find((e) => e.kind === "phase" && e.label === "drain")?.atMs as number;
    expect(second?.segments[0]?.fromMs).toBeLessThan(1_000);
    expect(second?.segments[0]?.toMs).toBeGreaterThanOrEqual(drain);
  });
});

describe("restart-all through the runner: a power cut of the whole stand-in", () => {
  /** From the cut the partition has no leader for this long: every write waits. */
  const outageMs = 6_000;
  /** The pods are seen gone or replaced this long after the cut: the landing. */
  const replacedAfterMs = 1_000;
  /** RabbitMQ's pods are Ready again this long after the cut. */
  const rabbitmqBackMs = 4_000;

  function powerCut(cluster: FakeKafka, o: { landAtTheAsk?: boolean } = {}): FaultInjector {
    let cutAt: number | undefined;
    const before = [
      ...nodes.map((name) => ({ system: "kafka" as const, namespace: "kafka", name, uid: `${name}-old` })),
      ...[0, 1, 2].map((i) => ({
        system: "rabbitmq" as const,
        namespace: "rabbitmq",
        name: `rabbitmq-${i}`,
        uid: `r${i}`,
      })),
    ];
    return {
      ...faultsOn(cluster, true, "kubernetes"),
      async restartAll() {
        cutAt = Date.now();
        cluster.leaderless = true;
        setTimeout(() => {
          cluster.leaderless = false;
        }, outageMs);
        await new Promise((r) => setTimeout(r, replacedAfterMs));
        // The deliberate break: the landing taken as when the deletes were asked, not when the pods were seen replaced.
        const landedAt = o.landAtTheAsk ? cutAt : Date.now();
        return { before, landedAt, tookEffect: true, detail: `SIGKILLed and deleted ${before.length} pods` };
      },
      async brokerPods(system) {
        const backAt = (cutAt ?? 0) + (system === "kafka" ? outageMs : rabbitmqBackMs);
        return before
          .filter((p) => p.system === system)
          .map((p) => ({
            name: p.name,
            uid: cutAt === undefined ? p.uid : `${p.name}-new`,
            ready: cutAt === undefined || Date.now() >= backAt,
          }));
      },
    };
  }
  const restartAll = (faults: (cluster: FakeKafka) => FaultInjector) => ({
    name: "restart-all",
    faults,
    settings: { faultMs: 10_000, recoveryBoundMs: 8_000 },
  });

  test("passes every line; writes stalled and each system's full service are timed from the landing", async () => {
    const run = await drill({ scenario: restartAll((c) => powerCut(c)) });
    expect(passedByName(run)).toEqual(everyLinePasses);
    expect(failuresOf(run)).toEqual([]);
    const [r] = run.recovery;
    const fault = run.timeline.events.find((e) => e.kind === "fault");
    // Landed when the pods were seen replaced, 1 s after the fault was asked for.
    expect((r?.fault.landedAtMs ?? 0) - (fault?.atMs ?? 0)).toBe(replacedAfterMs);
    expect(r?.writes.status).toBe("recovered");
    expect(r?.writes.ms).toBeGreaterThanOrEqual(outageMs - replacedAfterMs);
    expect(r?.writes.ms).toBeLessThanOrEqual(outageMs - replacedAfterMs + 50);
    expect(run.fullService).toEqual([
      { system: "kafka", pods: 3, judgedBy: "pods and health", ms: expect.any(Number), waitedMs: 10_000 },
      { system: "rabbitmq", pods: 3, judgedBy: "pods only", ms: expect.any(Number), waitedMs: 10_000 },
    ]);
    const [kafka, rabbitmq] = run.fullService ?? [];
    expect(kafka?.ms).toBeGreaterThanOrEqual(outageMs - replacedAfterMs);
    expect(kafka?.ms).toBeLessThanOrEqual(outageMs - replacedAfterMs + 200);
    expect(rabbitmq?.ms).toBeGreaterThanOrEqual(rabbitmqBackMs - replacedAfterMs);
    expect(rabbitmq?.ms).toBeLessThanOrEqual(rabbitmqBackMs - replacedAfterMs + 200);
    const notes = run.timeline.events.filter((e) => e.kind === "note").map((e) => e.label);
    expect(notes).toContainEqual(expect.stringMatching(/^Kafka back to full service \d+\.\d s after the landing/));
    expect(notes).toContainEqual(expect.stringMatching(/^RabbitMQ back to full service \d+\.\d s after the landing/));
  });

  test("a landing taken when the deletes were asked makes the writes' stall the whole outage", async () => {
    const run = await drill({ scenario: restartAll((c) => powerCut(c, { landAtTheAsk: true })) });
    expect(run.recovery[0]?.writes.ms).toBeGreaterThanOrEqual(outageMs);
  });

  test("a bound shorter than the outage fails 'recovery within the bound', and only that line", async () => {
    const run = await drill({
      scenario: { ...restartAll((c) => powerCut(c)), settings: { faultMs: 10_000, recoveryBoundMs: 2_000 } },
    });
    expect(passedByName(run)).toEqual({ ...everyLinePasses, "recovery within the bound": false });
  });
});
