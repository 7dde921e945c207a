// What the smoke gate checks and how hard: which systems, whether a broker is killed, how many messages, and the
// throughput floors. Pure data with one validator, shared by the stack config (infra/settings.ts reads `gate:`) and
// the target (a stack's `target.gate` output), so a floor is written once, in Pulumi.<stack>.yaml.
import { defaultKafkaClient, isKafkaClientName, type KafkaClientName, kafkaClientNames } from "./kafka-clients";
import type { SystemName } from "./systems";

export interface ThroughputFloor {
  /** Acknowledged messages per second the system must sustain. */
  messagesPerSec: number;
  /** Highest acceptable p99 publish (ack) latency; omitted = not checked. */
  publishP99Ms?: number;
}

export interface GateSettings {
  systems: SystemName[];
  /** The Kafka client library the gate's producers use (the one the applications on this cluster use). */
  kafkaClient: KafkaClientName;
  /** Kill the leader under load and count; production stacks may turn it off (the default there). */
  nodeFailure: boolean;
  /**
   * The node-failure and throughput loads as this many workers, merged into one ledger (1: in the gate's process).
   * Optional so a stack config or target written before it still reads; absent means 1.
   */
  workers?: number;
  durability: {
    steadyMs: number;
    faultMs: number;
    afterMs: number;
    ratePerSec: number;
    drainQuietMs: number;
    /** Longest the clients may wait after the leader dies for their next acknowledged write. */
    recoveryBoundMs: number;
  };
  throughput: {
    durationMs: number;
    messageBytes: number;
    publishers: number;
    batchSize: number;
    inFlightBatches: number;
    floors: Record<SystemName, ThroughputFloor>;
  };
}

/** Sized for the embedded default on 2 cores: the whole gate well under two minutes. */
export const defaultGateSettings: GateSettings = {
  systems: ["kafka", "rabbitmq"],
  kafkaClient: defaultKafkaClient,
  nodeFailure: true,
  durability: {
    steadyMs: 3_000,
    faultMs: 15_000,
    afterMs: 2_000,
    ratePerSec: 1_000,
    drainQuietMs: 30_000,
    // Kafka fences a hard-killed broker after broker.session.timeout.ms (9 s), and kafkajs then needs a metadata
    // refresh: 30 s leaves room on a busy machine while catching a client that never recovers.
    recoveryBoundMs: 30_000,
  },
  throughput: {
    durationMs: 8_000,
    messageBytes: 1024,
    publishers: 2,
    batchSize: 100,
    inFlightBatches: 4,
    floors: { kafka: { messagesPerSec: 1_000 }, rabbitmq: { messagesPerSec: 500 } },
  },
};

/**
 * The rate of the load a node failure is tested under: the requested rate, never below the system's throughput floor
 * (a fault must catch messages mid-air at the rate the stack promises). Used by the gate and `npm run drill`.
 */
export function nodeFailureRate(requested: number, gate: GateSettings | undefined, system: SystemName): number {
  return Math.max(requested, gate?.throughput.floors[system].messagesPerSec ?? 0);
}

export interface GateProblem {
  field: string;
  value: unknown;
  rule: string;
}

/** How many worker processes (or pods) may run the load: each a full client set, so a few dozen at most. */
export const workersRange = [1, 64] as const;

/** Inclusive integer ranges: wide enough for any real cluster, narrow enough to catch a unit mistake (s vs ms). */
const durabilityRanges = {
  steadyMs: [1_000, 600_000],
  faultMs: [1_000, 600_000],
  afterMs: [0, 600_000],
  ratePerSec: [1, 100_000],
  drainQuietMs: [1_000, 1_800_000],
  recoveryBoundMs: [1, 600_000],
} as const;
const throughputRanges = {
  durationMs: [1_000, 3_600_000],
  // The envelope (id, send time) needs about 60 bytes; 1 MiB is both brokers' comfortable maximum.
  messageBytes: [64, 1_048_576],
  publishers: [1, 64],
  batchSize: [1, 10_000],
  inFlightBatches: [1, 1_000],
} as const;
const systemNames: readonly SystemName[] = ["kafka", "rabbitmq"];

type Rec = Record<string, unknown>;
const isRecord = (v: unknown): v is Rec => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Validates `raw` (a partial GateSettings, e.g. from stack config) and merges it over `base`. Every problem is
 * returned at once, each naming `<key>.<path>`, the value and the rule; settings are returned only without problems.
 */
