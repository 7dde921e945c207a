// The cluster's images, built here without Docker or a registry: a root filesystem directory per image, written as
// an OCI archive (images/oci.ts) that `cluster up` imports with `ctr -n k8s.io images import`. Versioned tags only.
//
//   node --import tsx cluster/images.ts --system   pause, CoreDNS, kube-router (policy), toolbox (busybox)
//   node --import tsx cluster/images.ts --apps     Kafka, RabbitMQ, Prometheus, the smoke-gate runner
//
// An archive is rebuilt only when its inputs (the binaries' sizes and times, the recipe's version) change.

import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { buildImage as buildRunnerRootfs, dockerfile, imageName } from "../images/build";
import { parseDockerfile } from "../images/dockerfile";
import { type ImageRuntimeConfig, writeOciArchive } from "../images/oci";
import { checkCommandLine, errorOutcome, HelpRequested, UsageError } from "../toolchain/src/command-line";
import { run } from "../toolchain/src/exec";
import { cacheDir, repoRoot, toolPaths, version } from "../toolchain/src/paths";
import { clusterPaths } from "./paths";

const imagesDir = clusterPaths.images;

/** Part of every archive's inputs, with this file's own hash: a changed recipe rebuilds. */
const RECIPE = "1";

export interface ImageRecipe {
  name: string;
  tag: string;
  /** Files whose size and mtime decide whether the archive is stale. */
  inputs: string[];
  config: ImageRuntimeConfig;
  /** Fills the root filesystem directory. */
  fill: (rootfs: string) => void;
}

export const imageRef = (r: Pick<ImageRecipe, "name" | "tag">) => `localhost/${r.name}:${r.tag}`;
export const archivePath = (r: Pick<ImageRecipe, "name" | "tag">) => join(imagesDir, `${r.name}_${r.tag}.tar`);

function must(cmd: string, args: string[], timeoutMs = 600_000): string {
  const r = run(cmd, args, { timeoutMs });
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.code}\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

function install(src: string, rootfs: string, dest: string, mode = 0o755): void {
  const to = join(rootfs, dest);
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(src, to);
  chmodSync(to, mode);
}

