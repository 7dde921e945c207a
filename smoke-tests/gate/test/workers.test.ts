// The gate refuses more Kafka workers than its topic's partitions before any check. Were the refusal missing, the
// first check would only meet the sample target's loopback ports, where nothing listens, and its progress line would
// stop the run there, before any load or worker starts.
import { defaultGateSettings } from "../../../contract/gate-settings";
import { sampleTarget } from "../../../contract/test/sample-target";
import { runGate } from "../gate";

describe("the gate's workers", () => {
  const target = sampleTarget(); // its Kafka topic "smoke" has 3 partitions
  const settings = { ...defaultGateSettings, workers: 4 };
  const noCheck = (line: string) => {
    throw new Error(`a check ran before the workers were refused: ${line}`);
  };

  it("refuses more than the topic's partitions, naming the stack's field unless a flag replaced it", async () => {
    await expect(runGate(target, undefined, settings, noCheck)).rejects.toThrow(
      /^gate.workers = 4 must be at most the 3 partitions of Kafka topic smoke: /,
    );
    await expect(runGate(target, undefined, settings, noCheck, { workersField: "--workers" })).rejects.toThrow(
      /^--workers = 4 must be at most the 3 partitions/,
    );
  });
});
