// `npm run bench -- --profile`: a V8 CPU profile of each of our rounds, taken in this process (node:inspector), one
// .cpuprofile per round in the bench's report folder (Chrome DevTools and speedscope open them), summarized per client.
// Only our rounds are profiled: the reference tools run in their own JVM.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join } from "node:path";
import { type CpuProfile, type ProfileSummary, summarizeProfiles } from "./profile-summary";

/** Sampling interval, µs: V8's default, fine enough for functions of a few µs per message over a round of seconds. */
const samplingIntervalUs = 1_000;

export interface ProfiledRuns {
  /** Whose time: "kafka, kafkajs producer", "kafka, keep-up round, platformatic consumer". */
  label: string;
  files: string[];
  summary: ProfileSummary;
}

export class CpuProfiler {
  private session: Session | undefined;
  private readonly runs = new Map<string, { files: string[]; profiles: CpuProfile[] }>();

  /** `dir`: where the .cpuprofile files go; `root`: our files are named relative to it (the repository). */
  constructor(
    private readonly dir: string,
    private readonly root: string,
  ) {}

  /** Runs `body` under the profiler; its profile is written as `<file>.cpuprofile` and counted under `label`. */
  async around<T>(label: string, file: string, body: () => Promise<T>): Promise<T> {
    if (!this.session) {
      this.session = new Session();
      this.session.connect();
      await this.session.post("Profiler.enable");
      await this.session.post("Profiler.setSamplingInterval", { interval: samplingIntervalUs });
    }
    const session = this.session;
    await session.post("Profiler.start");
    try {
      return await body();
    } finally {
      const { profile } = await session.post("Profiler.stop");
      const path = join(this.dir, `${file}.cpuprofile`);
      writeFileSync(path, JSON.stringify(profile));
      const run = this.runs.get(label) ?? { files: [], profiles: [] };
      run.files.push(path);
      run.profiles.push(profile as CpuProfile);
      this.runs.set(label, run);
    }
  }

  /** Every label's rounds as one summary, in the order first profiled; the profiles are let go. */
  summaries(): ProfiledRuns[] {
    const out = [...this.runs].map(([label, r]) => ({
      label,
      files: r.files,
      summary: summarizeProfiles(r.profiles, this.root),
    }));
    this.runs.clear();
    return out;
  }

  close(): void {
    this.session?.disconnect();
    this.session = undefined;
  }
}
