// The platform's view, pure: the Prometheus API answers parsed, the series plotted, the alert episodes and the
// verdict line "the platform noticed", on canned answers of the documented shapes.
import type { Timeline } from "../../stats/timeline";
import { alertEpisodes } from "../alert-episodes";
import { allFiring, distinctEpisodes, samplesIn, stillActive } from "../observe";
import { expectedAlertsFor, platformNoticed } from "../platform-noticed";
import { platformQueries, seriesFromMatrix } from "../platform-series";
import { faultSpan, noticedLine } from "../platform-view";
import { activeAlertsOf, alertRulesOf, matrixOf, rangeQueryUrl } from "../prometheus-api";
import { noPrometheus, type PlatformView } from "../view";
import { alertsAnswer, badData, matrix, rulesAnswer, samples, startedAt, t0 } from "./prometheus-answers";

describe("the Prometheus API answers", () => {
  test("a matrix answer gives each series' labels and samples as numbers of seconds and text values", () => {
    const m = matrixOf(matrix([{ metric: { pod: "kafka-1" }, values: [[t0 + 5, "2"]] }]));
    expect(m).toEqual([{ metric: { pod: "kafka-1" }, values: [[t0 + 5, "2"]] }]);
  });

  test("an error answer is refused with Prometheus's errorType and error", () => {
    expect(() => matrixOf(badData)).toThrow('Prometheus query_range: bad_data: invalid parameter "query"');
  });

  test("a vector where a matrix is expected is refused, named", () => {
    expect(() => matrixOf({ status: "success", data: { resultType: "vector", result: [] } })).toThrow(
      'resultType "vector", expected matrix',
    );
  });

  test("something that is not an API answer (an HTML error page's JSON) is refused", () => {
    expect(() => activeAlertsOf({ message: "not found" })).toThrow("Prometheus alerts: not an API answer");
  });

  test("the active alerts keep their labels and state", () => {
    expect(activeAlertsOf(alertsAnswer([{ alertname: "KafkaNodeDown", namespace: "kafka", state: "firing" }]))).toEqual(
      [expect.objectContaining({ labels: expect.objectContaining({ alertname: "KafkaNodeDown" }), state: "firing" })],
    );
  });

  test("the alerting rules with their for windows; recording rules left out", () => {
    expect(alertRulesOf(rulesAnswer)).toEqual([
      { name: "KafkaNodeDown", forSeconds: 60 },
      { name: "KafkaUnderReplicatedPartitions", forSeconds: 60 },
      { name: "RabbitMQMemoryAlarm", forSeconds: 0 },
      { name: "RabbitMQNodeDown", forSeconds: 60 },
    ]);
  });

  test("a range query's URL carries the expression, the window and the step", () => {
    const url = new URL(
      rangeQueryUrl("http://10.244.1.7:9090", { expr: "up == 0", start: 10, end: 70, stepSeconds: 5 }),
    );
    expect(url.pathname).toBe("/api/v1/query_range");
    expect(Object.fromEntries(url.searchParams)).toEqual({ query: "up == 0", start: "10", end: "70", step: "5s" });
  });

  test("expected alerts still pending or firing in the system's namespace hold the drill; others do not", () => {
    const alerts = activeAlertsOf(
      alertsAnswer([
        { alertname: "KafkaNodeDown", namespace: "kafka", state: "pending" },
        { alertname: "KafkaNodeDown", namespace: "other", state: "firing" },
        { alertname: "KafkaBrokerFenced", namespace: "kafka", state: "firing" },
      ]),
    );
    expect(stillActive(alerts, ["KafkaNodeDown"], "kafka").map((a) => a.state)).toEqual(["pending"]);
  });
});

