// The coordinator of N workers: a collector that every worker streams its journal to, the workers it starts, and the
// Load a drill drives. Every record lands in the coordinator's one Recording as it arrives, so a worker killed mid-run
// takes none of its acknowledgements with it. Where the workers run is the launcher's (launch.ts): processes of this
// machine with the collector on loopback, or on Kubernetes the pods of an Indexed Job reaching the gate pod's
// collector through a Service (kubernetes-launcher.ts, docs/workers.md).
import { createServer, type Server, type Socket } from "node:net";
import type { Ledger } from "../ledger";
import type { PartitionAcks } from "../stats/partition-stalls";
import type { TimelineRecorder } from "../stats/timeline";
import { Recording, type WorkloadStats } from "../workload/recording";
import { within } from "../workload/within";
import { type DrainResult, drainLedger, type Load, type ProgressSample } from "../workload/workload";
import { encodeCommand, type WorkerAssignment, type WorkerCommand } from "./journal";
import { type LaunchedWorker, processLauncher, type WorkerLauncher } from "./launch";
import { type ControlRecord, type StreamEnd, WorkerStream } from "./merge";
import { type WorkerShare, workerShares } from "./shares";
import { newRunToken, workerToken } from "./token";

export interface PoolRequest {
  count: number;
  /** Each worker's share: the same for every worker (its publishers and rate already divided). */
  assignment: WorkerAssignment;
  ledger: Ledger;
  timeline: TimelineRecorder;
  /** How the workers are started: processes of this machine running the worker entry point, unless given. */
  launch?: WorkerLauncher;
  /** How long a worker may take from its start to "ready" (connected, clients open, consuming). */
  readyTimeoutMs?: number;
  /**
   * How long the connection of a worker its launcher saw end may stay open (what was still on the wire arrives within
   * it) before it is closed from this side, and the worker counted gone: a pod's network can go before its FIN does.
   */
  goneGraceMs?: number;
}

/** `p`, or an error saying `what` did not happen within `ms`. */
const waitNamed = <T>(what: string, ms: number, p: Promise<T>): Promise<T> =>
  within(p, ms, `${what} within ${ms / 1000} s`);

class Worker {
  socket: Socket | undefined;
  ended: StreamEnd | undefined;
  /** Its CPU while producing, as its "stopped" said. */
  cpuMicros: number | undefined;
  private readonly waiting = new Map<string, Array<(r: ControlRecord | undefined) => void>>();

  constructor(
    readonly index: number,
    readonly token: string,
    readonly launched: LaunchedWorker,
    readonly stream: WorkerStream,
  ) {}

  get live(): boolean {
    return this.ended === undefined;
  }

  /** The next control record of this kind, or undefined once the worker is gone. */
  next(kind: ControlRecord["kind"]): Promise<ControlRecord | undefined> {
    if (!this.live) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiting.set(kind, [...(this.waiting.get(kind) ?? []), resolve]));
  }

  answered(r: ControlRecord | undefined, kind = r?.kind): void {
    if (kind === undefined) return;
    const [first, ...rest] = this.waiting.get(kind) ?? [];
    this.waiting.set(kind, rest);
    first?.(r);
  }

  gone(): void {
    for (const list of this.waiting.values()) for (const resolve of list) resolve(undefined);
    this.waiting.clear();
  }

  send(c: WorkerCommand): void {
    if (this.live) this.socket?.write(encodeCommand(c));
  }
}

export class WorkerPool implements Load {
  private readonly recording: Recording;
  private readonly workers: Worker[] = [];
  private readonly onEnd: Array<(end: StreamEnd) => void> = [];
  private server: Server | undefined;
  private ready: Promise<Array<ControlRecord | undefined>> = Promise.resolve([]);
  private readonly launcher: WorkerLauncher;
  /** Resolves once every worker started is known: a hello that comes sooner waits for it. */
  private registered: () => void = () => undefined;
  private readonly known = new Promise<void>((resolve) => {
    this.registered = resolve;
  });

  private constructor(private readonly request: PoolRequest) {
    this.recording = new Recording(request.ledger, request.timeline, request.assignment.workload.messageBytes);
    this.launcher = request.launch ?? processLauncher();
  }

  /** Starts the collector and the workers; resolves once every worker is connected and has its assignment. */
  static async start(request: PoolRequest): Promise<WorkerPool> {
    const pool = new WorkerPool(request);
    try {
      await pool.listen();
    } catch (err) {
      await pool.abort();
      throw err;
    }
    return pool;
  }

