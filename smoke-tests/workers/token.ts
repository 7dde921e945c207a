// How a worker proves the coordinator started it: one random token per run, handed to every worker outside argv (its
// environment; on Kubernetes a Secret), and each worker's hello carrying a token derived from the run's and its index,
// so the run's token itself never crosses the network.
import { createHmac, randomBytes } from "node:crypto";

export function newRunToken(): string {
  return randomBytes(16).toString("hex");
}

/** Pure: worker `index`'s token for its hello, from the run's token. */
export function workerToken(runToken: string, index: number): string {
  return createHmac("sha256", runToken).update(`worker ${index}`).digest("hex").slice(0, 32);
}
