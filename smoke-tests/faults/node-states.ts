// The Kubernetes nodes' states over a drill, for the report's timeline: the Node list read about once a second while
import { within } from "../workload/within";
// the drill runs, each read folded into one state per node, and the reads folded into segments per node. Sampling
// never breaks a drill: a read that fails or hangs is recorded as a read that said nothing ("unknown").

/** One Node as a read saw it: its Ready condition's status ("True", "False", "Unknown") and spec.unschedulable. */
export interface NodeReading {
  name: string;
  ready: string;
  unschedulable: boolean;
}

/** One read of the Node list, ms since the drill's timeline start; `nodes` absent when the read failed. */
export interface NodeSample {
  atMs: number;
  nodes?: NodeReading[];
}

/** NotReady is a Ready condition False or Unknown; gone: no longer listed; unknown: the read failed. */
export type NodeState = "Ready" | "Ready, cordoned" | "NotReady" | "NotReady, cordoned" | "gone" | "unknown";

export interface NodeSegment {
  state: NodeState;
  fromMs: number;
  toMs: number;
}

export interface NodeLane {
  node: string;
  segments: NodeSegment[];
}

/** What a drill carries in its report: one lane per node, and how many reads answered. */
export interface NodeStates {
  lanes: NodeLane[];
  reads: number;
  failedReads: number;
  /** The last failed read's error, so an all-unknown lane says why. */
  lastError?: string;
}

/** Pure: one node's state from one reading. */
export function nodeState(reading: NodeReading): NodeState {
  const readiness = reading.ready === "True" ? "Ready" : "NotReady";
  return reading.unschedulable ? `${readiness}, cordoned` : readiness;
}

/**
 * Pure: per node, its state from each read until the next read, the last until `endMs`, equal neighbours merged.
 * A node's lane starts at the first read that lists it; a later successful read without it makes it "gone"; a failed
 * read says nothing about any node, so every node of the lanes is "unknown" until the next read.
 */
export function nodeSegments(samples: readonly NodeSample[], endMs: number): NodeLane[] {
  const ordered = [...samples].sort((a, b) => a.atMs - b.atMs);
  const names = [...new Set(ordered.flatMap((s) => (s.nodes ?? []).map((n) => n.name)))].sort();
  const lanes = new Map<string, NodeSegment[]>(names.map((n) => [n, []]));
  const seen = new Set<string>();
  ordered.forEach((sample, i) => {
    const toMs = Math.max(sample.atMs, ordered[i + 1]?.atMs ?? endMs);
    const byName = new Map((sample.nodes ?? []).map((n) => [n.name, n]));
    for (const name of names) {
      const reading = byName.get(name);
      if (reading) seen.add(name);
      const state: NodeState | undefined = !sample.nodes
        ? "unknown"
        : reading
          ? nodeState(reading)
          : seen.has(name)
            ? "gone"
            : undefined;
      if (!state) continue;
      const segments = lanes.get(name) as NodeSegment[];
      const last = segments.at(-1);
      if (last && last.state === state && last.toMs === sample.atMs) last.toMs = toMs;
      else segments.push({ state, fromMs: sample.atMs, toMs });
    }
  });
  return names.map((node) => ({ node, segments: lanes.get(node) as NodeSegment[] }));
}

/** A read a second; one that takes longer than the timeout counts as failed: a hung API server must not hold the drill. */
export const nodeReadPacing = { intervalMs: 1_000, timeoutMs: 5_000 };

/**
 * Reads the Node list about once a second from `startedAt` (epoch ms: the drill timeline's start) until stopped, then
 * folds the reads into lanes ending at the stop.
 */
export function watchNodeStates(
  read: () => Promise<NodeReading[]>,
  startedAt: number,
  { intervalMs, timeoutMs } = nodeReadPacing,
): { stop(): Promise<NodeStates> } {
  const samples: NodeSample[] = [];
  let failedReads = 0;
  let lastError: string | undefined;
  let on = true;
  // The pause between reads, cut short by stop.
  let pause: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
  const loop = (async () => {
    while (on) {
      const began = Date.now();
      try {
        const nodes = await within(read(), timeoutMs, `no answer within ${timeoutMs / 1000} s`);
        samples.push({ atMs: Date.now() - startedAt, nodes });
      } catch (err) {
        failedReads++;
        lastError = err instanceof Error ? err.message : String(err);
        samples.push({ atMs: Date.now() - startedAt });
      }
      if (!on) break;
      await new Promise<void>((resolve) => {
        pause = { timer: setTimeout(resolve, Math.max(0, intervalMs - (Date.now() - began))), resolve };
      });
    }
  })();
  return {
    async stop() {
      on = false;
      if (pause) {
        clearTimeout(pause.timer);
        pause.resolve();
      }
      await loop;
      return {
        lanes: nodeSegments(samples, Date.now() - startedAt),
        reads: samples.length,
        failedReads,
        ...(lastError ? { lastError } : {}),
      };
    },
  };
}
