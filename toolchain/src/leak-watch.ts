// Finds secrets where nobody but their owner should see them: on a process's command line (world-readable in
// /proc/<pid>/cmdline) while something runs, and in the reports and logs it wrote. A finding names the process or
// file and which secret, never the secret itself.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";

export interface NamedSecret {
  /** What the secret is, for the failure message: "kafka password of app". */
  name: string;
  value: string;
}

/** Shorter values would match by accident; every generated secret is far longer. */
const MIN_SECRET_LENGTH = 8;

function checked(secrets: readonly NamedSecret[]): NamedSecret[] {
  if (secrets.length === 0) throw new Error("no secrets to look for: the check would pass vacuously");
  for (const s of secrets) {
    if (s.value.length < MIN_SECRET_LENGTH) {
      throw new Error(`secret "${s.name}" is shorter than ${MIN_SECRET_LENGTH} characters: it would match by accident`);
    }
  }
  return [...secrets];
}

/** Replaces every secret in text by its name, so a finding can quote where it was without repeating it. */
export function nameSecrets(text: string, secrets: readonly NamedSecret[]): string {
  return secrets.reduce((t, s) => t.split(s.value).join(`<${s.name}>`), text);
}

export interface CommandLineFindings {
  /** "pid 123 `java ... <rabbitmq password> ...`: rabbitmq password", one per process and secret. */
  leaks: string[];
  /** Which of the watched-for commands were seen running at least once (proof the sampling saw them). */
  seen: string[];
  /** Scans of every process's command line. */
  samples: number;
}

// Runs in a worker thread, so sampling goes on while the test's own event loop is busy or blocked (spawnSync).
const WORKER_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const { readdirSync, readFileSync } = require("node:fs");
const { secrets, watchFor, intervalMs, stop } = workerData;
const flag = new Int32Array(stop);
const leaks = new Map();
const seen = new Set();
let samples = 0;
function scan() {
  let pids;
  try { pids = readdirSync("/proc").filter((d) => /^[0-9]+$/.test(d)); } catch { return; }
  for (const pid of pids) {
    let cmd;
    try { cmd = readFileSync("/proc/" + pid + "/cmdline", "utf8"); } catch { continue; }
    if (cmd.length === 0) continue;
    cmd = cmd.replace(/\\0+$/, "").replace(/\\0/g, " ");
    for (const w of watchFor) if (cmd.includes(w)) seen.add(w);
    for (const s of secrets) {
      if (!cmd.includes(s.value)) continue;
      const key = pid + " " + s.name;
      if (!leaks.has(key)) leaks.set(key, { pid: Number(pid), command: cmd, secret: s.name });
    }
  }
  samples++;
}
while (Atomics.load(flag, 0) === 0) {
  scan();
  Atomics.wait(flag, 0, 0, intervalMs);
}
scan();
parentPort.postMessage({ leaks: [...leaks.values()], seen: [...seen], samples });
`;

interface RawFindings {
  leaks: Array<{ pid: number; command: string; secret: string }>;
  seen: string[];
  samples: number;
}

/**
 * Samples every process's command line (every `intervalMs`, 100 ms by default: a JVM lives for seconds) from start
 * until stop, and reports each process that showed a secret. `watchFor` names commands the caller expects to run
 * (substrings of their command lines): `seen` tells which did, so a check cannot pass because it looked too late.
 */
export class CommandLineWatch {
  private constructor(
    private readonly worker: Worker,
    private readonly stopFlag: Int32Array,
    private readonly secrets: NamedSecret[],
    private readonly result: Promise<RawFindings>,
  ) {}

  static start(secrets: readonly NamedSecret[], opts: { intervalMs?: number; watchFor?: string[] } = {}) {
    const all = checked(secrets);
    const stop = new SharedArrayBuffer(4);
    // The secrets go to the worker in memory (workerData), never through argv or the environment.
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { secrets: all, watchFor: opts.watchFor ?? [], intervalMs: opts.intervalMs ?? 100, stop },
    });
    const result = new Promise<RawFindings>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`the command line watch exited with ${code} before reporting`)));
    });
    // A failed worker is reported by stop(); until then its rejection must not count as unhandled.
    result.catch(() => undefined);
    return new CommandLineWatch(worker, new Int32Array(stop), all, result);
  }

  async stop(): Promise<CommandLineFindings> {
    Atomics.store(this.stopFlag, 0, 1);
    Atomics.notify(this.stopFlag, 0);
    try {
      const raw = await this.result;
      return {
        leaks: raw.leaks.map(
          (l) => `pid ${l.pid} \`${nameSecrets(l.command, this.secrets).slice(0, 600)}\`: ${l.secret}`,
        ),
        seen: raw.seen,
        samples: raw.samples,
      };
    } finally {
      await this.worker.terminate();
    }
  }
}

/** Every regular file under dir (none when dir does not exist). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return filesUnder(path);
    return e.isFile() ? [path] : [];
  });
}

/** Sizes of the files under dir now: what a run appends afterwards starts there. */
export function fileSizes(dir: string): Map<string, number> {
  return new Map(filesUnder(dir).map((f) => [f, statSync(f).size]));
}

/**
 * Each file (from its offset in `since` when it was already there, whole when new) that contains a secret:
 * "path: kafka password of app", one per file and secret.
 */
export function fileLeaks(
  files: readonly string[],
  secrets: readonly NamedSecret[],
  since: ReadonlyMap<string, number> = new Map(),
): string[] {
  const all = checked(secrets);
  return files.flatMap((path) => {
    const content = readFileSync(path);
    // A file that shrank was rewritten since: all of it is new.
    const from = since.get(path) ?? 0;
    const text = content.subarray(from <= content.length ? from : 0).toString("utf8");
    return all.filter((s) => text.includes(s.value)).map((s) => `${path}: ${s.name}`);
  });
}