  /** After a failed start: the workers we started that still run are killed, what the launcher made removed. */
  private async abort(): Promise<void> {
    this.registered();
    for (const w of this.workers) w.launched.kill();
    await this.launcher.end().catch((err: Error) => this.note(`the workers were not removed: ${err.message}`));
    this.server?.close();
  }

  get stats(): WorkloadStats {
    return this.recording.stats;
  }

  get partitionAcks(): PartitionAcks {
    return this.recording.partitionAcks;
  }

  /** Each worker as a person finds it ("w1 pid 1234"): what a drill or a person kills to take one worker away. */
  get names(): string[] {
    return this.workers.map((w) => `w${w.index} ${w.launched.name}`);
  }

  /** How kill() takes a worker away ("SIGKILLed"), for the timeline. */
  get killHow(): string {
    return this.launcher.killHow;
  }

  /** Called when a worker's stream ends, with how (gone or closed) and what it had in flight. */
  onStreamEnd(listener: (end: StreamEnd) => void): void {
    this.onEnd.push(listener);
  }

  noteError(what: string): void {
    this.recording.noteError(what);
  }

  private async listen(): Promise<void> {
    const { count, readyTimeoutMs = 120_000 } = this.request;
    const place = this.launcher.collector;
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(place.port, place.host, resolve);
    });
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("the collector has no TCP address");
    const runToken = newRunToken();
    const launched = await this.launcher.start({ count, collector: `${place.advertised}:${address.port}`, runToken });
    for (const [index, l] of launched.entries()) {
      const stream = new WorkerStream(index, this.recording, (r) => worker.answered(r));
      const worker = new Worker(index, workerToken(runToken, index), l, stream);
      // A worker that ends before it connected has no stream to end: it ends here.
      l.onEnd(() => {
        if (!worker.socket) this.ended(worker);
        else setTimeout(() => worker.socket?.destroy(), this.request.goneGraceMs ?? 10_000).unref();
      });
      this.workers.push(worker);
    }
    this.registered();
    const hellos = this.workers.map((w) => w.next("hello"));
    await waitNamed(`not every worker connected to the collector`, readyTimeoutMs, Promise.all(hellos)).then(
      (all) => {
        const missing = this.workers.filter((_, i) => all[i] === undefined);
        if (missing.length > 0) throw new Error(`${missing.map((w) => this.gone(w)).join("; ")} before it connected`);
      },
      (err: Error) => {
        throw new Error(
          `${err.message}: ${this.workers
            .filter((w) => !w.socket)
            .map((w) => `w${w.index}`)
            .join(", ")} did not`,
        );
      },
    );
    // Each worker answers its assignment with "ready" once its clients are open and it is consuming.
    this.ready = Promise.all(this.workers.map((w) => w.next("ready")));
    for (const w of this.workers) w.send({ kind: "assign", assignment: this.request.assignment });
  }

  /** A connection is a worker only once it says hello with its own token; anything else is dropped. */
  private accept(socket: Socket): void {
    socket.setEncoding("utf8");
    socket.setNoDelay(true);
    let first = "";
    const onHello = (chunk: string) => {
      first += chunk;
      const nl = first.indexOf("\n");
      if (nl < 0) return;
      socket.off("data", onHello);
      // Held until every worker started is known (a pod may connect before its Job's creation has returned).
      socket.pause();
      void this.known.then(() => {
        const hello = /^\["hello",(\d+),"([0-9a-f]+)"\]$/.exec(first.slice(0, nl));
        const worker = hello ? this.workers[Number(hello[1])] : undefined;
        if (!worker || worker.socket || worker.token !== hello?.[2]) {
          socket.destroy();
          return;
        }
        worker.socket = socket;
        socket.on("data", (c: string) => worker.stream.push(c));
        socket.on("close", () => this.ended(worker));
        socket.on("error", () => undefined);
        worker.stream.push(first);
        socket.resume();
      });
    };
    socket.on("data", onHello);
    socket.on("error", () => undefined);
  }

  private ended(worker: Worker): void {
    if (!worker.live) return;
    const end = worker.stream.end(Date.now());
    worker.ended = end;
    if (end.gone) {
      this.request.timeline.event(
        Date.now(),
        "note",
        `worker w${worker.index} gone mid-run: ${end.inFlight} write(s) in flight counted unknown${end.cutOff ? ", its last record cut off" : ""}`,
      );
    }
    worker.gone();
    for (const listener of this.onEnd) listener(end);
  }

  private note(what: string): void {
    this.request.timeline.event(Date.now(), "note", what);
  }

  private gone(w: Worker): string {
    const said = w.launched.stderrTail().slice(-3);
    return `worker w${w.index} (${w.launched.name}) ${w.launched.ended ?? "still running"}${said.length ? `: ${said.join(" | ")}` : ""}`;
  }

  private live(): Worker[] {
    return this.workers.filter((w) => w.live);
  }

  /** Sends `command` to every live worker and waits for each one's `answer` (a worker that goes answers nothing). */
  private async ask(command: WorkerCommand, answer: ControlRecord["kind"], what: string, ms: number) {
    const live = this.live();
    const answers = live.map((w) => w.next(answer));
    for (const w of live) w.send(command);
    return waitNamed(what, ms, Promise.all(answers));
  }

  async startConsuming(): Promise<void> {
    // Every worker's consumer runs before any worker produces: RabbitMQ's purge and Kafka's group join come first.
    const timeoutMs = this.request.readyTimeoutMs ?? 120_000;
    const ready = await waitNamed("not every worker was consuming", timeoutMs, this.ready).catch((err: Error) => {
      throw new Error(`${err.message}: ${this.workers.map((w) => this.gone(w)).join("; ")}`);
    });
    const failed = this.workers.filter((_, i) => ready[i] === undefined);
    if (failed.length > 0) throw new Error(failed.map((w) => this.gone(w)).join("; "));
  }

  startProducing(): void {
    for (const w of this.live()) w.send({ kind: "produce" });
  }

  async stopProducing(): Promise<void> {
    // Each worker answers once every publish it had in flight has its outcome; a gone worker's became unknown.
    const live = this.live();
    const answers = await this.ask({ kind: "stop" }, "stopped", "not every worker stopped producing", 300_000);
    answers.forEach((a, i) => {
      const w = live[i];
      if (w && a?.kind === "stopped") w.cpuMicros = a.cpuMicros;
    });
  }

  drain(quietMs: number): Promise<DrainResult> {
    return drainLedger(this.request.ledger, this.request.timeline, () => this.readEnds(), quietMs);
  }

  /** Whether every live worker's subscriber has read all the broker holds (of what was assigned to it). */
  private async readEnds(): Promise<{ atEnd: boolean; detail: string }> {
    const live = this.live();
    if (live.length === 0) return { atEnd: false, detail: "no worker left to read" };
    const answers = await this.ask(
      { kind: "ends?" },
      "ends",
      "not every worker said whether it read to the end",
      60_000,
    );
    const ends = answers.flatMap((a, i) => (a?.kind === "ends" ? [{ worker: live[i]?.index, ...a }] : []));
    return {
      atEnd: ends.length > 0 && ends.every((e) => e.atEnd),
      detail: ends
        .filter((e) => e.detail)
        .map((e) => `w${e.worker}: ${e.detail}`)
        .join("; "),
    };
  }

  ackedSince(since: number): boolean {
    return this.recording.ackedSince(since);
  }

  progress(now = Date.now()): ProgressSample {
    return this.recording.progress(now);
  }

  /** Each worker's part of the merged run, after it ended, over the load's `loadMs`. */
  shares(loadMs: number): WorkerShare[] {
    return workerShares(
      this.workers.map((w) => ({
        worker: `w${w.index}`,
        acknowledged: w.stream.acknowledged,
        delivered: w.stream.delivered,
        ...(w.cpuMicros === undefined ? {} : { cpuMicros: w.cpuMicros }),
        ...(w.ended?.gone ? { gone: { inFlight: w.ended.inFlight } } : {}),
      })),
      loadMs,
    );
  }

  /** Takes worker `index` away as a crash does (killHow): the drill that shows no acknowledgement goes with it. */
  kill(index: number): void {
    this.workers[index]?.launched.kill();
  }

  async close(): Promise<void> {
    await this.ask({ kind: "close" }, "closed", "not every worker closed", 60_000).catch(() => undefined);
    // The stream ends after "closed"; a worker that did not close in time is ended here (ours: we started it).
    const ended = this.workers.map((w) => new Promise<void>((r) => w.launched.onEnd(r)));
    await waitNamed("not every worker exited", 10_000, Promise.all(ended)).catch(() => {
      for (const w of this.workers) w.launched.kill();
    });
    await this.launcher.end().catch((err: Error) => this.note(`the workers were not removed: ${err.message}`));
    // Every worker has closed or was killed by now: a connection still open (its far end gone silently) must not hold
    // the collector's close.
    for (const w of this.workers) w.socket?.destroy();
    await new Promise((r) => this.server?.close(r));
  }
}