/** Copies a dynamically linked host binary and every shared library `ldd` names (same paths inside the image). */
function installWithLibs(bin: string, rootfs: string): void {
  install(bin, rootfs, bin);
  const libs = must("ldd", [bin])
    .split("\n")
    .map((l) => /(\/\S+) \(0x/.exec(l)?.[1])
    .filter((p): p is string => p !== undefined);
  for (const lib of libs) if (!existsSync(join(rootfs, lib))) install(lib, rootfs, lib);
}

/** A root filesystem built by mmdebstrap carries the build machine's resolv.conf: never ship it (the kubelet mounts
 * the pod's own over it). */
function noHostResolver(rootfs: string): void {
  rmSync(join(rootfs, "etc", "resolv.conf"), { force: true });
  writeFileSync(join(rootfs, "etc", "resolv.conf"), "");
  writeFileSync(join(rootfs, "etc", "hosts"), "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n");
}

function etcFiles(rootfs: string, users: string[] = []): void {
  mkdirSync(join(rootfs, "etc"), { recursive: true });
  writeFileSync(
    join(rootfs, "etc", "passwd"),
    ["root:x:0:0:root:/root:/bin/sh", ...users, "nobody:x:65534:65534:nobody:/:/sbin/nologin", ""].join("\n"),
  );
  writeFileSync(join(rootfs, "etc", "group"), "root:x:0:\nnogroup:x:65534:\n");
  writeFileSync(join(rootfs, "etc", "nsswitch.conf"), "hosts: files dns\n");
  mkdirSync(join(rootfs, "tmp"), { recursive: true, mode: 0o1777 });
  chmodSync(join(rootfs, "tmp"), 0o1777);
}

const toolchainBin = (dirVar: string, ver: string, bin: string) =>
  join(cacheDir, `${dirVar}-${version(ver)}`, "bin", bin);

export function systemImages(): ImageRecipe[] {
  const pause = toolchainBin("pause", "PAUSE_VERSION", "pause");
  const coredns = toolchainBin("coredns", "COREDNS_VERSION", "coredns");
  const kubeRouter = toolchainBin("kube-router", "KUBE_ROUTER_VERSION", "kube-router");
  const busybox = "/bin/busybox";
  const xtables = "/usr/sbin/xtables-nft-multi";
  const ipset = "/usr/sbin/ipset";
  return [
    {
      name: "pause",
      tag: version("PAUSE_VERSION"),
      inputs: [pause],
      config: { Entrypoint: ["/pause"], User: "65535:65535" },
      fill: (r) => install(pause, r, "/pause"),
    },
    {
      name: "coredns",
      tag: version("COREDNS_VERSION"),
      inputs: [coredns],
      config: { Entrypoint: ["/coredns"] },
      fill: (r) => {
        install(coredns, r, "/coredns");
        etcFiles(r);
      },
    },
    {
      // kube-router with the host's own iptables (nft backend, the same as kube-proxy's on the node) and ipset.
      name: "kube-router",
      tag: version("KUBE_ROUTER_VERSION"),
      inputs: [kubeRouter, xtables, ipset],
      config: {
        Entrypoint: ["/usr/local/bin/kube-router"],
        Env: ["PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
      },
      fill: (r) => {
        install(kubeRouter, r, "/usr/local/bin/kube-router");
        installWithLibs(xtables, r);
        installWithLibs(ipset, r);
        for (const n of [
          "iptables",
          "iptables-save",
          "iptables-restore",
          "ip6tables",
          "ip6tables-save",
          "ip6tables-restore",
        ]) {
          symlinkSync("xtables-nft-multi", join(r, "usr", "sbin", n));
        }
        // iptables' match and target extensions.
        mkdirSync(join(r, "usr", "lib", "x86_64-linux-gnu"), { recursive: true });
        must("cp", ["-a", "/usr/lib/x86_64-linux-gnu/xtables", join(r, "usr", "lib", "x86_64-linux-gnu", "xtables")]);
        for (const f of ["/etc/protocols", "/etc/services", "/etc/ethertypes"])
          if (existsSync(f)) install(f, r, f, 0o644);
        etcFiles(r);
        mkdirSync(join(r, "run"), { recursive: true });
      },
    },
    {
      // Debian's static busybox: the cluster tests' client and server (wget, nc, httpd, nslookup).
      name: "toolbox",
      tag: `busybox-${must("dpkg-query", ["-W", "-f", "$" + "{Version}", "busybox-static"])
        .replace(/^\d+:/, "")
        .replace(/[^A-Za-z0-9_.-]/g, "_")}`,
      inputs: [busybox],
      config: { Entrypoint: [], Cmd: ["/bin/sh"], Env: ["PATH=/bin"] },
      fill: (r) => {
        install(busybox, r, "/bin/busybox");
        for (const n of must(busybox, ["--list"])
          .split("\n")
          .filter((n) => n !== "" && n !== "busybox")) {
          symlinkSync("busybox", join(r, "bin", n));
        }
        etcFiles(r);
        mkdirSync(join(r, "www"), { recursive: true });
        writeFileSync(join(r, "www", "index.html"), "ok\n");
      },
    },
  ];
}

const kafkaHome = join(cacheDir, `kafka-${version("KAFKA_VERSION")}`);
const jreRootfs = join(cacheDir, `jre-rootfs-${version("JRE_SUITE")}`);
const rabbitmqRootfs = join(cacheDir, `rabbitmq-rootfs-${version("RABBITMQ_SUITE")}`);
const recipeDir = join(__dirname, "images");

/** Where the Kafka image holds the JMX exporter agent (charts/kafka's metrics.agent.path): beside the Kafka jars, not
 * in libs/, so it is on no tool's classpath; only the chart's launch script loads it, into the broker's JVM. */
export const KAFKA_IMAGE_JMX_AGENT = "/opt/jmx-exporter/jmx_prometheus_javaagent.jar";

/** Kafka's command-line scripts: the class each runs (the first one the jars hold; some moved between releases). */
const KAFKA_SCRIPTS: Record<string, string[]> = {
  "kafka-storage.sh": ["kafka.tools.StorageTool"],
  "kafka-topics.sh": ["org.apache.kafka.tools.TopicCommand"],
  "kafka-metadata-quorum.sh": ["org.apache.kafka.tools.MetadataQuorumCommand"],
  "kafka-configs.sh": ["org.apache.kafka.tools.ConfigCommand", "kafka.admin.ConfigCommand"],
  "kafka-features.sh": ["org.apache.kafka.tools.FeatureCommand"],
  "kafka-acls.sh": ["org.apache.kafka.tools.AclCommand", "kafka.admin.AclCommand"],
  "kafka-broker-api-versions.sh": [
    "org.apache.kafka.tools.BrokerApiVersionsCommand",
    "kafka.admin.BrokerApiVersionsCommand",
  ],
  "kafka-console-producer.sh": ["org.apache.kafka.tools.ConsoleProducer"],
  "kafka-console-consumer.sh": ["org.apache.kafka.tools.consumer.ConsoleConsumer"],
  "kafka-consumer-groups.sh": ["org.apache.kafka.tools.consumer.group.ConsumerGroupCommand"],
  "kafka-get-offsets.sh": ["org.apache.kafka.tools.GetOffsetShell"],
  "kafka-leader-election.sh": ["org.apache.kafka.tools.LeaderElectionCommand"],
  "kafka-log-dirs.sh": ["org.apache.kafka.tools.LogDirsCommand"],
  "kafka-reassign-partitions.sh": ["org.apache.kafka.tools.reassign.ReassignPartitionsCommand"],
  "kafka-producer-perf-test.sh": ["org.apache.kafka.tools.ProducerPerformance"],
  "kafka-consumer-perf-test.sh": ["org.apache.kafka.tools.ConsumerPerformance"],
};

function jarClasses(libs: string): Set<string> {
  const out = new Set<string>();
  for (const jar of must("ls", [libs])
    .split("\n")
    .filter((f) => f.endsWith(".jar"))) {
    for (const e of must("unzip", ["-Z1", join(libs, jar)]).split("\n")) {
      if (e.endsWith(".class")) out.add(e.slice(0, -".class".length).replaceAll("/", "."));
    }
  }
  return out;
}

export function appImages(): ImageRecipe[] {
  const kafkaJar = join(kafkaHome, "libs", `kafka_2.13-${version("KAFKA_VERSION")}.jar`);
  const java = join(jreRootfs, "usr", "lib", "jvm", "java-17-openjdk-amd64", "bin", "java");
  const rabbitmqServer = join(rabbitmqRootfs, "usr", "lib", "rabbitmq", "bin", "rabbitmq-server");
  return [
    {
      // Laid out like apache/kafka: /opt/kafka/{bin,config,libs}, user appuser (1000), /etc/kafka/docker/run; plus
      // the JMX exporter agent (the toolchain's jmx-exporter step) for charts/kafka's metrics.
      name: "kafka",
      tag: version("KAFKA_VERSION"),
      inputs: [
        kafkaJar,
        toolPaths.jmxExporterAgent,
        java,
        ...["kafka-run-class.sh", "kafka-server-start.sh", "run", "log4j2.yaml", "tools-log4j2.yaml"].map((f) =>
          join(recipeDir, "kafka", f),
        ),
      ],
      config: {
        User: "appuser",
        WorkingDir: "/",
        Env: [
          "PATH=/opt/kafka/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
          "JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64",
          "LANG=C.UTF-8",
        ],
        Cmd: ["/etc/kafka/docker/run"],
      },
      fill: (r) => {
        must("cp", ["-a", `${jreRootfs}/.`, r]);
        noHostResolver(r);
        const opt = join(r, "opt", "kafka");
        mkdirSync(join(opt, "bin"), { recursive: true });
        mkdirSync(join(opt, "config"), { recursive: true });
        must("cp", ["-a", join(kafkaHome, "libs"), join(opt, "libs")]);
        install(toolPaths.jmxExporterAgent, r, KAFKA_IMAGE_JMX_AGENT, 0o644);
        install(join(recipeDir, "kafka", "kafka-run-class.sh"), r, "/opt/kafka/bin/kafka-run-class.sh");
        install(join(recipeDir, "kafka", "kafka-server-start.sh"), r, "/opt/kafka/bin/kafka-server-start.sh");
        install(join(recipeDir, "kafka", "log4j2.yaml"), r, "/opt/kafka/config/log4j2.yaml", 0o644);
        install(join(recipeDir, "kafka", "tools-log4j2.yaml"), r, "/opt/kafka/config/tools-log4j2.yaml", 0o644);
        install(join(recipeDir, "kafka", "run"), r, "/etc/kafka/docker/run");
        const classes = jarClasses(join(opt, "libs"));
        for (const [script, candidates] of Object.entries(KAFKA_SCRIPTS)) {
          const cls = candidates.find((c) => classes.has(c));
          if (cls === undefined) throw new Error(`${script}: none of ${candidates.join(", ")} is in the Kafka jars`);
          writeFileSync(
            join(opt, "bin", script),
            `#!/bin/bash\nexec "$(dirname "$0")/kafka-run-class.sh" ${cls} "$@"\n`,
          );
          chmodSync(join(opt, "bin", script), 0o755);
        }
        // appuser (1000:1000) as in apache/kafka; it owns nothing it must write (the chart mounts /tmp and data).
        must("chroot", [
          r,
          "sh",
          "-c",
          "groupadd -g 1000 appuser && useradd -u 1000 -g 1000 -M -d /home/appuser -s /bin/sh appuser",
        ]);
        mkdirSync(join(r, "var", "lib", "kafka", "data"), { recursive: true });
        must("chown", ["-R", "1000:1000", join(r, "var", "lib", "kafka"), join(opt, "config")]);
      },
    },
    {
      // The embedded default's Debian root filesystem (RabbitMQ 4.x from sid), made to behave like the official
      // rabbitmq image for what charts/rabbitmq uses: user rabbitmq is 999:999, HOME /var/lib/rabbitmq, the CLI tools
      // (rabbitmq-server, -diagnostics, -upgrade, -plugins, rabbitmqctl) on PATH, logs on stdout, CMD rabbitmq-server.
      name: "rabbitmq",
      tag: `${version("RABBITMQ_VERSION")}-management`,
      inputs: [rabbitmqServer],
      config: {
        User: "rabbitmq",
        Env: [
          "PATH=/opt/rabbitmq/sbin:/usr/lib/rabbitmq/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
          "RABBITMQ_DATA_DIR=/var/lib/rabbitmq",
          "RABBITMQ_HOME=/usr/lib/rabbitmq",
          "RABBITMQ_LOGS=-",
          "HOME=/var/lib/rabbitmq",
          "LANG=C.UTF-8",
          "LANGUAGE=C.UTF-8",
          "LC_ALL=C.UTF-8",
        ],
        Cmd: ["rabbitmq-server"],
      },
      fill: (r) => {
        must("cp", ["-a", `${rabbitmqRootfs}/.`, r]);
        const old = must("chroot", [r, "id", "-u", "rabbitmq"]).trim();
        const oldGid = must("chroot", [r, "id", "-g", "rabbitmq"]).trim();
        // Another group (Debian's lpadmin) may hold 999: move it out of the way first, with its files.
        const taken = must("chroot", [r, "sh", "-c", "getent group 999 | cut -d: -f1"]).trim();
        if (taken !== "" && taken !== "rabbitmq") {
          must("find", [r, "-xdev", "-gid", "999", "-exec", "chgrp", "-h", "989", "{}", "+"]);
          must("chroot", [r, "groupmod", "-g", "989", taken]);
        }
        must("chroot", [r, "sh", "-c", "usermod -u 999 rabbitmq && groupmod -g 999 rabbitmq"]);
        must("find", [r, "-xdev", "-uid", old, "-exec", "chown", "-h", "999", "{}", "+"]);
        must("find", [r, "-xdev", "-gid", oldGid, "-exec", "chgrp", "-h", "999", "{}", "+"]);
        // CA certificates, as the official image has: Erlang's httpc loads the OS's even for plain http (the
        // chart's definitions Job crashed with failed_load_cacerts/no_cacerts_found). The host's public bundle.
        const bundle = "/etc/ssl/certs/ca-certificates.crt";
        if (!existsSync(join(r, bundle))) install(bundle, r, bundle, 0o644);
        // No Erlang cookie baked in (the build's own; a node creates one, the chart mounts its Secret's).
        rmSync(join(r, "var", "lib", "rabbitmq", ".erlang.cookie"), { force: true });
        noHostResolver(r);
        mkdirSync(join(r, "opt", "rabbitmq"), { recursive: true });
        symlinkSync("/usr/lib/rabbitmq/bin", join(r, "opt", "rabbitmq", "sbin"));
        for (const d of ["var/lib/rabbitmq", "var/log/rabbitmq", "etc/rabbitmq"]) {
          mkdirSync(join(r, d), { recursive: true });
          must("chown", ["999:999", join(r, d)]);
        }
      },
    },
    prometheusImage(),
  ];
}

/** Where the Prometheus image keeps its time series (charts/prometheus mounts its volume here), owned by nobody. */
export const PROMETHEUS_IMAGE_DATA = "/prometheus";

/**
 * Prometheus and promtool as the toolchain's `prometheus` step built them from the Go module (static, no web UI:
 * the API, /-/ready and /-/healthy answer), run as nobody. promtool is in the image so the cluster tests can query the
 * server from inside its own pod (`kubectl exec … promtool query instant http://127.0.0.1:9090 …`), without a port
 * opened to them.
 */
export function prometheusImage(): ImageRecipe {
  return {
    name: "prometheus",
    tag: version("PROMETHEUS_VERSION"),
    inputs: [toolPaths.prometheus, toolPaths.promtool],
    config: {
      User: "65534:65534",
      WorkingDir: PROMETHEUS_IMAGE_DATA,
      Env: ["PATH=/bin"],
      Entrypoint: ["/bin/prometheus"],
      Cmd: ["--config.file=/etc/prometheus/prometheus.yml", `--storage.tsdb.path=${PROMETHEUS_IMAGE_DATA}`],
    },
    fill: (r) => {
      install(toolPaths.prometheus, r, "/bin/prometheus");
      install(toolPaths.promtool, r, "/bin/promtool");
      etcFiles(r);
      mkdirSync(join(r, "etc", "prometheus"), { recursive: true });
      mkdirSync(join(r, PROMETHEUS_IMAGE_DATA), { recursive: true });
      must("chown", ["65534:65534", join(r, PROMETHEUS_IMAGE_DATA)]);
    },
  };
}

function inputsKey(recipe: ImageRecipe): string {
  const parts = recipe.inputs.map((p) => {
    const s = statSync(p);
    return `${p}:${s.size}:${s.mtimeMs}`;
  });
  return [RECIPE, hashFile(__filename), imageRef(recipe), JSON.stringify(recipe.config), ...parts].join("\n");
}

/** Builds the archive unless it is current. Returns true when it built. */
export async function buildImage(recipe: ImageRecipe): Promise<boolean> {
  const out = archivePath(recipe);
  const key = inputsKey(recipe);
  const stamp = `${out}.inputs`;
  if (existsSync(out) && existsSync(stamp) && readFileSync(stamp, "utf8") === key) return false;
  const rootfs = join(imagesDir, `${recipe.name}.rootfs`);
  rmSync(rootfs, { recursive: true, force: true });
  mkdirSync(rootfs, { recursive: true });
  recipe.fill(rootfs);
  mkdirSync(imagesDir, { recursive: true });
  const { manifest } = await writeOciArchive(rootfs, recipe.config, imageRef(recipe), out);
  rmSync(rootfs, { recursive: true, force: true });
  writeFileSync(`${out}.ref`, `${imageRef(recipe)} ${manifest.digest}\n`);
  writeFileSync(stamp, key);
  return true;
}

/** The smoke-gate runner image that `npm run image` builds (images/), under the name its chart pulls. */
async function buildRunner(): Promise<{ ref: string; built: boolean }> {
  const ref = imageName().full;
  const out = join(imagesDir, `smoke-gate_${imageName().tag}.tar`);
  const lock = statSync(join(repoRoot, "package-lock.json"));
  const key = [
    RECIPE,
    ref,
    hashFile(join(repoRoot, "smoke-tests", "Dockerfile")),
    `${lock.size}:${lock.mtimeMs}`,
    hashCopiedSources(),
  ].join("\n");
  if (existsSync(out) && existsSync(`${out}.inputs`) && readFileSync(`${out}.inputs`, "utf8") === key) {
    return { ref, built: false };
  }
  const image = buildRunnerRootfs();
  mkdirSync(imagesDir, { recursive: true });
  const { manifest } = await writeOciArchive(image.rootfs, image.config, ref, out);
  writeFileSync(`${out}.ref`, `${ref} ${manifest.digest}\n`);
  writeFileSync(`${out}.inputs`, key);
  return { ref, built: true };
}

const hashFile = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");

/**
 * Every file the Dockerfile COPYs, by path and content: the runner must be rebuilt when the gate's code changes, or
 * the in-cluster gate runs yesterday's checks under today's tag.
 */
function hashCopiedSources(): string {
  const h = createHash("sha256");
  const add = (rel: string) => {
    const abs = join(repoRoot, rel);
    if (!existsSync(abs)) return;
    if (statSync(abs).isDirectory()) {
      for (const e of readdirSync(abs).sort()) if (e !== "node_modules") add(join(rel, e));
    } else {
      h.update(`${rel}\0`).update(readFileSync(abs));
    }
  };
  for (const step of parseDockerfile(readFileSync(dockerfile, "utf8"))) {
    if (step.op === "COPY") for (const src of step.args.filter((a) => !a.startsWith("--")).slice(0, -1)) add(src);
  }
  return h.digest("hex");
}

const commandLine = {
  command: "cluster/images.ts",
  usage:
    "cluster/images.ts [--system] [--apps]   (at least one: the cluster's own images, the brokers' and the runner)",
  switches: ["system", "apps"],
};

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  checkCommandLine(argv, commandLine);
  const recipes: ImageRecipe[] = [];
  if (argv.includes("--system")) recipes.push(...systemImages());
  if (argv.includes("--apps")) recipes.push(...appImages());
  if (recipes.length === 0) throw new UsageError("name the images to build", commandLine.usage);
  if (argv.includes("--apps")) {
    const t0 = Date.now();
    const { ref, built } = await buildRunner();
    process.stdout.write(
      `${ref.padEnd(40)} ${built ? `built (${((Date.now() - t0) / 1000).toFixed(1)} s)` : "cached"}\n`,
    );
  }
  for (const r of recipes) {
    const t0 = Date.now();
    const built = await buildImage(r);
    process.stdout.write(
      `${imageRef(r).padEnd(40)} ${built ? `built (${((Date.now() - t0) / 1000).toFixed(1)} s)` : "cached"}\n`,
    );
  }
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      if (e instanceof UsageError || e instanceof HelpRequested) {
        const o = errorOutcome(e);
        process[o.stream].write(o.text.trimStart());
        process.exit(o.code);
      }
      process.stderr.write(`cluster images: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
