// Instant queries of the Prometheus API: the answer shapes its documentation gives.
import { vectorOf } from "../prometheus-api";

describe("instant queries", () => {
  it("read a vector answer (the documented shape) as numbers", () => {
    const body = {
      status: "success",
      data: {
        resultType: "vector",
        result: [{ metric: { __name__: "up", pod: "kafka-broker-0" }, value: [1796606894.123, "1"] }],
      },
    };
    expect(vectorOf(body)).toEqual([{ metric: { __name__: "up", pod: "kafka-broker-0" }, value: 1 }]);
  });

  it("refuse another result type, and name Prometheus's error", () => {
    expect(() => vectorOf({ status: "success", data: { resultType: "matrix", result: [] } })).toThrow(
      'Prometheus query: resultType "matrix", expected vector',
    );
    expect(() => vectorOf({ status: "error", errorType: "bad_data", error: "parse error" })).toThrow(
      "Prometheus query: bad_data: parse error",
    );
  });
});
