// Where our side's time went in the bench, from V8 CPU profiles (the .cpuprofile JSON node:inspector writes): self time
// per function and per package, so a client below its target shows why (issue 28: "a CPU profile of the run instead
// of a lower target"). Pure: a profile in, figures out.

/** The parts of a .cpuprofile this reads (Chrome DevTools protocol, Profiler.Profile). */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber?: number };
    children?: number[];
  }>;
  /** µs. */
  startTime: number;
  endTime: number;
  /** The node each sample hit, in time order. */
  samples?: number[];
  /** µs before each sample (the first from startTime). */
  timeDeltas?: number[];
}

export interface ProfiledFunction {
  name: string;
  /** Where it is defined: the file (relative to the repository, or from node_modules on) and line. */
  where: string;
  pkg: string;
  selfMs: number;
}

export interface ProfileSummary {
  sampledMs: number;
  /** Sampled minus idle: the CPU this process spent. */
  busyMs: number;
  /** Self time per package, most first. */
  packages: Array<{ pkg: string; selfMs: number }>;
  /** The functions with the most self time, idle left out. */
  top: ProfiledFunction[];
}

export const idle = "idle";
const pseudoFrames: Record<string, string> = {
  "(garbage collector)": "GC",
  "(idle)": idle,
  "(program)": "V8 and native (program)",
  "(root)": "V8 and native (program)",
};

function filePath(url: string): string {
  return url.startsWith("file://") ? decodeURIComponent(url.slice("file://".length)) : url;
}

/**
 * Pure: the package a frame belongs to: node_modules/<pkg> (scoped names whole), our files by folder relative to
 * `root`, node's own JavaScript and native builtins as "node internals", and V8's pseudo-frames (GC, idle, program).
 */
export function packageOf(callFrame: { functionName: string; url: string }, root: string): string {
  const pseudo = pseudoFrames[callFrame.functionName];
  if (pseudo && callFrame.url === "") return pseudo;
  const url = callFrame.url;
  if (url === "" || url.startsWith("node:")) return "node internals";
  const path = filePath(url);
  const at = path.lastIndexOf("/node_modules/");
  if (at >= 0) {
    const [first = "", second = ""] = path.slice(at + "/node_modules/".length).split("/");
    return first.startsWith("@") ? `${first}/${second}` : first;
  }
  const base = root.endsWith("/") ? root : `${root}/`;
  const relative = path.startsWith(base) ? path.slice(base.length) : path;
  const slash = relative.lastIndexOf("/");
  return slash > 0 ? relative.slice(0, slash) : relative;
}

/** Pure: where a frame is defined, short: from node_modules on, or relative to root; line 1-based. */
function whereOf(callFrame: { url: string; lineNumber?: number }, root: string): string {
  if (callFrame.url === "") return "native";
  const path = filePath(callFrame.url);
  const at = path.lastIndexOf("/node_modules/");
  const base = root.endsWith("/") ? root : `${root}/`;
  const short = at >= 0 ? path.slice(at + 1) : path.startsWith(base) ? path.slice(base.length) : path;
  return callFrame.lineNumber === undefined || callFrame.lineNumber < 0
    ? short
    : `${short}:${callFrame.lineNumber + 1}`;
}

/**
 * Pure: self time per profile node, in µs. Sample i lasts until sample i+1 (the next time delta), the last until the
 * profile's end: as Chrome DevTools counts.
 */
export function selfTimes(profile: CpuProfile): Map<number, number> {
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const self = new Map<number, number>();
  let at = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    at += deltas[i] ?? 0;
    const next = i + 1 < samples.length ? at + (deltas[i + 1] ?? 0) : profile.endTime;
    const node = samples[i] as number;
    self.set(node, (self.get(node) ?? 0) + Math.max(0, next - at));
  }
  return self;
}

/** Pure: the profiles of several rounds as one: self time per function and per package, `top` functions. */
export function summarizeProfiles(profiles: readonly CpuProfile[], root: string, top = 10): ProfileSummary {
  const functions = new Map<string, ProfiledFunction>();
  const packages = new Map<string, number>();
  let sampledUs = 0;
  for (const profile of profiles) {
    const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    for (const [id, us] of selfTimes(profile)) {
      const frame = frames.get(id);
      if (!frame) continue;
      sampledUs += us;
      const pkg = packageOf(frame, root);
      packages.set(pkg, (packages.get(pkg) ?? 0) + us);
      const name = frame.functionName || "(anonymous)";
      const where = whereOf(frame, root);
      const key = `${pkg}\u0000${name}\u0000${where}`;
      const f = functions.get(key) ?? { name, where, pkg, selfMs: 0 };
      f.selfMs += us / 1000;
      functions.set(key, f);
    }
  }
  const idleMs = (packages.get(idle) ?? 0) / 1000;
  return {
    sampledMs: sampledUs / 1000,
    busyMs: sampledUs / 1000 - idleMs,
    packages: [...packages]
      .map(([pkg, us]) => ({ pkg, selfMs: us / 1000 }))
      .sort((a, b) => b.selfMs - a.selfMs || a.pkg.localeCompare(b.pkg)),
    top: [...functions.values()]
      .filter((f) => f.pkg !== idle)
      .sort((a, b) => b.selfMs - a.selfMs || a.name.localeCompare(b.name))
      .slice(0, top),
  };
}

const ms = (v: number) => Math.round(v).toLocaleString("en");
const pct = (v: number, of: number) => `${of > 0 ? ((100 * v) / of).toFixed(1) : "0.0"}%`;

/**
 * Pure: what the terminal shows of one summary: sampled and busy time, self time by package (share of the sampled
 * time), then the top functions by self time with their package.
 */
export function profileLines(label: string, s: ProfileSummary, files: readonly string[]): string[] {
  const byPackage = s.packages.map((p) => `${p.pkg} ${pct(p.selfMs, s.sampledMs)}`).join(", ");
  return [
    `  CPU profile of ${label}: ${ms(s.sampledMs)} ms sampled, ${ms(s.busyMs)} ms busy (${pct(s.busyMs, s.sampledMs)}); ${files.join(", ")}`,
    `    self time by package: ${byPackage}`,
    "    self ms  self %  package                    function",
    ...s.top.map(
      (f) =>
        `    ${ms(f.selfMs).padStart(7)}  ${pct(f.selfMs, s.sampledMs).padStart(6)}  ${f.pkg.padEnd(25)}  ${f.name} (${f.where})`,
    ),
  ];
}