export function parseGateSettings(
  raw: unknown,
  key: string,
  base: GateSettings = defaultGateSettings,
): { settings?: GateSettings; problems: GateProblem[] } {
  const problems: GateProblem[] = [];
  const add = (field: string, value: unknown, rule: string) => problems.push({ field: `${key}.${field}`, value, rule });
  const known = (path: string, o: Rec, keys: readonly string[]) => {
    for (const k of Object.keys(o)) {
      if (!keys.includes(k)) add(path ? `${path}.${k}` : k, o[k], `is not a known setting (known: ${keys.join(", ")})`);
    }
  };
  const section = (path: string, v: unknown): Rec => {
    if (v === undefined) return {};
    if (isRecord(v)) return v;
    add(path, v, "must be a mapping");
    return {};
  };
  /** A section of integers, each within its range: merged over `base`, unknown keys (but `extra`) reported. */
  const ints = <T extends Record<string, number>>(
    path: string,
    v: unknown,
    ranges: Record<string, readonly [number, number]>,
    base: T,
    extra: string[] = [],
  ): { values: T; section: Rec } => {
    const o = section(path, v);
    known(path, o, [...Object.keys(ranges), ...extra]);
    const values: Record<string, number> = { ...base };
    for (const [k, [min, max]] of Object.entries(ranges)) {
      const x = o[k];
      if (x === undefined) continue;
      if (typeof x === "number" && Number.isInteger(x) && x >= min && x <= max) values[k] = x;
      else add(`${path}.${k}`, x, `must be an integer from ${min} to ${max}`);
    }
    return { values: values as T, section: o };
  };
  /** An optional number the rule accepts; undefined keeps the base. */
  const num = (path: string, v: unknown, ok: (n: number) => boolean, rule: string): number | undefined => {
    if (v === undefined) return undefined;
    if (typeof v === "number" && Number.isFinite(v) && ok(v)) return v;
    add(path, v, rule);
    return undefined;
  };

  if (raw !== undefined && !isRecord(raw)) {
    problems.push({ field: key, value: raw, rule: "must be a mapping" });
    return { problems };
  }
  const g = raw ?? {};
  known("", g, ["systems", "kafkaClient", "nodeFailure", "workers", "durability", "throughput"]);

  let systems = base.systems;
  if (g.systems !== undefined) {
    const list = g.systems;
    if (!Array.isArray(list) || list.length === 0)
      add("systems", list, 'must be a non-empty list of "kafka", "rabbitmq"');
    else {
      list.forEach((s, i) => {
        if (!systemNames.includes(s as SystemName)) add(`systems[${i}]`, s, 'must be "kafka" or "rabbitmq"');
      });
      if (new Set(list).size !== list.length) add("systems", list, "names a system more than once");
      systems = list as SystemName[];
    }
  }

  let kafkaClient = base.kafkaClient;
  if (g.kafkaClient !== undefined) {
    if (isKafkaClientName(g.kafkaClient)) kafkaClient = g.kafkaClient;
    else add("kafkaClient", g.kafkaClient, `must be one of ${kafkaClientNames.join(", ")}`);
  }

  let nodeFailure = base.nodeFailure;
  if (g.nodeFailure !== undefined) {
    if (typeof g.nodeFailure === "boolean") nodeFailure = g.nodeFailure;
    else add("nodeFailure", g.nodeFailure, "must be true or false");
  }

  let workers = base.workers;
  if (g.workers !== undefined) {
    const [min, max] = workersRange;
    const w = g.workers;
    if (typeof w === "number" && Number.isInteger(w) && w >= min && w <= max) workers = w;
    else add("workers", w, `must be an integer from ${min} to ${max}`);
  }

  const durability = ints("durability", g.durability, durabilityRanges, base.durability).values;
  const { floors: baseFloors, ...baseSizes } = base.throughput;
  const sizes = ints("throughput", g.throughput, throughputRanges, baseSizes, ["floors"]);
  const tp = { ...sizes.values, floors: { ...baseFloors } };
  const floors = section("throughput.floors", sizes.section.floors);
  known("throughput.floors", floors, systemNames);
  for (const system of systemNames) {
    const path = `throughput.floors.${system}`;
    const f = section(path, floors[system]);
    known(path, f, ["messagesPerSec", "publishP99Ms"]);
    const floor: ThroughputFloor = { ...baseFloors[system] };
    const rate = num(
      `${path}.messagesPerSec`,
      f.messagesPerSec,
      (n) => n >= 0,
      "must be a number ≥ 0 (messages per second)",
    );
    if (rate !== undefined) floor.messagesPerSec = rate;
    const p99 = num(`${path}.publishP99Ms`, f.publishP99Ms, (n) => n > 0, "must be a number > 0 (milliseconds)");
    if (p99 !== undefined) floor.publishP99Ms = p99;
    tp.floors[system] = floor;
  }
  if (problems.length > 0) return { problems };
  return {
    settings: {
      systems,
      kafkaClient,
      nodeFailure,
      ...(workers === undefined ? {} : { workers }),
      durability,
      throughput: tp,
    },
    problems,
  };
}
