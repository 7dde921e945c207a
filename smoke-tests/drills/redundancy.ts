// What a write could count on while a drill took pods down on purpose (a rolling update, a node drain): sampled once a
// second, and judged against what a durable write needs (Kafka: the topic's min ISR; RabbitMQ: a majority of members).

import type { Redundancy, SystemHarness } from "./harness";
import { sampleEverySecond } from "./sampler";

/** What a redundancy watch saw: the lowest margin (least − needed), how many samples answered and how many did not. */
export interface RedundancySeen {
  lowest?: Redundancy;
  seen: number;
  failed: number;
}

/**
 * Samples redundancy once a second until stopped and keeps the lowest margin seen, with how many samples failed (a
 * probe that cannot answer during a roll is reported, not hidden). `sleep` is the drill's (a test's runs on its clock).
 */
export function watchRedundancy(
  harness: SystemHarness,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((res) => setTimeout(res, ms)),
): { stop(): Promise<RedundancySeen> } {
  const sampling = sampleEverySecond(() => harness.redundancy(), sleep);
  return {
    async stop() {
      const { samples, failed } = await sampling.stop();
      // The first of the lowest margins (least − needed): the moment a write could count on least.
      const lowest = samples.reduce<Redundancy | undefined>(
        (low, r) => (!low || r.least - r.needed < low.least - low.needed ? r : low),
        undefined,
      );
      return { lowest, seen: samples.length, failed };
    },
  };
}

/** Pure: why redundancy was not kept at every sampled second (fell below what a write needs, or never sampled). */
export function redundancyProblem(redundancy: RedundancySeen): string | undefined {
  const low = redundancy.lowest;
  if (!low) return "no redundancy sample";
  return low.least >= low.needed ? undefined : `redundancy fell to ${low.least} < ${low.needed} (${low.detail})`;
}

/** Pure: how many samples were taken, for the report. */
export function redundancySamples(redundancy: RedundancySeen): string {
  return `${redundancy.seen} redundancy samples${redundancy.failed ? `, ${redundancy.failed} unanswered` : ""}`;
}
