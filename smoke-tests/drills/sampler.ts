// A reading taken once a second while a drill's fault runs (redundancy during a roll or a drain, every partition
// while a broker is rebuilt): what was seen, and how many readings failed (reported, not hidden).

export interface Sampled<T> {
  samples: T[];
  failed: number;
}

export interface Sampling<T> {
  stop(): Promise<Sampled<T>>;
}

/**
 * Reads once a second until stopped; a reading that fails is counted, not kept. `sleep` is the drill's (a test's runs
 * on its clock). With `lastOnStop`, stopping takes one more reading, so the samples end with the state the drill ended
 * in.
 */
export function sampleEverySecond<T>(
  read: () => Promise<T>,
  sleep: (ms: number) => Promise<void>,
  opts: { lastOnStop?: boolean } = {},
): Sampling<T> {
  const samples: T[] = [];
  let failed = 0;
  let on = true;
  const take = async () => {
    const s = await read().then(
      (v) => ({ v }),
      () => undefined,
    );
    if (s) samples.push(s.v);
    else failed++;
  };
  const loop = (async () => {
    while (on) {
      await take();
      await sleep(1_000);
    }
  })();
  return {
    async stop() {
      on = false;
      await loop;
      if (opts.lastOnStop) await take();
      return { samples, failed };
    },
  };
}
