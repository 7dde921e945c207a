// Real processes, no brokers: the collector and two scripted workers (scripted-worker.ts) over loopback.
import { join } from "node:path";
import { checkTotalQueue } from "../../ledger/total-queue";
import { type LaunchedWorker, processLauncher, type WorkerLauncher } from "../launch";
import type { StreamEnd } from "../merge";
import { WorkerPool } from "../pool";
import { scriptedPoolRequest } from "./pool-request";

const script = (mode: string) =>
  processLauncher({ file: process.execPath, args: ["--import", "tsx", join(__dirname, "scripted-worker.ts"), mode] });

const poolRequest = (mode: string) => scriptedPoolRequest(script(mode));

async function until(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("the workers' collector, with real worker processes", () => {
  it("keeps every acknowledgement of a worker SIGKILLed mid-stream: lost 0, its in-flight writes unknown", async () => {
    const request = poolRequest("1");
    const pool = await WorkerPool.start(request);
    const ends: StreamEnd[] = [];
    pool.onStreamEnd((e) => ends.push(e));
    await pool.startConsuming();
    pool.startProducing();
    await until("worker w1 was not gone", () => ends.some((e) => e.worker === 1));
    await pool.stopProducing();
    const drained = await pool.drain(2_000);
    await pool.close();

    expect(drained.drained).toBe(true);
    expect(ends.find((e) => e.worker === 1)).toEqual({ worker: 1, gone: true, inFlight: 2, cutOff: '["o",2001,' });
    expect(ends.find((e) => e.worker === 0)).toEqual({ worker: 0, gone: false, inFlight: 0 });
    const v = checkTotalQueue(request.ledger, { duplicatesAllowed: true });
    expect(v.counts).toMatchObject({ attempted: 6, acknowledged: 4, lost: 0, unknown: 2, pending: 0, unexpected: 0 });
    expect(pool.shares(1_000).map((s) => [s.worker, s.acknowledged, s.gone, s.cores])).toEqual([
      ["w0", 3, undefined, 0.5],
      ["w1", 1, { inFlight: 2 }, undefined],
    ]);
    expect(request.timeline.snapshot().events.map((e) => e.label)).toContain(
      "worker w1 gone mid-run: 2 write(s) in flight counted unknown, its last record cut off",
    );
  });

  it("a worker its launcher saw end whose connection stays open (its pod's network gone before its FIN): gone after the grace", async () => {
    // The launcher says the worker ended; its process (and so its connection) in fact goes on.
    const processes = script("none");
    const said: LaunchedWorker[] = [];
    const launch: WorkerLauncher = {
      ...processes,
      start: async (l) =>
        (await processes.start(l)).map((real) => {
          const listeners: Array<() => void> = [];
          const w: LaunchedWorker & { ended: string | undefined } = {
            name: real.name,
            ended: undefined,
            onEnd: (f) => listeners.push(f),
            stderrTail: () => real.stderrTail(),
            kill: () => {
              w.ended = "pod deleted";
              for (const f of listeners) f();
            },
          };
          said.push(real);
          return w;
        }),
    };
    const request = { ...poolRequest("none"), launch, goneGraceMs: 100 };
    const pool = await WorkerPool.start(request);
    const ends: StreamEnd[] = [];
    pool.onStreamEnd((e) => ends.push(e));
    try {
      await pool.startConsuming();
      pool.startProducing();
      await until("not every acknowledgement arrived", () => pool.stats.acked.overall().messages === 6);
      pool.kill(1);
      // Its process still runs and its connection is open: only its launcher says it ended.
      expect(said[1]?.ended).toBeUndefined();
      expect(ends).toEqual([]);
      await until("worker w1 was not counted gone", () => ends.some((e) => e.worker === 1));
      await pool.stopProducing();
      await pool.drain(2_000);
      await pool.close();
    } finally {
      for (const real of said) real.kill();
    }
    expect(ends.find((e) => e.worker === 1)).toEqual({ worker: 1, gone: true, inFlight: 0 });
    expect(checkTotalQueue(request.ledger, { duplicatesAllowed: true }).counts).toMatchObject({
      acknowledged: 6,
      lost: 0,
    });
  });

  it("refuses to start when a worker exits before it connects, naming the worker and what it said", async () => {
    await expect(WorkerPool.start(poolRequest("crash"))).rejects.toThrow(
      /worker w0 \(pid \d+\) exit code 3: boom: no broker/,
    );
  });
});
