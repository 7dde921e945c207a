// Each worker's part of a merged run: the one throughput figure split by who produced it. Pure.
import type { WorkloadOptions } from "../workload/workload";

/** One worker's load: the same shape, the rate divided by the workers (as fast as it can stays as fast as it can). */
export function workerShareOf(load: WorkloadOptions, workers: number): WorkloadOptions {
  return load.ratePerSec === undefined ? load : { ...load, ratePerSec: load.ratePerSec / workers };
}

export interface WorkerTally {
  worker: string;
  acknowledged: number;
  delivered: number;
  /** The worker was gone before it closed, with this many writes in flight (counted unknown). */
  gone?: { inFlight: number };
  /** Its CPU (user + system) while producing and consuming its share; absent for a worker gone before it stopped. */
  cpuMicros?: number;
}

export interface WorkerShare extends WorkerTally {
  /**
   * All its acknowledged writes (in-flight ones acknowledged after the load ended too) over the load's window (steady
   * to drain): the merged rate of the whole run, split by worker.
   */
  ackedPerSec: number;
  /** Of all acknowledged writes, 0..1. */
  fraction: number;
  /** Cores it kept busy over the load (its CPU seconds over the load's seconds). */
  cores?: number;
}

/** `loadMs`: the same window the throughput line's rate is over, so the two figures agree. */
export function workerShares(tallies: readonly WorkerTally[], loadMs: number): WorkerShare[] {
  const total = tallies.reduce((sum, t) => sum + t.acknowledged, 0);
  const seconds = loadMs / 1000;
  return tallies.map((t) => ({
    ...t,
    ackedPerSec: seconds > 0 ? t.acknowledged / seconds : 0,
    fraction: total > 0 ? t.acknowledged / total : 0,
    ...(t.cpuMicros !== undefined && seconds > 0 ? { cores: t.cpuMicros / 1e6 / seconds } : {}),
  }));
}

/**
 * Acknowledged messages per CPU second over the workers that said their CPU: what one core of a worker carries, the
 * figure a capacity plan divides by. Undefined when no worker said.
 */
export function perCoreRate(shares: readonly WorkerShare[]): number | undefined {
  const measured = shares.filter((s) => s.cores !== undefined && s.cores > 0);
  const cores = measured.reduce((sum, s) => sum + (s.cores ?? 0), 0);
  if (cores === 0) return undefined;
  return measured.reduce((sum, s) => sum + s.ackedPerSec, 0) / cores;
}

/**
 * "workers: 2, shares of 1000 msg/s acknowledged: w0 600 msg/s (60%, 0.41 cores), w1 400 msg/s (40%), then gone with
 * 40 in flight (unknown); 1463 msg/s per worker core": the merged figure first, so each share reads as a part of it.
 */
export function sharesText(shares: readonly WorkerShare[]): string {
  const one = (s: WorkerShare) => {
    const cores = s.cores === undefined ? "" : `, ${s.cores.toFixed(2)} cores`;
    const rate = `${s.ackedPerSec.toFixed(0)} msg/s (${(s.fraction * 100).toFixed(0)}%${cores})`;
    return s.gone
      ? `${s.worker} ${rate}, then gone with ${s.gone.inFlight} in flight (unknown)`
      : `${s.worker} ${rate}`;
  };
  const total = shares.reduce((sum, s) => sum + s.ackedPerSec, 0);
  const perCore = perCoreRate(shares);
  return (
    `workers: ${shares.length}, shares of ${total.toFixed(0)} msg/s acknowledged: ${shares.map(one).join(", ")}` +
    (perCore === undefined ? "" : `; ${perCore.toFixed(0)} msg/s per worker core`)
  );
}
