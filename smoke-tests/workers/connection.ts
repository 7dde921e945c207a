// Where a worker reports, and as whom: read from its environment, as the pool (processes) or a Kubernetes Indexed Job
// (pods) set it. A module of its own with no client behind it, so a scripted worker in the tests reads it the same way.
import { readFileSync } from "node:fs";
import { workerToken } from "./token";

export interface WorkerConnection {
  host: string;
  port: number;
  index: number;
  /** Its own token for its hello (token.ts), derived from the run's. */
  token: string;
}

/**
 * Pure but for `readToken`: the worker's connection from its environment. MP_WORKER_INDEX, or JOB_COMPLETION_INDEX as a
 * Kubernetes Indexed Job sets it; the run's token in MP_WORKER_TOKEN (a process), or in the file MP_WORKER_TOKEN_FILE
 * names (a pod: the Secret mounted as a file). Every problem names the variable, its value (never the token's) and
 * the rule.
 */
export function workerConnectionFrom(
  env: NodeJS.ProcessEnv,
  readToken: (path: string) => string = (path) => readFileSync(path, "utf8"),
): WorkerConnection {
  const collector = env.MP_WORKER_COLLECTOR ?? "";
  const m = /^([^:\s]+):(\d{1,5})$/.exec(collector);
  if (!m) throw new Error(`MP_WORKER_COLLECTOR = ${JSON.stringify(collector)} must be <host>:<port>`);
  const indexText = env.MP_WORKER_INDEX ?? env.JOB_COMPLETION_INDEX ?? "";
  if (!/^\d+$/.test(indexText)) {
    throw new Error(`MP_WORKER_INDEX = ${JSON.stringify(indexText)} must be a worker index (an integer ≥ 0)`);
  }
  const file = env.MP_WORKER_TOKEN === undefined ? env.MP_WORKER_TOKEN_FILE : undefined;
  let token = env.MP_WORKER_TOKEN ?? "";
  if (file !== undefined) {
    try {
      token = readToken(file).trim();
    } catch (err) {
      throw new Error(
        `MP_WORKER_TOKEN_FILE = ${JSON.stringify(file)} must be a readable file with the run's token: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  if (!/^[0-9a-f]{16,}$/.test(token)) {
    throw new Error(
      `${file === undefined ? "MP_WORKER_TOKEN" : `the file MP_WORKER_TOKEN_FILE names (${file})`} must hold the hex token its coordinator gave it`,
    );
  }
  const index = Number(indexText);
  return { host: m[1] as string, port: Number(m[2]), index, token: workerToken(token, index) };
}
