// What a scenario is and what its nemesis may call: the contract between the scenarios (scenarios.ts and the drills
// in files of their own) and the runner (run-drill.ts), apart from both so neither imports the other.

import type { SystemName } from "../../contract/systems";
import type { KillRecord } from "../faults/kill-mode";
import type { FullServiceRecord } from "../faults/restart-all";
import type { FaultInjector, KillMode, NodeControl, StackChanger } from "../faults/types";
import type { SystemHarness } from "./harness";

export interface NemesisContext {
  harness: SystemHarness;
  faults: FaultInjector;
  /** Records a fault/heal/phase/note on the timeline (and the live progress line), at `at` (epoch ms; default now). */
  mark(kind: "fault" | "heal" | "phase" | "note", label: string, at?: number): void;
  /** The latest fault took effect at `at` (epoch ms, as the injector reported it): recovery is timed from here. */
  landed(at: number): void;
  /** How this drill's kills bring a node back (settings.kill, or the target's default): one mode per drill. */
  killMode: KillMode;
  /** A kill landed: the report names its mode. */
  killed(kill: KillRecord): void;
  /** A system's time from the landing back to full service (restart-all): the report gives one line per system. */
  fullService(record: FullServiceRecord): void;
  /** The drill let a held-down node go at `at` (epoch ms): the report says how long it was held down. */
  released(node: string, at: number): void;
  /** Waits until the health probe reports healthy, or fails naming the timeout. */
  waitHealthy(timeoutMs: number): Promise<void>;
  /** Waits until a publish is acknowledged after `since`, or until the timeout (then returns false). */
  waitForAckAfter(since: number, timeoutMs: number): Promise<boolean>;
  /** Polls a condition until it holds or the timeout passes; returns whether it held. */
  waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean>;
  /**
   * What the scenario saw of its fault: did it take effect (the leader moved, the node was seen down)? A fault
   * counts only if it happened: a scenario that reports nothing, or a fault that did not happen, fails the drill.
   */
  effect(tookEffect: boolean, detail: string): void;
  /** A verdict line of the scenario's own (node-drain: "never below what a write needs"), after the common ones. */
  check(name: string, passed: boolean, detail: string): void;
  sleep(ms: number): Promise<void>;
  /**
   * With settings.holdForAlerts on a target with Prometheus: keeps the fault on until the alerts it should raise fire
   * (at most their `for` window and slack from the landing), so the platform's view can notice it; else returns at once.
   */
  holdForPlatform(): Promise<void>;
  settings: DrillSettings;
  /** The Pulumi stack behind the target, when the target is one (MP_TARGET=stack:<name>): for rolling-update. */
  stack?: StackChanger;
  /** Whole-node faults, where the target's nodes are this machine's (operations/ provides it): for node-freeze. */
  nodes?: NodeControl;
}

export interface DrillSettings {
  /** Load before the first fault, so the baseline is known. */
  steadyMs: number;
  /** How long a partition or pause is held, and the longest a killed node stays down. */
  faultMs: number;
  /** Load after the last heal, before the drain. */
  afterMs: number;
  /** Rounds for repeated-kills. */
  rounds: number;
  /** Longest wait for the cluster to be healthy again after a heal. */
  healthTimeoutMs: number;
  /** Longest the clients may wait after a fault for their next acknowledged write (default: faultMs). */
  recoveryBoundMs?: number;
  /** How a killed node comes back (KillMode); absent: the target's default, hold-down (kill-mode.ts killModeFor). */
  kill?: KillMode;
  /** Hold each fault until the platform's expected alerts fire (targets with Prometheus; off unless asked for). */
  holdForAlerts?: boolean;
  /** The node a whole-node drill acts on (node-lost); absent: the scenario's own choice (the leader's node). */
  node?: string;
  /**
   * Kafka: before the load, wait up to this long until every partition of the drill's topic is led by its preferred
   * replica (./preferred-leaders.ts), so that no rebalance left by an earlier drill lands in this one's window.
   */
  settleLeadersMs?: number;
}

/** What else a preflight may look at: the drill's settings and, where the target's nodes are this machine's, its nodes. */
export interface PreflightRun {
  settings: DrillSettings;
  nodes?: NodeControl;
}

export interface Scenario {
  name: string;
  summary: string;
  /** How long its fault lasts unless --fault-seconds says otherwise (default: the drills' 15 s). */
  defaultFaultSeconds?: number;
  /** The recovery bound unless --recovery-bound-seconds says otherwise (default: the drills' 30 s). */
  defaultRecoveryBoundSeconds?: number;
  systems: SystemName[];
  /** Runs beside the in-cluster gate (which uses the declared topic and queue): use a topic and queue of its own. */
  besideTheGate?: boolean;
  /** Checked before any load starts: throws the refusal, naming the rule, when this target cannot run the scenario. */
  preflight?(harness: SystemHarness, faults: FaultInjector, run?: PreflightRun): Promise<void>;
  nemesis(ctx: NemesisContext): Promise<void>;
}
