// The setup steps of the monitoring groundwork: the JMX exporter agent from Maven Central (pinned sha256, and Maven
// Central's own .sha1), prometheus-operator's CRD schemas and promtool/prometheus from the Go module proxy (pinned
// module sums). Each installed result is what its pin says, and a pin that does not match fails its step, named,
// leaving nothing behind.
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { crdSchemas, strictSchema } from "../src/crd-schemas";
import { run } from "../src/exec";
import { repoRoot, toolPaths, version } from "../src/paths";

jest.setTimeout(180_000);

const digest = (algorithm: string, path: string) => createHash(algorithm).update(readFileSync(path)).digest("hex");

/** setup.sh with one real step, on an empty cache of its own, with versions.env changed by `edit`. Both pin checks
 * come before anything else of the repository is needed. */
function setupWithPin(step: string, edit: (versions: string) => string) {
  const dir = mkdtempSync(join(tmpdir(), "mp-monitoring-steps-"));
  const tool = join(dir, "toolchain");
  mkdirSync(join(tool, "steps"), { recursive: true });
  mkdirSync(join(tool, "src"), { recursive: true });
  for (const f of ["setup.sh", "lib.sh", "steps/common.sh", `steps/${step}.sh`, "src/crd-schemas.ts"]) {
    cpSync(join(repoRoot, "toolchain", f), join(tool, f));
  }
  writeFileSync(join(tool, "versions.env"), edit(readFileSync(join(repoRoot, "toolchain", "versions.env"), "utf8")));
  const cache = join(dir, "cache");
  const r = run("bash", [join(tool, "setup.sh"), step], { env: { ...process.env, MESSAGING_PLATFORM_CACHE: cache } });
  return { r, cache: join(cache, "toolchain-v1"), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

describe("the jmx-exporter step (Maven Central)", () => {
  const jar = toolPaths.jmxExporterAgent;

  test("installed the agent whose sha256 is the pinned one, and whose sha1 is the one Maven Central serves", () => {
    expect(existsSync(jar)).toBe(true);
    expect(digest("sha256", jar)).toBe(version("JMX_EXPORTER_SHA256"));
    const v = version("JMX_EXPORTER_VERSION");
    const central = join(
      homedir(),
      ".m2/repository/io/prometheus/jmx/jmx_prometheus_javaagent",
      v,
      `jmx_prometheus_javaagent-${v}.jar.sha1`,
    );
    expect(digest("sha1", jar)).toBe(readFileSync(central, "utf8").slice(0, 40));
  });

  test("a jar that is not the pinned one fails the step, naming both hashes, and leaves no agent behind", () => {
    const wrong = "0".repeat(64);
    const s = setupWithPin("jmx-exporter", (v) =>
      v.replace(/^JMX_EXPORTER_SHA256=.*$/m, `JMX_EXPORTER_SHA256=${wrong}`),
    );
    try {
      expect(s.r.code).toBe(1);
      expect(s.r.stderr).toContain(
        `FAILED: step=jmx-exporter registry=maven-central package=io.prometheus.jmx:jmx_prometheus_javaagent version=${version("JMX_EXPORTER_VERSION")}: sha256 ${version("JMX_EXPORTER_SHA256")} is not the pinned JMX_EXPORTER_SHA256 ${wrong}`,
      );
      expect(existsSync(join(s.cache, `jmx-exporter-${version("JMX_EXPORTER_VERSION")}`))).toBe(false);
      expect(existsSync(join(s.cache, "stamps", "jmx-exporter"))).toBe(false);
    } finally {
      s.remove();
    }
  });
});

describe("the monitoring-schemas step (Go module proxy)", () => {
  test("wrote strict schemas of PodMonitor, ServiceMonitor and PrometheusRule", () => {
    for (const kind of ["podmonitor", "servicemonitor", "prometheusrule"]) {
      const schema = JSON.parse(readFileSync(join(toolPaths.monitoringSchemas, `${kind}-monitoring-v1.json`), "utf8"));
      expect(schema.properties.apiVersion.enum).toEqual(["monitoring.coreos.com/v1"]);
      expect(schema.properties.spec.additionalProperties).toBe(false);
    }
  });

  test("a module sum that is not the pinned one fails the step, naming both, and leaves no schemas behind", () => {
    const wrong = "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    const s = setupWithPin("monitoring-schemas", (v) =>
      v.replace(/^PROMETHEUS_OPERATOR_MODULE_SUM=.*$/m, `PROMETHEUS_OPERATOR_MODULE_SUM=${wrong}`),
    );
    try {
      expect(s.r.code).toBe(1);
      expect(s.r.stderr).toContain(
        `FAILED: step=monitoring-schemas registry=go-proxy package=github.com/prometheus-operator/prometheus-operator version=v${version("PROMETHEUS_OPERATOR_VERSION")}: module sum ${version("PROMETHEUS_OPERATOR_MODULE_SUM")} is not the pinned PROMETHEUS_OPERATOR_MODULE_SUM ${wrong}`,
      );
      expect(existsSync(join(s.cache, `prometheus-operator-schemas-${version("PROMETHEUS_OPERATOR_VERSION")}`))).toBe(
        false,
      );
    } finally {
      s.remove();
    }
  });
});

describe("crd-schemas (pure)", () => {
  test("closes every object that lists properties, unless the CRD keeps unknown fields there", () => {
    expect(
      strictSchema({
        type: "object",
        properties: {
          a: { type: "object", properties: { b: { type: "string" } } },
          open: { type: "object", "x-kubernetes-preserve-unknown-fields": true, properties: { c: { type: "string" } } },
          map: { type: "object", additionalProperties: { type: "string" } },
        },
      }),
    ).toEqual({
      type: "object",
      additionalProperties: false,
      properties: {
        a: { type: "object", additionalProperties: false, properties: { b: { type: "string" } } },
        open: { type: "object", "x-kubernetes-preserve-unknown-fields": true, properties: { c: { type: "string" } } },
        map: { type: "object", additionalProperties: { type: "string" } },
      },
    });
  });

  test("int-or-string becomes a string or an integer; nullable admits null", () => {
    expect(
      strictSchema({ "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] }),
    ).toEqual({ anyOf: [{ type: "integer" }, { type: "string" }], oneOf: [{ type: "string" }, { type: "integer" }] });
    expect(strictSchema({ type: "string", nullable: true })).toEqual({ type: ["string", "null"] });
  });

  test("one schema per served version, apiVersion and kind pinned; a document that is no CRD is refused", () => {
    const crd = {
      kind: "CustomResourceDefinition",
      spec: {
        group: "monitoring.coreos.com",
        names: { kind: "PodMonitor" },
        versions: [
          {
            name: "v1",
            served: true,
            schema: { openAPIV3Schema: { type: "object", properties: { apiVersion: {}, kind: {}, spec: {} } } },
          },
          { name: "v0", served: false, schema: { openAPIV3Schema: { type: "object" } } },
        ],
      },
    };
    const out = crdSchemas(JSON.parse(JSON.stringify(crd)));
    expect(out.map((s) => s.file)).toEqual(["podmonitor-monitoring-v1.json"]);
    expect(out[0]?.schema.properties).toEqual({
      apiVersion: { type: "string", enum: ["monitoring.coreos.com/v1"] },
      kind: { type: "string", enum: ["PodMonitor"] },
      spec: {},
    });
    expect(() => crdSchemas({ kind: "ConfigMap" })).toThrow('not a CustomResourceDefinition: "ConfigMap"');
  });
});

describe("the prometheus step (Go module proxy)", () => {
  const module = "github.com/prometheus/prometheus";

  test.each([
    ["promtool", toolPaths.promtool],
    ["prometheus", toolPaths.prometheus],
  ])("built %s as the pinned release, from the pinned module version", (name, path) => {
    const r = run(path, ["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `${name}, version ${version("PROMETHEUS_VERSION")} (branch: go-module, revision: v${version("PROMETHEUS_MODULE_VERSION")})`,
    );
  });

  test("a module sum that is not the pinned one fails the step before building, naming both, leaving nothing", () => {
    const wrong = "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    const s = setupWithPin("prometheus", (v) =>
      v.replace(/^PROMETHEUS_MODULE_SUM=.*$/m, `PROMETHEUS_MODULE_SUM=${wrong}`),
    );
    try {
      expect(s.r.code).toBe(1);
      expect(s.r.stderr).toContain(
        `FAILED: step=prometheus registry=go-proxy package=${module} version=v${version("PROMETHEUS_MODULE_VERSION")}: module sum ${version("PROMETHEUS_MODULE_SUM")} is not the pinned PROMETHEUS_MODULE_SUM ${wrong}`,
      );
      expect(existsSync(join(s.cache, `prometheus-${version("PROMETHEUS_VERSION")}`))).toBe(false);
      expect(existsSync(join(s.cache, "stamps", "prometheus"))).toBe(false);
    } finally {
      s.remove();
    }
  });

  test("a module version the proxy does not serve fails the step, naming the version and the proxy's answer", () => {
    const s = setupWithPin("prometheus", (v) =>
      v.replace(/^PROMETHEUS_MODULE_VERSION=.*$/m, "PROMETHEUS_MODULE_VERSION=0.316.99"),
    );
    try {
      expect(s.r.code).toBe(1);
      expect(s.r.stderr).toContain(
        `FAILED: step=prometheus registry=go-proxy package=${module} version=v0.316.99: module not served by the Go module proxy: ${module}@v0.316.99`,
      );
      expect(existsSync(join(s.cache, `prometheus-${version("PROMETHEUS_VERSION")}`))).toBe(false);
    } finally {
      s.remove();
    }
  });
});