describe("holding a fault until the platform's alerts fire (--hold-for-alerts true)", () => {
  const expected = ["KafkaNodeDown", "KafkaUnderReplicatedPartitions"];
  const answer = (states: Array<[string, "pending" | "firing"]>) =>
    activeAlertsOf(alertsAnswer(states.map(([alertname, state]) => ({ alertname, namespace: "kafka", state }))));

  test("released once every expected alert fires in the system's namespace", () => {
    expect(
      allFiring(
        answer([
          ["KafkaNodeDown", "firing"],
          ["KafkaUnderReplicatedPartitions", "firing"],
        ]),
        expected,
        "kafka",
      ),
    ).toBe(true);
  });

  test("held while one is only pending, or missing", () => {
    expect(
      allFiring(
        answer([
          ["KafkaNodeDown", "firing"],
          ["KafkaUnderReplicatedPartitions", "pending"],
        ]),
        expected,
        "kafka",
      ),
    ).toBe(false);
    expect(allFiring(answer([["KafkaNodeDown", "firing"]]), expected, "kafka")).toBe(false);
  });

  test("alerts about another namespace do not release it", () => {
    expect(
      allFiring(
        answer([
          ["KafkaNodeDown", "firing"],
          ["KafkaUnderReplicatedPartitions", "firing"],
        ]),
        expected,
        "other",
      ),
    ).toBe(false);
  });
});

