// The drills' kill-and-hold-down hook in both broker charts (holdDown in values.yaml; contract/hold-down.ts): by
// default every broker pod has the marker's emptyDir and its broker container starts through hold-down.sh; with
// holdDown.enabled=false neither is there and the container starts as it always did. hold-down.sh itself is run here
// under sh (and busybox's sh where there is one), as in the pod: it waits while the marker exists, then execs its
// arguments unchanged.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { holdDownDir, holdDownMarker } from "../../contract/hold-down";
import { type Any, container, type Rendered, render } from "./support";

interface Chart {
  chart: "kafka" | "rabbitmq";
  container: string;
  scriptsConfigMap: string;
  scriptsDir: string;
  /** How the broker container starts without the hook (`command` and `args` as the chart renders them). */
  plain: { command?: string[]; args?: string[] };
  /** The same with the hook: the hook's script first, then exactly the plain start. */
  held: { command?: string[]; args?: string[] };
}

const kafkaLaunch = ["/bin/sh", "/opt/kafka-chart/scripts/launch.sh"];
const charts: Chart[] = [
  {
    chart: "kafka",
    container: "kafka",
    scriptsConfigMap: "mp-kafka-scripts",
    scriptsDir: "/opt/kafka-chart/scripts",
    plain: { command: kafkaLaunch },
    held: { command: ["/bin/sh", "/opt/kafka-chart/scripts/hold-down.sh", ...kafkaLaunch] },
  },
  {
    // No command either way: the image's entrypoint (the official image's docker-entrypoint.sh) stays; only its CMD,
    // rabbitmq-server, is started through start.sh (a blank seed joins the cluster that exists), and through the hook first.
    chart: "rabbitmq",
    container: "rabbitmq",
    scriptsConfigMap: "mp-rabbitmq-scripts",
    scriptsDir: "/run/rabbitmq/scripts",
    plain: { args: ["/bin/sh", "/run/rabbitmq/scripts/start.sh", "rabbitmq-server"] },
    held: {
      args: [
        "/bin/sh",
        "/run/rabbitmq/scripts/hold-down.sh",
        "/bin/sh",
        "/run/rabbitmq/scripts/start.sh",
        "rabbitmq-server",
      ],
    },
  },
];

const rendered = new Map<string, Rendered>();
function rendering(chart: string, enabled: boolean): Rendered {
  const key = `${chart} ${enabled}`;
  let r = rendered.get(key);
  if (r === undefined) {
    r = render(chart, [], enabled ? [] : ["holdDown.enabled=false"]);
    rendered.set(key, r);
  }
  return r;
}

/** What the hook puts in one broker pod: its volume, the broker container's mount of it, how the container starts. */
function hookOf(sts: Any, name: string) {
  const spec = sts.spec.template.spec;
  const c = container(sts, name);
  return {
    volumes: (spec.volumes as Any[]).filter((v) => v.name === "hold-down"),
    mounts: (c.volumeMounts as Any[]).filter((m) => m.mountPath === holdDownDir),
    start: { ...(c.command ? { command: c.command } : {}), ...(c.args ? { args: c.args } : {}) },
  };
}

describe.each(charts)("charts/$chart: the hold-down hook", (c) => {
  test("on by default: every broker pod has a sized emptyDir at the marker's directory, and starts through hold-down.sh", () => {
    const r = rendering(c.chart, true);
    const sets = r.all("StatefulSet");
    expect(sets.length).toBeGreaterThan(0);
    for (const sts of sets) {
      expect({ sts: sts.metadata.name, ...hookOf(sts, c.container) }).toEqual({
        sts: sts.metadata.name,
        volumes: [{ name: "hold-down", emptyDir: { sizeLimit: "1Mi" } }],
        mounts: [{ name: "hold-down", mountPath: holdDownDir }],
        start: c.held,
      });
    }
    expect(r.get("ConfigMap", c.scriptsConfigMap).data["hold-down.sh"]).toContain(`marker=${holdDownMarker}\n`);
  });

  test("holdDown.enabled=false: no volume, no mount, no hold-down.sh; the container starts as without the hook", () => {
    const r = rendering(c.chart, false);
    for (const sts of r.all("StatefulSet")) {
      expect({ sts: sts.metadata.name, ...hookOf(sts, c.container) }).toEqual({
        sts: sts.metadata.name,
        volumes: [],
        mounts: [],
        start: c.plain,
      });
    }
    expect(Object.keys(r.get("ConfigMap", c.scriptsConfigMap).data)).not.toContain("hold-down.sh");
  });
});

test("both charts run the same hold-down.sh", () => {
  const [kafka, rabbitmq] = charts.map((c) => rendering(c.chart, true).get("ConfigMap", c.scriptsConfigMap).data);
  expect(kafka["hold-down.sh"]).toBe(rabbitmq["hold-down.sh"]);
});

describe("hold-down.sh", () => {
  const which = (c: string) => spawnSync("sh", ["-c", `command -v ${c}`], { encoding: "utf8" }).stdout.trim();
  const busybox = which("busybox");
  const shells = [[which("sh")], ...(busybox ? [[busybox, "sh"]] : [])];
  const script = () => rendering("kafka", true).get("ConfigMap", "mp-kafka-scripts").data["hold-down.sh"] as string;
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "mp-hold-down-test-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  /** The script with the marker in a scratch directory instead of the pod's emptyDir. */
  const scratch = () => {
    expect(script()).toContain(holdDownMarker);
    return script().split(holdDownMarker).join(join(dir, "held"));
  };

  test.each(shells)("%s: without the marker, execs its arguments at once, as they are", (...sh) => {
    const r = spawnSync(
      sh[0] as string,
      [...sh.slice(1), "-c", scratch(), "hold-down.sh", "printf", "%s|", "a b", "c"],
      {
        encoding: "utf8",
      },
    );
    expect({ code: r.status, out: r.stdout, err: r.stderr }).toEqual({ code: 0, out: "a b|c|", err: "" });
  });

  test.each(shells)(
    "%s: with the marker, says it is held and how to release it, starts once it is gone",
    async (...sh) => {
      const marker = join(dir, "held");
      writeFileSync(marker, "");
      // The started program looks for the marker itself: a hook that started it while held would say so.
      const probe = 'if [ -e "$1" ]; then echo "started while held"; else echo started; fi';
      const child = spawn(sh[0] as string, [
        ...sh.slice(1),
        "-c",
        scratch(),
        "hold-down.sh",
        "sh",
        "-c",
        probe,
        "sh",
        marker,
      ]);
      let out = "";
      child.stdout.on("data", (d) => {
        out += String(d);
        // Released on the event the test waits for (the held line), not after a time.
        if (out.includes("held down by a drill")) rmSync(marker, { force: true });
      });
      const code = await new Promise((ok) => child.on("close", ok));
      expect({ code, lines: out.trim().split("\n") }).toEqual({
        code: 0,
        lines: [
          `held down by a drill: starts once ${marker} is gone (rm it by kubectl exec into this container, or delete the pod)`,
          "released: starting",
          "started",
        ],
      });
    },
  );
});
