// Where the toolchain lives, for TypeScript code: the same versions and cache layout as toolchain/lib.sh,
// read from toolchain/versions.env so no version number is written twice.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

export const repoRoot = resolve(__dirname, "..", "..");

/** Parses KEY=value lines (comments and blanks ignored), as versions.env is written. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*$/, "").trim();
    const m = /^([A-Z0-9_]+)=(\S*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2];
  }
  return out;
}

const versionsFile = join(repoRoot, "toolchain", "versions.env");
export const versions = parseEnvFile(readFileSync(versionsFile, "utf8"));

export function version(key: string): string {
  const v = versions[key];
  if (v === undefined) throw new Error(`toolchain/versions.env has no ${key}`);
  return v;
}

const cacheRoot =
  process.env.MESSAGING_PLATFORM_CACHE ??
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "messaging-platform");

export const cacheDir = join(cacheRoot, `toolchain-v${version("TOOLCHAIN_CACHE_VERSION")}`);

export const toolPaths = {
  node: join(cacheDir, `node-${version("NODE_VERSION")}`, "bin", "node"),
  pulumiBin: join(cacheDir, `pulumi-${version("PULUMI_VERSION")}`, "bin"),
  pulumi: join(cacheDir, `pulumi-${version("PULUMI_VERSION")}`, "bin", "pulumi"),
  pulumiHome: join(cacheDir, "pulumi-home"),
  helm: join(cacheDir, `helm-${version("HELM_VERSION")}`, "bin", "helm"),
  kubeconform: join(cacheDir, `helm-${version("HELM_VERSION")}`, "bin", "kubeconform"),
  kubernetesSchemas: join(cacheDir, `kubernetes-schemas-${version("KUBERNETES_SCHEMA_VERSION")}`),
  kafkaHome: join(cacheDir, `kafka-${version("KAFKA_VERSION")}`),
  jmxExporterAgent: join(cacheDir, `jmx-exporter-${version("JMX_EXPORTER_VERSION")}`, "jmx_prometheus_javaagent.jar"),
  monitoringSchemas: join(cacheDir, `prometheus-operator-schemas-${version("PROMETHEUS_OPERATOR_VERSION")}`),
  promtool: join(cacheDir, `prometheus-${version("PROMETHEUS_VERSION")}`, "bin", "promtool"),
  prometheus: join(cacheDir, `prometheus-${version("PROMETHEUS_VERSION")}`, "bin", "prometheus"),
  perfTestHome: join(cacheDir, `perf-test-${version("PERF_TEST_VERSION")}`),
  rabbitmqRootfs: join(cacheDir, `rabbitmq-rootfs-${version("RABBITMQ_SUITE")}`),
  runnerRootfs: join(cacheDir, `runner-rootfs-${version("RUNNER_SUITE")}`),
} as const;

/** The message a test prints when a tool is missing: it fails, and says how to install it. */
export function missingToolHint(what: string, path: string): string {
  return `${what} is not installed at ${path}. Run \`npm run setup\` (it installs the whole toolchain from the package registries).`;
}
