// The broker charts' dashboards as kube-prometheus-stack's Grafana sidecar loads them (metrics.grafanaDashboards):
// off by default; when asked, one ConfigMap with every files/dashboards/*.json unchanged and the sidecar's label, valid
// offline and under the 1 MiB a ConfigMap may hold.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { chartDashboards } from "./dashboards";
import { render, validate } from "./support";

const configMapLimit = 1024 * 1024;

describe.each(["kafka", "rabbitmq"])("%s: metrics.grafanaDashboards", (chart) => {
  const name = `mp-${chart}-dashboards`;

  test("off by default: no dashboard ConfigMap", () => {
    expect(render(chart).objects.filter((o) => o.metadata.name === name)).toEqual([]);
  });

  test("on: every dashboard file unchanged, labelled grafana_dashboard=1 (or the labels given), valid, under 1 MiB", () => {
    const r = render(chart, [], ["metrics.grafanaDashboards.enabled=true"]);
    const cm = r.get("ConfigMap", name);
    expect(cm.metadata.labels).toMatchObject({ grafana_dashboard: "1" });
    const files = chartDashboards(chart).map((d) => d.file);
    expect(Object.keys(cm.data).sort()).toEqual(files.map((f) => basename(f)).sort());
    for (const f of files) expect(cm.data[basename(f)]).toBe(readFileSync(f, "utf8"));
    expect(Buffer.byteLength(JSON.stringify(cm.data))).toBeLessThan(configMapLimit);
    expect(validate(r.manifest).problems).toEqual([]);

    const custom = render(
      chart,
      [],
      ["metrics.grafanaDashboards.enabled=true", "metrics.grafanaDashboards.labels.team=messaging"],
    ).get("ConfigMap", name);
    expect(custom.metadata.labels).toMatchObject({ grafana_dashboard: "1", team: "messaging" });
  });
});
