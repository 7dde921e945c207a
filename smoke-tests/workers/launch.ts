// How the coordinator starts its workers and takes one away. The pool knows only this interface: here the workers are
// processes of this machine; kubernetes-launcher.ts runs them as the pods of an Indexed Job.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../../toolchain/src/paths";

export interface LaunchedWorker {
  /** What a person would look for: "pid 1234", "pod gate-workers-1-x7k2p". */
  readonly name: string;
  /** How it ended ("exit code 3", "signal SIGKILL", "pod deleted"), or undefined while it runs. */
  readonly ended: string | undefined;
  /** Called once when it ends. */
  onEnd(listener: () => void): void;
  /** What it said last (a process's stderr, a pod's termination message): why a worker that never connected did not. */
  stderrTail(): string[];
  /** Gone at once, as a crash goes. */
  kill(): void;
}

/** Where the collector listens, and the host the workers are told to dial. */
export interface CollectorPlace {
  /** The address to listen on; undefined: every address of this host (a pod's, which other pods reach). */
  host: string | undefined;
  /** 0: any free port (the workers are told the one it got). */
  port: number;
  /** The host every worker dials for it. */
  advertised: string;
}

/** What every worker of one run is started with. */
export interface WorkerLaunch {
  count: number;
  /** <host>:<port>: the collector as the workers reach it. */
  collector: string;
  /** The run's token (token.ts): never in argv; each worker derives its own from it and its index. */
  runToken: string;
}

export interface WorkerLauncher {
  readonly collector: CollectorPlace;
  /** How kill() takes a worker away, for the timeline: "SIGKILLed". */
  readonly killHow: string;
  /** Starts workers 0 to count - 1; resolves once each is started (its process spawned, its Job created). */
  start(launch: WorkerLaunch): Promise<LaunchedWorker[]>;
  /** Removes what start made (a Job and its Secret), once every worker ended or was killed. */
  end(): Promise<void>;
}

/** The command line of a worker process: the worker entry point through tsx, unless a test scripts one. */
export interface WorkerCommandLine {
  file: string;
  args: string[];
}

export const workerEntry: WorkerCommandLine = {
  file: process.execPath,
  args: ["--import", "tsx", join(repoRoot, "smoke-tests", "cli", "worker.ts")],
};

const stderrLines = 20;

/** Workers as processes of this machine, reporting to a collector on loopback. */
export function processLauncher(command: WorkerCommandLine = workerEntry): WorkerLauncher {
  return {
    collector: { host: "127.0.0.1", port: 0, advertised: "127.0.0.1" },
    killHow: "SIGKILLed",
    start: async ({ count, collector, runToken }) =>
      Array.from(
        { length: count },
        (_, index) =>
          new WorkerProcess(
            spawn(command.file, command.args, {
              cwd: repoRoot,
              // The token travels in the environment, never in argv (ps shows argv to every user of the machine).
              env: {
                ...process.env,
                MP_WORKER_COLLECTOR: collector,
                MP_WORKER_INDEX: String(index),
                MP_WORKER_TOKEN: runToken,
              },
              stdio: ["ignore", "ignore", "pipe"],
            }),
          ),
      ),
    end: async () => undefined,
  };
}

class WorkerProcess implements LaunchedWorker {
  private readonly stderr: string[] = [];
  private readonly listeners: Array<() => void> = [];
  ended: string | undefined;

  constructor(private readonly child: ChildProcess) {
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      this.stderr.push(...chunk.split("\n").filter(Boolean));
      this.stderr.splice(0, Math.max(0, this.stderr.length - stderrLines));
    });
    child.on("exit", (code, signal) => {
      this.ended = signal ? `signal ${signal}` : `exit code ${code}`;
      for (const l of this.listeners) l();
    });
    child.on("error", (err) => this.stderr.push(err.message));
  }

  get name(): string {
    return `pid ${this.child.pid ?? "none"}`;
  }

  onEnd(listener: () => void): void {
    if (this.ended !== undefined) listener();
    else this.listeners.push(listener);
  }

  stderrTail(): string[] {
    return [...this.stderr];
  }

  kill(): void {
    if (this.ended === undefined) this.child.kill("SIGKILL");
  }
}
