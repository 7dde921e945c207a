// The Grafana dashboards of the broker charts (charts/<chart>/files/dashboards/*.json) as their tests read them:
// every panel's PromQL, and the same with Grafana's variables replaced so Prometheus (or promtool) can read it.
// Pure, except for listing and reading the files.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chartsDir } from "./support";

export interface DashboardTarget {
  refId: string;
  expr: string;
  hide?: boolean;
}
export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: DashboardTarget[];
  panels?: DashboardPanel[];
}
export interface DashboardVariable {
  name: string;
  type: string;
  query?: string | { query: string };
  datasource?: { type: string; uid: string };
}
export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  templating: { list: DashboardVariable[] };
  panels: DashboardPanel[];
}

export interface PanelQuery {
  /** "<dashboard uid> / <panel title> / <refId>": how a failure names the query. */
  where: string;
  expr: string;
}

/** The dashboards a chart ships: file path and parsed JSON, sorted by file name. */
export function chartDashboards(chart: string): { file: string; dashboard: Dashboard }[] {
  const dir = join(chartsDir, chart, "files", "dashboards");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ({ file: join(dir, f), dashboard: JSON.parse(readFileSync(join(dir, f), "utf8")) as Dashboard }));
}

/** Every panel, rows' nested panels included (a collapsed row holds its panels). */
export function allPanels(panels: DashboardPanel[]): DashboardPanel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

/** Every visible target's PromQL, named by dashboard, panel and refId. */
export function panelQueries(d: Dashboard): PanelQuery[] {
  return allPanels(d.panels).flatMap((p) =>
    (p.targets ?? [])
      .filter((t) => t.hide !== true)
      .map((t) => ({ where: `${d.uid} / ${p.title} / ${t.refId}`, expr: t.expr })),
  );
}

/** A query variable's PromQL as `label_values(<expr>, <label>)` writes it, split (undefined for other variables). */
export function labelValuesQuery(v: DashboardVariable): { expr: string; label: string } | undefined {
  const q = typeof v.query === "string" ? v.query : v.query?.query;
  const m = /^label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(q ?? "");
  return m?.[1] !== undefined && m[2] !== undefined ? { expr: m[1], label: m[2] } : undefined;
}

/**
 * Grafana's variables replaced as Grafana would at a 15 s scrape interval: $__rate_interval is max($__interval +
 * scrape interval, 4 × scrape interval) = 1m (grafana PR #84063), $__interval 15s, $__range 1h; $name and ${name}
 * become `values[name]`. A variable left over is an error: the query would not parse, or would mean something else.
 */
export function substitute(expr: string, values: Record<string, string>): string {
  const builtins: Record<string, string> = { __rate_interval: "1m", __interval: "15s", __range: "1h" };
  const all = { ...builtins, ...values };
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare) as string;
    const v = all[name];
    if (v === undefined) throw new Error(`${whole} in "${expr}": no value for this dashboard variable`);
    return v;
  });
}
