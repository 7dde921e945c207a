// What the alert-rule tests read from a Prometheus rule file and from its promtool unit-test file (pure).

export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  annotations?: Record<string, string>;
}
export interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}

interface AlertTest {
  eval_time: string;
  alertname: string;
  exp_alerts?: unknown[];
}
export interface UnitTestFile {
  rule_files: string[];
  tests: { name?: string; alert_rule_test?: AlertTest[] }[];
}

/** Every alerting rule of a rule file, in file order (recording rules left out). */
export function alertsOf(file: RuleFile): Rule[] {
  return file.groups.flatMap((g) => g.rules.filter((r) => r.alert !== undefined));
}

/** Seconds of a Prometheus duration made of s, m, h and d parts ("1m30s", "105s"). */
export function durationSeconds(d: string): number {
  const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
  const parts = [...d.matchAll(/(\d+)([smhd])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== d) throw new Error(`not a duration: "${d}"`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * (unit[p[2] as string] as number), 0);
}

export interface Coverage {
  /** Some check expects the alert firing. */
  fires: boolean;
  /** Some check expects it silent at the end of a test (a healthy series, or a fault shorter than its `for`). */
  silent: boolean;
  /** Some test expects it silent first and firing later, on the same series: the pending time is honoured. */
  pendingThenFiring: boolean;
}

/** For each alert name the unit tests mention: which kinds of check they make. */
export function coverage(tests: UnitTestFile): Map<string, Coverage> {
  const out = new Map<string, Coverage>();
  for (const t of tests.tests) {
    const byAlert = new Map<string, { at: number; firing: boolean }[]>();
    for (const c of t.alert_rule_test ?? []) {
      const checks = byAlert.get(c.alertname) ?? [];
      checks.push({ at: durationSeconds(c.eval_time), firing: (c.exp_alerts ?? []).length > 0 });
      byAlert.set(c.alertname, checks);
    }
    for (const [alert, checks] of byAlert) {
      const seen = out.get(alert) ?? { fires: false, silent: false, pendingThenFiring: false };
      // Infinity when this test never expects it firing: then no silence in it is a pending time.
      const firstFiring = Math.min(...checks.filter((c) => c.firing).map((c) => c.at));
      seen.fires ||= checks.some((c) => c.firing);
      seen.silent ||= checks.some((c) => !c.firing);
      seen.pendingThenFiring ||= firstFiring < Infinity && checks.some((c) => !c.firing && c.at < firstFiring);
      out.set(alert, seen);
    }
  }
  return out;
}

export interface AlertRow {
  alert: string;
  for: string;
  severity: string;
  runbook: string;
}

/** The rows of the table under a README's "### Alerts" heading: alert, what fires it, `for`, severity, runbook. */
export function readmeAlertRows(markdown: string): AlertRow[] {
  const section = markdown.split("\n### Alerts\n")[1]?.split("\n### ")[0] ?? "";
  return section
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => {
      const cells = line.slice(2, -2).split(" | ");
      return {
        alert: (cells[0] ?? "").replaceAll("`", ""),
        for: cells[2] ?? "",
        severity: cells[3] ?? "",
        runbook: cells[4] ?? "",
      };
    });
}

/** How a README row writes an alert's timing: its `for`, and how long it keeps firing after it clears. */
export function timingCell(rule: Rule & { keep_firing_for?: string }): string {
  const pending = rule.for === undefined ? "—" : `\`${rule.for}\``;
  return rule.keep_firing_for === undefined ? pending : `${pending} (keeps firing \`${rule.keep_firing_for}\`)`;
}
