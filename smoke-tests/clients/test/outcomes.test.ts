// How a client's answer becomes Jepsen's ok / fail / unknown: only the broker saying "not stored" is a failure.
import { confirmOutcome } from "../rabbitmq";

describe("RabbitMQ publisher confirms", () => {
  it("a confirm is ok", () => {
    expect(confirmOutcome(null)).toEqual({ type: "ok" });
    expect(confirmOutcome(undefined)).toEqual({ type: "ok" });
  });

  it("a broker nack is a definite failure", () => {
    expect(confirmOutcome(new Error("message nacked"))).toEqual({ type: "fail", error: "nack: message nacked" });
  });

  it("a confirm lost to a closed channel or connection is unknown: the broker may have enqueued it", () => {
    expect(confirmOutcome(new Error("channel closed"))).toEqual({ type: "info", error: "channel closed" });
    expect(confirmOutcome(new Error("Connection closed: 320 (CONNECTION-FORCED)"))).toMatchObject({ type: "info" });
  });
});