describe("the series the report plots", () => {
  test("every query names its system's namespace and aggregates to one line", () => {
    for (const system of ["kafka", "rabbitmq"] as const) {
      for (const q of platformQueries(system, "ns-x")) {
        expect(q.expr).toContain('namespace="ns-x"');
        expect(q.expr).toMatch(/^(sum|min|max)\(/);
      }
    }
    expect(platformQueries("kafka", "kafka").map((q) => q.name)).toEqual(
      expect.arrayContaining(["under-replicated partitions", "ISR shrinks", "leader changes"]),
    );
    expect(platformQueries("rabbitmq", "rabbitmq").map((q) => q.name)).toContain(
      "quorum queue members online (fewest of any queue)",
    );
  });

  test("samples land on the drill's axis (ms since its start); NaN samples are left out", () => {
    const [q] = platformQueries("kafka", "kafka");
    if (!q) throw new Error("no Kafka query");
    const s = seriesFromMatrix(
      q,
      matrixOf(
        matrix([
          {
            metric: {},
            values: [
              [t0 + 5, "0"],
              [t0 + 10, "NaN"],
              [t0 + 15.5, "3"],
            ],
          },
        ]),
      ),
      startedAt,
    );
    expect(s.points).toEqual([
      { atMs: 5_000, value: 0 },
      { atMs: 15_500, value: 3 },
    ]);
  });

  test("no such metric in the window: a series without points, not a zero line", () => {
    const [q] = platformQueries("rabbitmq", "rabbitmq");
    if (!q) throw new Error("no RabbitMQ query");
    expect(seriesFromMatrix(q, matrixOf(matrix([])), startedAt).points).toEqual([]);
  });

  test("an expression that does not aggregate (two series) is refused, named", () => {
    const [q] = platformQueries("kafka", "kafka");
    if (!q) throw new Error("no Kafka query");
    const two = matrixOf(
      matrix([
        { metric: { pod: "a" }, values: [] },
        { metric: { pod: "b" }, values: [] },
      ]),
    );
    expect(() => seriesFromMatrix(q, two, startedAt)).toThrow("under-replicated partitions: 2 series");
  });
});

describe("the alerts that fired and resolved", () => {
  const alert = (alertname: string, pod: string, values: Array<[number, string]>) => ({
    metric: { __name__: "ALERTS", alertname, alertstate: "firing", namespace: "kafka", pod, severity: "critical" },
    values,
  });

  test("a run of samples is one episode: fired at its first step, resolved one step after its last", () => {
    const m = matrixOf(matrix([alert("KafkaNodeDown", "kafka-1", samples(90, 130, "1"))]));
    expect(alertEpisodes(m, 5, startedAt, t0 + 300)).toEqual([
      { alertname: "KafkaNodeDown", subject: "pod=kafka-1", firedAtMs: 90_000, resolvedAtMs: 135_000 },
    ]);
  });

  test("a gap splits a series into two episodes; episodes are ordered by when they fired", () => {
    const values = [...samples(100, 110, "1"), ...samples(150, 160, "1")];
    const m = matrixOf(
      matrix([alert("KafkaNodeDown", "kafka-2", values), alert("KafkaNodeDown", "kafka-0", samples(20, 25, "1"))]),
    );
    expect(alertEpisodes(m, 5, startedAt, t0 + 300).map((e) => [e.subject, e.firedAtMs, e.resolvedAtMs])).toEqual([
      ["pod=kafka-0", 20_000, 30_000],
      ["pod=kafka-2", 100_000, 115_000],
      ["pod=kafka-2", 150_000, 165_000],
    ]);
  });

  test("still firing at the window's last step: not resolved", () => {
    const m = matrixOf(matrix([alert("KafkaNodeDown", "kafka-1", samples(90, 300, "1"))]));
    expect(alertEpisodes(m, 5, startedAt, t0 + 300)[0]?.resolvedAtMs).toBeNull();
  });
});

describe('the verdict line "the platform noticed"', () => {
  const forSeconds = { KafkaNodeDown: 60, KafkaUnderReplicatedPartitions: 60 };
  const expected = ["KafkaNodeDown", "KafkaUnderReplicatedPartitions"];
  const episode = (alertname: string, firedAtMs: number, resolvedAtMs: number | null) => ({
    alertname,
    subject: "pod=kafka-1",
    firedAtMs,
    resolvedAtMs,
  });
  // Landed at 10 s, healed at 110 s: each alert may fire up to 10 + 60 + 45 = 115 s.
  const both = [episode("KafkaNodeDown", 85_000, 140_000), episode("KafkaUnderReplicatedPartitions", 90_000, 135_000)];
  const judge = (episodes: ReturnType<typeof episode>[], healedAtMs: number | null = 110_000) =>
    platformNoticed({ expected, episodes, landedAtMs: 10_000, healedAtMs: healedAtMs ?? undefined, forSeconds });

  test("every expected alert fired within its for window and resolved after the heal: passes, naming each", () => {
    const line = judge(both);
    expect(line).toMatchObject({ name: "the platform noticed", passed: true });
    expect(line.detail).toContain("KafkaNodeDown fired 85.0 s");
    expect(line.detail).toContain("resolved 135.0 s after the heal at 110.0 s");
  });

  test("a harmless fault (no alert fired) fails, saying which alert did not fire and by when it should have", () => {
    const line = judge([]);
    expect(line.passed).toBe(false);
    expect(line.detail).toContain(
      "KafkaNodeDown did not fire in its window (landed 10.0 s, for 60 s + 45.0 s slack: by 115.0 s)",
    );
  });

  test("one of the two expected alerts missing fails", () => {
    expect(judge([both[0] as ReturnType<typeof episode>]).passed).toBe(false);
  });

  test("an alert that fired before the fault landed is not this fault's", () => {
    const early = [episode("KafkaNodeDown", 5_000, 140_000), both[1] as ReturnType<typeof episode>];
    expect(judge(early).detail).toContain("KafkaNodeDown did not fire in its window");
  });

  test("an alert that fired after its for window and slack fails", () => {
    const late = [episode("KafkaNodeDown", 120_000, 140_000), both[1] as ReturnType<typeof episode>];
    expect(judge(late)).toMatchObject({ passed: false, detail: expect.stringContaining("it fired 120.0 s") });
  });

  test("an alert still firing at the end fails: it must resolve after the heal", () => {
    const still = [episode("KafkaNodeDown", 85_000, null), both[1] as ReturnType<typeof episode>];
    expect(judge(still).detail).toContain(
      "KafkaNodeDown fired 85.0 s (landed 10.0 s, for 60 s + 45.0 s slack: by 115.0 s), still firing at the end",
    );
  });

  test("an alert resolved before the heal fails (it did not watch the fault to its end)", () => {
    const early = [episode("KafkaNodeDown", 85_000, 100_000), both[1] as ReturnType<typeof episode>];
    expect(judge(early).detail).toContain("resolved before the heal");
  });

  test("no heal on the timeline fails", () => {
    expect(judge(both, null).detail).toContain("no heal is on the timeline");
  });

  test("an expected alert with no rule in this Prometheus fails, named", () => {
    const line = platformNoticed({ expected: ["KafkaGone"], episodes: [], landedAtMs: 0, healedAtMs: 1, forSeconds });
    expect(line).toMatchObject({ passed: false, detail: "KafkaGone: no such alerting rule in this Prometheus" });
  });

  test("the table names the alerts of the cluster drills, and nothing for graceful rolling ones", () => {
    expect(expectedAlertsFor("kill-leader", "kafka")).toEqual(["KafkaNodeDown", "KafkaUnderReplicatedPartitions"]);
    expect(expectedAlertsFor("isolate-node", "rabbitmq")).toEqual(["RabbitMQNodeDown"]);
    expect(expectedAlertsFor("kill-controller", "kafka")).toContain("KafkaNodeDown");
    expect(expectedAlertsFor("rolling-update", "kafka")).toBeUndefined();
  });
});

describe("the line in a drill's verdict", () => {
  const timeline: Pick<Timeline, "events"> = {
    events: [
      { atMs: 5_000, kind: "phase", label: "kill-leader" },
      { atMs: 9_000, kind: "fault", label: "kill kafka-1 (leader)", landedAtMs: 10_000 },
      { atMs: 50_000, kind: "heal", label: "restart kafka-1" },
      { atMs: 110_000, kind: "heal", label: "heal all" },
    ],
  };
  const observed = (
    alerts: Array<{ alertname: string; firedAtMs: number; resolvedAtMs: number | null }>,
  ): PlatformView => ({
    kind: "observed",
    source: "http://10.244.1.7:9090",
    series: [],
    alerts: alerts.map((a) => ({ ...a, subject: "" })),
    expected: ["RabbitMQNodeDown"],
    forSeconds: { RabbitMQNodeDown: 60 },
    resolutionWait: { waitedMs: 30_000, quiet: true },
  });

  test("the fault's landing (not when it was asked for) and the last heal", () => {
    expect(faultSpan(timeline)).toEqual({ landedAtMs: 10_000, healedAtMs: 110_000 });
  });

  test("no Prometheus in the target: no line at all, never a pass", () => {
    expect(noticedLine(noPrometheus, ["RabbitMQNodeDown"], timeline)).toBeUndefined();
    expect(noPrometheus).toEqual({ kind: "absent", reason: "platform view: no Prometheus in this target" });
  });

  test("a scenario that promises no alert: no line", () => {
    expect(noticedLine(observed([]), undefined, timeline)).toBeUndefined();
  });

  test("a Prometheus that could not be read fails the line with the reason", () => {
    const view: PlatformView = { kind: "unavailable", source: "(pod not found)", reason: "no Running pod" };
    expect(noticedLine(view, ["RabbitMQNodeDown"], timeline)).toEqual({
      name: "the platform noticed",
      passed: false,
      detail: "platform view unavailable: no Running pod",
    });
  });

  test("observed: judged from the view's alerts and for windows", () => {
    const ok = observed([{ alertname: "RabbitMQNodeDown", firedAtMs: 80_000, resolvedAtMs: 125_000 }]);
    expect(noticedLine(ok, ["RabbitMQNodeDown"], timeline)?.passed).toBe(true);
    expect(noticedLine(observed([]), ["RabbitMQNodeDown"], timeline)?.passed).toBe(false);
  });

  test("no fault on the timeline: fails", () => {
    expect(noticedLine(observed([]), ["RabbitMQNodeDown"], { events: [] })?.detail).toBe("no fault on the timeline");
  });
});

describe("two Prometheus replicas, one of which may have been on a failed node", () => {
  it("a series is taken from the replica that saw the most of it", () => {
    const full = [
      {
        metric: {},
        values: [
          [1, "0"],
          [6, "1"],
          [11, "0"],
        ] as Array<[number, string]>,
      },
    ];
    const gap = [{ metric: {}, values: [[1, "0"]] as Array<[number, string]> }];
    expect(samplesIn(full)).toBe(3);
    expect(samplesIn(gap)).toBe(1);
    expect(samplesIn([])).toBe(0);
  });

  it("an alert both saw fire and resolve at the same steps is listed once; differing sightings both stay", () => {
    const e = { alertname: "KafkaNodeDown", subject: "pod=kafka-broker-1", firedAtMs: 70_000, resolvedAtMs: 120_000 };
    const later = { ...e, firedAtMs: 75_000 };
    expect(distinctEpisodes([e, { ...e }, later])).toEqual([e, later]);
  });
});
