// How the coordinator starts a worker and takes it away: here as a process of this machine. The pool knows only this
// interface, so a Kubernetes launcher (one pod of an Indexed Job per worker, docs/workers.md) can take its place.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../../toolchain/src/paths";

export interface LaunchedWorker {
  /** What a person would look for: "pid 1234". */
  readonly name: string;
  /** How it ended ("exit code 3", "signal SIGKILL"), or undefined while it runs. */
  readonly ended: string | undefined;
  /** Called once when it ends. */
  onEnd(listener: () => void): void;
  /** The last lines it wrote to stderr: why a worker that never connected did not. */
  stderrTail(): string[];
  /** Gone at once, as a crash goes (SIGKILL). */
  kill(): void;
}

/** Starts worker `index` with `env` (its collector, index and token) added to this process's environment. */
export type WorkerLauncher = (index: number, env: Record<string, string>) => LaunchedWorker;

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

export function processLauncher(command: WorkerCommandLine = workerEntry): WorkerLauncher {
  return (_index, env) =>
    new WorkerProcess(
      spawn(command.file, command.args, {
        cwd: repoRoot,
        env: { ...process.env, ...env },
        stdio: ["ignore", "ignore", "pipe"],
      }),
    );
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
