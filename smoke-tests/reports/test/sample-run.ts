// A synthetic drill, run through the real ledger, stats and recovery code, for the report tests: 60 s of steady
// load with a leader kill at 20 s that stalls writes for ~9 s (the KRaft session timeout), healed at 35 s.
import { checkKafka } from "../../ledger/kafka-checks";
import { Ledger } from "../../ledger/ledger";
import { checkTotalQueue } from "../../ledger/total-queue";
import { measureRecoveries } from "../../recovery/recovery";
import { Histogram } from "../../stats/histogram";
import { PartitionAcks } from "../../stats/partition-stalls";
import { RateMeter } from "../../stats/rate";
import { TimelineRecorder } from "../../stats/timeline";
import type { RunReport, SystemRun } from "../run-report";

export function sampleKafkaRun(options: { loseEvery?: number; faultLabel?: string } = {}): SystemRun {
  const t0 = 1_700_000_000_000;
  const ledger = new Ledger("sample-run");
  const timeline = new TimelineRecorder(t0);
  const publish = new Histogram();
  const endToEnd = new Histogram();
  const acked = new RateMeter();
  const consumed = new RateMeter();
  const stalled = (ms: number) => ms >= 20_000 && ms < 29_000;
  const ackTimes: number[] = [];
  let offset = 0;
  for (let seq = 0; seq < 6000; seq++) {
    const sentMs = seq * 10;
    const id = ledger.idFor("p0", seq);
    ledger.attempted(id, t0 + sentMs);
    timeline.sent(t0 + sentMs, 1024);
    if (stalled(sentMs) && sentMs < 23_000 && seq % 50 === 0) {
      // Timeouts land 5 s after the send, while writes are still stalled.
      ledger.unknown(id, t0 + sentMs + 5000);
      timeline.unknown(t0 + sentMs + 5000);
      continue;
    }
    const ackMs = stalled(sentMs) ? 29_100 + (sentMs - 20_000) / 100 : sentMs + 4;
    const position = { partition: 0, offset: offset++ };
    const latency = ledger.acknowledged(id, t0 + ackMs, position);
    timeline.acked(t0 + ackMs, latency);
    ackTimes.push(t0 + ackMs);
    publish.record(latency);
    acked.mark(t0 + ackMs, 1, 1024);
    timeline.unseen(t0 + ackMs, ledger.unseen);
    if (options.loseEvery && seq % options.loseEvery === 0) continue;
    const at = t0 + ackMs + 3;
    const e2e = ledger.consumed(id, { at, ...position, consumer: "c0" }) as number;
    timeline.consumed(at, 1024, e2e);
    endToEnd.record(e2e);
    consumed.mark(at, 1, 1024);
    timeline.unseen(at, ledger.unseen);
  }
  timeline.event(t0 + 20_000, "fault", options.faultLabel ?? "kill kafka-1 (leader)", { inFlight: 37 });
  timeline.landed(t0 + 20_000);
  timeline.event(t0 + 50_000, "phase", "drain");
  const acks = new PartitionAcks();
  for (const at of ackTimes.sort((a, b) => a - b)) acks.record(at, 0);
  timeline.event(t0 + 35_000, "heal", "kafka-1 back");
  for (let ms = 19_000; ms < 45_000; ms += 2000)
    timeline.event(t0 + ms, "health", "probe", { healthy: ms < 20_000 || ms >= 31_000 });
  const snapshot = timeline.snapshot();
  return {
    system: "kafka",
    ledger: checkTotalQueue(ledger, { duplicatesAllowed: false }),
    kafka: checkKafka(ledger, { idempotent: true, subscribed: true }),
    publishLatency: publish.summary(),
    endToEndLatency: endToEnd.summary(),
    published: acked.overall(),
    consumed: consumed.overall(),
    timeline: snapshot,
    recovery: measureRecoveries(snapshot, acks.snapshot()),
    failures: [],
  };
}

export function sampleReport(systems: SystemRun[]): RunReport {
  return {
    runId: "20250101T000000Z-abc123",
    scenario: "kill-leader",
    target: "embedded",
    startedAt: "2025-01-01T00:00:00.000Z",
    durationMs: 75_000,
    settings: { messageBytes: 1024, acks: "all", idempotent: true },
    systems,
  };
}
