// One worker: connects to the coordinator's collector, runs the share of the load it is assigned (its own
// publishers, one consumer of the shared group or queue) and streams its journal as each outcome happens. It does what
// the coordinator says, in order, and never outlives it: when the collector goes, the worker exits.
import type { Socket } from "node:net";
import type { Subscriber } from "../clients/types";
import { harnessFor, type SystemHarness } from "../drills/harness";
import { Ledger } from "../ledger/ledger";
import { TimelineRecorder } from "../stats/timeline";
import type { RecordingTap } from "../workload/recording";
import { readEndsOf, Workload } from "../workload/workload";
import { admissionMs, awaitAdmitted, brokerEndpoints, connectRetrying } from "./admission";
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

/** The collector's socket: a new worker pod may be refused for a moment (admission.ts). */
export function connectToCollector(
  conn: Pick<WorkerConnection, "host" | "port" | "index">,
  withinMs = admissionMs,
): Promise<Socket> {
  return connectRetrying(conn, withinMs, (code) =>
    notReachableYet(conn.index, `the collector ${conn.host}:${conn.port}`, code, withinMs),
  );
}

/** Said once per endpoint that refuses a new worker for a moment. */
function notReachableYet(worker: number, what: string, code: string, withinMs: number): void {
  process.stderr.write(`worker w${worker}: ${what} not reachable yet (${code}); trying for ${withinMs / 1000} s\n`);
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
  private cpuAtProduce: NodeJS.CpuUsage | undefined;
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
        this.cpuAtProduce = process.cpuUsage();
        this.workload?.startProducing();
        return false;
      case "stop": {
        await this.workload?.stopProducing();
        const cpu = process.cpuUsage(this.cpuAtProduce);
        this.write({ kind: "stopped", cpuMicros: cpu.user + cpu.system });
        return false;
      }
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
    // Every broker admits this pod before its clients connect: a refusal then would end the worker (admission.ts).
    const never = await awaitAdmitted(brokerEndpoints(a.target, a.system), admissionMs, (to, code) =>
      notReachableYet(this.index, `${to.host}:${to.port}`, code, admissionMs),
    );
    for (const e of never)
      process.stderr.write(`worker w${this.index}: ${e.host}:${e.port} still not reachable: ${e.error}\n`);
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
