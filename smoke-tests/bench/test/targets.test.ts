// The ratios issue 28 asks of our clients, as named figures, and the verdict each ratio line prints.
import {
  KAFKA_CLIENT_TARGET_AT_BEST,
  KAFKAJS_TARGET_AT_OUR_SETTINGS,
  RABBITMQ_TARGET_AT_BEST,
  ratioTarget,
  targetLine,
  targetVerdict,
} from "../targets";

describe("the bench's targets", () => {
  it("kafkajs against the reference at our settings; the other Kafka clients and RabbitMQ against its best", () => {
    expect([KAFKAJS_TARGET_AT_OUR_SETTINGS, KAFKA_CLIENT_TARGET_AT_BEST, RABBITMQ_TARGET_AT_BEST]).toEqual([
      0.8, 0.9, 0.9,
    ]);
    expect(ratioTarget("kafka", "kafkajs")).toEqual({ against: "our settings", target: 0.8 });
    expect(ratioTarget("kafka")).toEqual({ against: "our settings", target: 0.8 });
    expect(ratioTarget("kafka", "librdkafka")).toEqual({ against: "its best", target: 0.9 });
    expect(ratioTarget("kafka", "platformatic")).toEqual({ against: "its best", target: 0.9 });
    expect(ratioTarget("rabbitmq")).toEqual({ against: "its best", target: 0.9 });
  });

  it("a ratio at the target meets it, below it or not measured does not", () => {
    expect(targetVerdict(0.8, 0.8)).toBe("meets 0.8");
    expect(targetVerdict(1.2, 0.9)).toBe("meets 0.9");
    expect(targetVerdict(0.79, 0.8)).toBe("below 0.8");
    expect(targetVerdict(Number.NaN, 0.9)).toBe("below 0.9");
  });

  it("the line judges the ratio the target is for, not the other one", () => {
    expect(targetLine(ratioTarget("kafka", "kafkajs"), 0.85, 0.5)).toBe("target 0.8 at our settings: meets 0.8");
    expect(targetLine(ratioTarget("kafka", "platformatic"), 0.95, 0.74)).toBe("target 0.9 at its best: below 0.9");
  });
});
