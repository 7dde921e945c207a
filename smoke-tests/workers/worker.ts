// One worker: connects to the coordinator's collector, runs the share of the load it is assigned (its own
// publishers, one consumer of the shared group or queue) and streams its journal as each outcome happens. It does what
// the coordinator says, in order, and never outlives it: when the collector goes, the worker exits.
import { connect, type Socket } from "node:net";
import type { Subscriber } from "../clients/types";
import { harnessFor, type SystemHarness } from "../drills/harness";
import { Ledger } from "../ledger/ledger";
import { TimelineRecorder } from "../stats/timeline";
import type { RecordingTap } from "../workload/recording";
import { readEndsOf, Workload } from "../workload/workload";
import type { WorkerConnection } from "./connection";
import {
  decodeCommand,
  encodeRecord,
  type JournalRecord,
  LineSplitter,
  type WorkerAssignment,
  type WorkerCommand,
  workerProducer,
} from "./journal";

/** The journal written to the collector, one line per outcome, as it happens. */
export function journalTap(write: (r: JournalRecord) => void): RecordingTap {
  return {
    sent: (ids, at) => write({ kind: "sent", at, ids: [...ids] }),
    outcome: (id, at, outcome) => write({ kind: "outcome", at, id, outcome }),
    delivered: (received, consumer) => write({ kind: "delivered", consumer, received }),
    error: (what) => write({ kind: "error", what }),
  };
}

/**
 * The errors of a connect that may succeed a moment later: a new pod's NetworkPolicies admit it only once the
 * policy agent has seen its address (kube-router answers with a port-unreachable, ECONNREFUSED, until then; seen
 * 2026-12-07 on this project's cluster, a worker refused within a second of its start), and its DNS may lag too.
 */
export const transientConnectErrors = [
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
];

/** How long a worker keeps trying to reach the collector before it gives up and exits. */
export const collectorConnectMs = 60_000;

/** The collector's socket, tried again on a transient error every half second until `withinMs` has passed. */
export async function connectToCollector(
  conn: Pick<WorkerConnection, "host" | "port" | "index">,
  withinMs = collectorConnectMs,
): Promise<Socket> {
  const deadline = Date.now() + withinMs;
  let told = false;
  for (;;) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const s = connect(conn.port, conn.host, () => {
          s.off("error", reject);
          resolve(s);
        });
        s.once("error", reject);
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "";
      if (!transientConnectErrors.includes(code) || Date.now() >= deadline) throw err;
      if (!told)
        process.stderr.write(
          `worker w${conn.index}: the collector ${conn.host}:${conn.port} not reachable yet (${code}); trying for ${withinMs / 1000} s\n`,
        );
      told = true;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Runs one worker until the coordinator closes it (0) or goes away (1). */
export async function runWorker(conn: WorkerConnection): Promise<number> {
  const socket = await connectToCollector(conn);
  socket.setNoDelay(true);
  socket.setEncoding("utf8");
  const write = (r: JournalRecord) => socket.write(encodeRecord(r));
  write({ kind: "hello", worker: conn.index, token: conn.token });
  const worker = new WorkerRun(conn.index, write);
  const splitter = new LineSplitter();
  return new Promise<number>((resolve) => {
    let queue = Promise.resolve();
    socket.on("data", (chunk: string) => {
      for (const line of splitter.push(chunk)) {
        // One command at a time, in the order sent: "stop" finishes before "ends?" is answered.
        queue = queue
          .then(async () => {
            const closed = await worker.obey(decodeCommand(line));
            if (closed) socket.end(() => resolve(0));
          })
          .catch((err: unknown) => {
            // A worker that cannot carry out a command (a broker unreachable at connect) says why and leaves: the
            // coordinator sees it gone and names it.
            const what = err instanceof Error ? err.message : String(err);
            process.stderr.write(`worker w${conn.index}: ${what}\n`);
            write({ kind: "error", what });
            socket.end(() => resolve(1));
          });
      }
    });
    socket.on("close", () => resolve(worker.closed ? 0 : 1));
    socket.on("error", () => undefined);
  });
}

class WorkerRun {
  private workload: Workload | undefined;
  private harness: SystemHarness | undefined;
  private subscriber: Subscriber | undefined;
  closed = false;

  constructor(
    private readonly index: number,
    private readonly write: (r: JournalRecord) => void,
  ) {}

  /** Carries out one command; resolves true once the worker has closed. */
  async obey(c: WorkerCommand): Promise<boolean> {
    switch (c.kind) {
      case "assign":
        await this.start(c.assignment);
        this.write({ kind: "ready" });
        return false;
      case "produce":
        this.workload?.startProducing();
        return false;
      case "stop":
        await this.workload?.stopProducing();
        this.write({ kind: "stopped" });
        return false;
      case "ends?": {
        const ends = await readEndsOf(this.subscriber ? [this.subscriber] : []);
        this.write({ kind: "ends", ...ends });
        return false;
      }
      case "close":
        await this.workload?.close();
        await this.harness?.close();
        this.closed = true;
        this.write({ kind: "closed" });
        return true;
    }
  }

  private async start(a: WorkerAssignment): Promise<void> {
    const harness = harnessFor(a.target, a.system, { ...a.harness, sharedConsumers: true });
    this.harness = harness;
    const onError = (what: string) => this.workload?.noteError(what);
    const opened = await harness.openPublishers(a.publishers, onError);
    const publishers = opened.map((p, i) => ({ name: workerProducer(this.index, i), publisher: p.publisher }));
    this.subscriber = harness.subscriber(a.runId, onError);
    // The worker's own ledger only makes its ids; the coordinator's merged one is what counts.
    this.workload = new Workload(
      new Ledger(a.runId),
      new TimelineRecorder(Date.now()),
      publishers,
      [this.subscriber],
      a.workload,
      journalTap(this.write),
    );
    await this.workload.startConsuming();
  }
}
