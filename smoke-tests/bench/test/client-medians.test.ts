// The bench's client comparison: every client's median over the same rounds, against the same reference runs; the
// reference sweeps' candidates.
import type { BenchRound } from "../bench";
import {
  bestByMedian,
  clientMedians,
  equalProducerTuning,
  equalRecordBytes,
  rabbitCandidates,
  shapeText,
  sweepSamples,
} from "../bench";
import type { ReferenceResult } from "../reference-tools";

const result = (messagesPerSec: number): ReferenceResult => ({ tool: "t", messagesPerSec }) as ReferenceResult;

function round(n: number, kafkajs: number, librdkafka: number, reference: number): BenchRound {
  return {
    round: n,
    ours: result(kafkajs),
    reference: result(reference),
    best: result(reference * 2),
    ratio: kafkajs / reference,
    ratioBest: kafkajs / (reference * 2),
    others: [
      {
        client: "librdkafka",
        ours: result(librdkafka),
        ratio: librdkafka / reference,
        ratioBest: librdkafka / (reference * 2),
      },
    ],
  };
}

describe("clients side by side in the bench", () => {
  it("gives each client its median rate and ratios over the counted rounds, the first client first", () => {
    const rounds = [round(1, 100, 300, 1000), round(2, 200, 100, 1000), round(3, 150, 200, 500)];
    const medians = clientMedians({ kafkaClient: "kafkajs", otherKafkaClients: ["librdkafka"] }, rounds);
    expect(medians.map((m) => m.client)).toEqual(["kafkajs", "librdkafka"]);
    expect(medians[0]).toMatchObject({ medianMsgPerSec: 150, medianRatio: 0.2 });
    // Ratios are per round (same reference run), then the median: not the median rate over the median reference.
    expect(medians[1]).toMatchObject({ medianMsgPerSec: 200, medianRatio: 0.3, medianRatioBest: 0.15 });
  });
});

describe("the reference's best settings", () => {
  it("is the candidate with the highest median of its samples, the equal tuning included and first of equals", () => {
    expect(sweepSamples).toBeGreaterThanOrEqual(3);
    const sweep = [
      { tuning: "equal", rates: [900, 1000, 1100] },
      // One lucky sample does not make it best.
      { tuning: "lucky", rates: [400, 2000, 500] },
      { tuning: "steady", rates: [1050, 1040, 1060] },
    ];
    expect(bestByMedian(sweep)).toEqual({ tuning: "steady", median: 1050 });
    expect(bestByMedian(sweep.slice(0, 2))).toEqual({ tuning: "equal", median: 1000 });
    expect(
      bestByMedian([
        { tuning: "equal", rates: [10] },
        { tuning: "same", rates: [10] },
      ]).tuning,
    ).toBe("equal");
  });

  it("gives the Java producer records as heavy as ours on the wire: our key's bytes go into its value", () => {
    expect(equalRecordBytes(1024, "20260101T000000Z-abc123/b0/300000")).toBe(1024 + 33);
  });

  it("limits the Java producer's requests in flight per connection to ours: 5 sends over 3 brokers of 2 partitions", () => {
    // Ours: 5 one-partition sends in flight in total, about 1.7 per broker connection; a Java request carries a batch
    // for each of the broker's 2 partitions, so 1 request in flight per connection is the nearest equal.
    expect(equalProducerTuning(1057, 3, 6)).toEqual({ batchBytes: 500 * (1057 + 64), lingerMs: 0, maxInFlight: 1 });
    // One broker leading one partition: all 5 of our sends go to it.
    expect(equalProducerTuning(1057, 1, 1).maxInFlight).toBe(5);
  });
});

describe("the RabbitMQ sweep's candidates", () => {
  it("the equal tuning first, larger confirm windows at 1×1, then 2×2 and 4×4 at the equal window", () => {
    expect(rabbitCandidates(200).map((c) => `${c.confirmWindow} ${shapeText(c.shape)}`)).toEqual([
      "200 1 producer × 1 consumer",
      "1000 1 producer × 1 consumer",
      "3000 1 producer × 1 consumer",
      "200 2 producers × 2 consumers",
      "200 4 producers × 4 consumers",
    ]);
  });
});
