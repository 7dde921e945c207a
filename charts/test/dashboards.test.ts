// The broker charts' Grafana dashboards (files/dashboards/*.json), offline: each is a dashboard Grafana imports
// (schemaVersion 39, a `datasource` variable every panel uses), every panel's PromQL parses (promtool check rules on
// the queries as recording rules), every query is scoped to one release, and every metric it reads is one the chart
// exports. That the queries return series on a live deploy is cluster/test/prometheus.test.ts's business.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import type { RuleFile } from "./alert-rules";
import { allPanels, chartDashboards, labelValuesQuery, panelQueries, substitute } from "./dashboards";
import { chartsDir, promtoolPath, run } from "./support";

/** How a panel names its data source: Grafana's `datasource` variable, so the user picks the Prometheus. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, written as the JSON holds it.
const datasourceVariable = "${datasource}";

/** Values for the dashboards' own variables when only the syntax matters. */
const anyRelease = { namespace: "messaging", release: "mp", datasource: "prometheus" };

/** Every metric name a query selects (each selector is written `name{…}`). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((m) => m[1] as string);
}

/**
 * The names charts/kafka's JMX exporter rules can export: each rule's `name`, with every `$n` expanded to the
 * alternatives of the pattern's n-th group when it is a plain alternation, else any name part; lowercased and with
 * '-' as '_', as the agent writes them (lowercaseOutputName).
 */
function kafkaExportedNames(): RegExp[] {
  const rules = parse(readFileSync(join(chartsDir, "kafka", "files", "jmx-exporter.yaml"), "utf8")).rules as {
    pattern: string;
    name: string;
  }[];
  return rules.map((r) => {
    const groups = [...r.pattern.matchAll(/\(([^()]*)\)/g)].map((g) => g[1] as string);
    const source = r.name.replace(/\$(\d)/g, (_, n: string) => {
      const g = groups[Number(n) - 1] ?? "";
      return /^[A-Za-z0-9|-]+$/.test(g) ? `(${g.toLowerCase().replaceAll("-", "_")})` : "[a-z0-9_]+";
    });
    return new RegExp(`^${source.toLowerCase()}$`);
  });
}

/** The recording rules a chart's alert rule file defines (dashboards may read them: Prometheus evaluates them). */
function recordedNames(chart: string): string[] {
  const file = parse(readFileSync(join(chartsDir, chart, "files", "alerts.yaml"), "utf8")) as RuleFile;
  return file.groups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : [])));
}

const exported: Record<string, (name: string) => boolean> = {
  kafka: (name) => name === "up" || name.startsWith("jvm_") || kafkaExportedNames().some((re) => re.test(name)),
  // rabbitmq_prometheus's /metrics (rabbitmq_*, erlang_*) and /metrics/detailed (rabbitmq_detailed_*).
  rabbitmq: (name) => name === "up" || /^(rabbitmq_|erlang_)/.test(name) || recordedNames("rabbitmq").includes(name),
};

describe.each(["kafka", "rabbitmq"])("%s: files/dashboards", (chart) => {
  const dashboards = chartDashboards(chart);

  test("one dashboard with rows overview, replication and clients", () => {
    expect(dashboards).toHaveLength(1);
    const rows = dashboards.flatMap(({ dashboard }) =>
      dashboard.panels.filter((p) => p.type === "row").map((p) => p.title),
    );
    expect(rows).toEqual(["Overview", "Replication", "Clients"]);
  });

  test.each(dashboards.map((d) => [d.dashboard.uid, d.dashboard]))(
    "%s: Grafana's model (schemaVersion 39, uid, title), a datasource variable, every panel on it",
    (_uid, d) => {
      expect(d.schemaVersion).toBe(39);
      expect(d.uid).toMatch(/^[a-z0-9-]{1,40}$/);
      expect(d.title).not.toBe("");
      expect(d.templating.list.find((v) => v.name === "datasource")).toMatchObject({
        type: "datasource",
        query: "prometheus",
      });
      const panels = allPanels(d.panels).filter((p) => p.type !== "row");
      expect(panels.length).toBeGreaterThanOrEqual(10);
      const ids = allPanels(d.panels).map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of panels) {
        expect({ panel: p.title, datasource: p.datasource }).toEqual({
          panel: p.title,
          datasource: { type: "prometheus", uid: datasourceVariable },
        });
        expect({ panel: p.title, targets: (p.targets ?? []).length > 0 }).toEqual({ panel: p.title, targets: true });
      }
      for (const v of d.templating.list.filter((x) => x.type === "query")) {
        expect({ variable: v.name, datasource: v.datasource?.uid }).toEqual({
          variable: v.name,
          datasource: datasourceVariable,
        });
        expect({ variable: v.name, labelValues: labelValuesQuery(v) !== undefined }).toEqual({
          variable: v.name,
          labelValues: true,
        });
      }
    },
  );

  test("every panel's query and every variable's query parses (promtool check rules, as recording rules)", () => {
    const queries = dashboards.flatMap(({ dashboard }) => [
      ...panelQueries(dashboard).map((q) => ({ where: q.where, expr: substitute(q.expr, anyRelease) })),
      ...dashboard.templating.list.flatMap((v) => {
        const q = labelValuesQuery(v);
        return q ? [{ where: `${dashboard.uid} / variable ${v.name}`, expr: substitute(q.expr, anyRelease) }] : [];
      }),
    ]);
    const dir = mkdtempSync(join(tmpdir(), "dashboards-promql-"));
    try {
      const file = join(dir, "queries.yaml");
      const rules = queries.map((q, i) => ({ record: `dashboard:query_${i}:check`, expr: q.expr }));
      writeFileSync(file, stringify({ groups: [{ name: `${chart}-dashboard`, rules }] }));
      const r = run(promtoolPath(), ["check", "rules", file]);
      // promtool names a failing rule by its record name: back to the panel it came from.
      const failed = [...(r.stdout + r.stderr).matchAll(/"dashboard:query_(\d+):check": (.*)/g)].map(
        (m) => `${queries[Number(m[1])]?.where}: ${m[2]}`,
      );
      expect(failed).toEqual([]);
      expect({ code: r.code, out: r.stdout + r.stderr }).toEqual({
        code: 0,
        out: expect.stringContaining(`SUCCESS: ${queries.length} rules found`),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("every query is scoped to the chosen namespace and release, so no panel mixes two clusters", () => {
    const unscoped = dashboards.flatMap(({ dashboard }) => panelQueries(dashboard)).filter((q) => !scoped(q.expr));
    expect(unscoped).toEqual([]);
  });

  test("every metric a panel reads is one this chart exports (or a recording rule of its alert rules)", () => {
    const unknown = dashboards
      .flatMap(({ dashboard }) => panelQueries(dashboard))
      .flatMap((q) => metricNames(q.expr).map((name) => ({ where: q.where, name })))
      .filter(({ name }) => !(exported[chart] as (n: string) => boolean)(name));
    expect(unknown).toEqual([]);
  });
});

/** Every selector of the query names the dashboard's namespace and release variables. */
function scoped(expr: string): boolean {
  const selectors = [...expr.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*\{([^}]*)\}/g)].map((m) => m[1] as string);
  return (
    selectors.length > 0 &&
    selectors.every((s) => s.includes('namespace="$namespace"') && s.includes('release="$release"'))
  );
}
