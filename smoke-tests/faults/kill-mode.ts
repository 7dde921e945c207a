// Pure: which kill a drill runs (hold-down, crash-restart or the decoy, see KillMode) on which injector, and what the reports say
// about the kills it ran, so a report never leaves open which of two different faults it measured.
import type { FaultInjector, KillMode } from "./types";

/** Every kill mode, as the drills' `--kill` flag spells them. */
export const killModes: readonly KillMode[] = ["crash-restart", "hold-down", "decoy"];

/**
 * The kill modes each injector offers. The embedded default only holds down: a killed node has nothing that restarts
 * it until the drill does. Kubernetes both: its kubelet restarts a killed container, and the charts' hold-down hook
 * keeps the restarted container waiting.
 */
export const killModesOf: Record<FaultInjector["kind"], readonly KillMode[]> = {
  embedded: ["hold-down"],
  kubernetes: ["hold-down", "crash-restart", "decoy"],
};

/** The default everywhere: the same fault on both kinds of target, so their drills compare. */
export const defaultKillMode: KillMode = "hold-down";

/** `--kill <value>` read into a kill mode, or an error naming flag, value and rule. */
export function parseKillMode(value: string): KillMode {
  const mode = killModes.find((m) => m === value);
  if (!mode)
    throw new Error(`--kill = ${value} is not a kill mode: crash-restart, hold-down or decoy (a deliberate break)`);
  return mode;
}

/** The kill mode a drill runs on `kind`: the one asked for, or the default; an error when `kind` cannot run it. */
export function killModeFor(requested: KillMode | undefined, kind: FaultInjector["kind"]): KillMode {
  const mode = requested ?? defaultKillMode;
  if (!killModesOf[kind].includes(mode)) {
    throw new Error(
      `--kill = ${mode}: the ${kind} target offers only ${killModesOf[kind].join(", ")} (${
        mode === "decoy"
          ? "the decoy runs beside a broker in its container"
          : "a killed embedded node has nothing that restarts it but the drill"
      })`,
    );
  }
  return mode;
}

/** One kill a drill ran, for the report: its mode, when it landed and, when held down, when the drill let it go. */
export interface KillRecord {
  /** The fault's label on the timeline. */
  fault: string;
  node: string;
  mode: KillMode;
  /** Epoch ms, as the injector reported it. */
  landedAt: number;
  /** Epoch ms: when the drill let a held-down node go; absent when it never did (or nothing held it). */
  releasedAt?: number;
}

/** How one kill's node came back: "held down 18.2 s", "held down, never released by the drill" or "restarted by the kubelet". */
function comeBack(k: KillRecord): string {
  if (k.mode === "crash-restart") return "restarted by the kubelet";
  if (k.mode === "decoy") return "a decoy beside the broker, the broker untouched";
  if (k.releasedAt === undefined) return "held down, never released by the drill";
  return `held down ${((k.releasedAt - k.landedAt) / 1000).toFixed(1)} s`;
}

/** "kill (held down 18.2 s)" or "kill (restarted by the kubelet)": what one kill was. */
export function describeKill(k: KillRecord): string {
  return `kill (${comeBack(k)})`;
}

/**
 * What a run's kills were, in one phrase: "kill (held down 18.2 s)"; several of one mode as "3 kills (held down
 * 9.1 s, 12.0 s, 8.7 s)" or "3 kills (restarted by the kubelet)". Undefined when the run killed nothing.
 */
export function killsText(kills: readonly KillRecord[]): string | undefined {
  const [first] = kills;
  if (!first) return undefined;
  if (kills.length === 1) return describeKill(first);
  if (kills.some((k) => k.mode !== first.mode)) return kills.map(describeKill).join("; ");
  if (first.mode !== "hold-down") return `${kills.length} kills (${comeBack(first)})`;
  return `${kills.length} kills (held down ${kills.map((k) => comeBack(k).replace(/^held down /, "")).join(", ")})`;
}

/** Pure fold: the kills with `node`'s latest unreleased hold-down let go at `at`. */
export function releaseKill(kills: readonly KillRecord[], node: string, at: number): KillRecord[] {
  const i = kills.findLastIndex((k) => k.node === node && k.mode === "hold-down" && k.releasedAt === undefined);
  return kills.map((k, j) => (j === i ? { ...k, releasedAt: at } : k));
}
