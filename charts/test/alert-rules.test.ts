// Each chart's alert rules (files/alerts.yaml) through promtool, built from the Prometheus Go module: `check rules`
// parses every expression, `test rules` runs files/alerts.test.yaml, where every alert fires on the series it should
// only after its `for` and stays silent on a healthy cluster. The chart's PrometheusRule carries that same file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import {
  alertsOf,
  coverage,
  durationSeconds,
  type RuleFile,
  readmeAlertRows,
  timingCell,
  type UnitTestFile,
} from "./alert-rules";
import { type Any, chartsDir, promtoolPath, render, run } from "./support";

const promtool = (args: string[]) => run(promtoolPath(), args);

describe.each(["kafka", "rabbitmq"])("%s: files/alerts.yaml", (chart) => {
  const rulesPath = join(chartsDir, chart, "files", "alerts.yaml");
  const testsPath = join(chartsDir, chart, "files", "alerts.test.yaml");
  const rules = parse(readFileSync(rulesPath, "utf8")) as RuleFile;
  const tests = parse(readFileSync(testsPath, "utf8")) as UnitTestFile;
  const alerts = alertsOf(rules);

  test("promtool check rules: every rule parses, and no lint finding", () => {
    const r = promtool(["check", "rules", "--lint-fatal", rulesPath]);
    const count = rules.groups.reduce((n, g) => n + g.rules.length, 0);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(r.stdout).toContain(`SUCCESS: ${count} rules found`);
  });

  test("promtool test rules: every unit test of alerts.test.yaml passes", () => {
    const r = promtool(["test", "rules", testsPath]);
    expect({ code: r.code, out: r.stdout + r.stderr }).toEqual({ code: 0, out: expect.stringContaining("SUCCESS") });
    expect(r.stdout + r.stderr).not.toContain("FAILED");
  });

  test("the unit tests load this rule file and no other", () => {
    expect(tests.rule_files).toEqual(["alerts.yaml"]);
  });

  test("every alert is tested firing after its pending time and silent on a healthy cluster", () => {
    const tested = coverage(tests);
    const missing = alerts
      .map((a) => ({ alert: a.alert as string, ...(tested.get(a.alert as string) ?? {}) }))
      .filter((c) => !(c.fires && c.silent && c.pendingThenFiring));
    expect(missing).toEqual([]);
    // No test names an alert the file does not have (a renamed alert would leave its tests testing nothing).
    expect([...tested.keys()].filter((name) => !alerts.some((a) => a.alert === name))).toEqual([]);
  });

  test("every alert has a summary and a one-line runbook, and a severity", () => {
    expect(alerts.length).toBeGreaterThanOrEqual(6);
    for (const a of alerts) {
      const annotations = a.annotations ?? {};
      expect({
        alert: a.alert,
        summary: typeof annotations.summary,
        runbookLines: annotations.runbook?.split("\n").length,
      }).toEqual({ alert: a.alert, summary: "string", runbookLines: 1 });
      expect({ alert: a.alert, severity: (a as Any).labels?.severity }).toEqual({
        alert: a.alert,
        severity: expect.stringMatching(/^(warning|critical)$/),
      });
    }
  });

  test("the chart README's alert table lists every alert with its for, severity and runbook as the file has them", () => {
    const readme = readFileSync(join(chartsDir, chart, "README.md"), "utf8");
    expect(readmeAlertRows(readme)).toEqual(
      alerts.map((a) => ({
        alert: a.alert,
        for: timingCell(a),
        severity: (a as Any).labels?.severity,
        runbook: a.annotations?.runbook,
      })),
    );
  });

  test("the chart's PrometheusRule carries this file's groups unchanged", () => {
    const r = render(chart, [], ["metrics.prometheusRule.enabled=true"]);
    expect(r.get("PrometheusRule", `mp-${chart}`).spec.groups).toEqual(rules.groups);
  });
});

describe("promtool refuses broken rules (what the chart tests rely on)", () => {
  const kafkaRules = readFileSync(join(chartsDir, "kafka", "files", "alerts.yaml"), "utf8");
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "alert-rules-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("an expression that does not parse fails check rules, naming the alert and the parse error", () => {
    const broken = join(dir, "alerts.yaml");
    const typo = kafkaRules.replace(
      "(kafka_server_replicamanager_underreplicatedpartitions{",
      "(kafka_server_replicamanager_underreplicatedpartitions{{",
    );
    expect(typo).not.toBe(kafkaRules);
    writeFileSync(broken, typo);
    const r = promtool(["check", "rules", broken]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('"KafkaUnderReplicatedPartitions"');
    expect(r.stderr).toContain("parse error");
  });

  test("an alert whose threshold is inverted fails its unit test, naming the alert and the time", () => {
    const inverted = kafkaRules.replace(
      '(kafka_server_replicamanager_underreplicatedpartitions{job="kafka"}) > 0',
      '(kafka_server_replicamanager_underreplicatedpartitions{job="kafka"}) < 1',
    );
    expect(inverted).not.toBe(kafkaRules);
    writeFileSync(join(dir, "alerts.yaml"), inverted);
    const tests = readFileSync(join(chartsDir, "kafka", "files", "alerts.test.yaml"), "utf8");
    writeFileSync(join(dir, "alerts.test.yaml"), tests);
    const r = promtool(["test", "rules", join(dir, "alerts.test.yaml")]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain("alertname: KafkaUnderReplicatedPartitions, time: 2m");
  });
});

describe("alert-rules (pure)", () => {
  test("readmeAlertRows reads the Alerts section's table only", () => {
    const md = [
      "## Values",
      "| `metrics.port` | `9404` | x | y | z |",
      "### Alerts",
      "| Alert | Fires when | `for` | Severity | Runbook |",
      "|---|---|---|---|---|",
      "| `A` | when | `1m` | warning | Do this. |",
      "### Next",
      "| `B` | when | `1m` | warning | Do that. |",
    ].join("\n");
    expect(readmeAlertRows(md)).toEqual([{ alert: "A", for: "`1m`", severity: "warning", runbook: "Do this." }]);
  });

  test("timingCell: for, none, and keep_firing_for", () => {
    expect(timingCell({ expr: "x", for: "1m" })).toBe("`1m`");
    expect(timingCell({ expr: "x", keep_firing_for: "5m" })).toBe("— (keeps firing `5m`)");
  });

  test("durationSeconds reads Prometheus durations and refuses anything else", () => {
    expect(durationSeconds("105s")).toBe(105);
    expect(durationSeconds("1m30s")).toBe(90);
    expect(durationSeconds("1d")).toBe(86_400);
    expect(() => durationSeconds("2 minutes")).toThrow('not a duration: "2 minutes"');
  });

  test("coverage: firing, silent, and silent before firing within one test", () => {
    const c = coverage({
      rule_files: ["alerts.yaml"],
      tests: [
        {
          alert_rule_test: [
            { eval_time: "2m", alertname: "A", exp_alerts: [{}] },
            { eval_time: "105s", alertname: "A", exp_alerts: [] },
            { eval_time: "1m", alertname: "B", exp_alerts: [{}] },
          ],
        },
        { alert_rule_test: [{ eval_time: "10m", alertname: "B", exp_alerts: [] }] },
      ],
    });
    expect(c.get("A")).toEqual({ fires: true, silent: true, pendingThenFiring: true });
    // B's silence is in another test, after its firing: not a pending time.
    expect(c.get("B")).toEqual({ fires: true, silent: true, pendingThenFiring: false });
  });
});
