// The rules, on real Kubernetes object shapes (what charts/* render). Kept apart from index.ts so tests call each
// validate function directly. Production floors mirror infra/settings/levels.ts; here they are checked on what the charts
// actually rendered, so a chart default or a values typo cannot slip past the stack config's validation.
import type {
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";

type Obj = Record<string, any>;

/** Namespace label the program sets (infra/components/namespaces.ts). */
export const environmentLabel = "messaging-platform.io/environment";
export const productionFloor = { replicationFactor: 3, minInsyncReplicas: 2 };

const workloadPodSpec: Record<string, (o: Obj) => Obj | undefined> = {
  Pod: (o) => o.spec,
  Deployment: (o) => o.spec?.template?.spec,
  StatefulSet: (o) => o.spec?.template?.spec,
  DaemonSet: (o) => o.spec?.template?.spec,
  ReplicaSet: (o) => o.spec?.template?.spec,
  Job: (o) => o.spec?.template?.spec,
  CronJob: (o) => o.spec?.jobTemplate?.spec?.template?.spec,
};

function kind(r: { type: string; props: Obj }): string | undefined {
  return r.type.startsWith("kubernetes:") ? (r.props.kind ?? r.type.split(":")[2]) : undefined;
}

function podSpec(r: { type: string; props: Obj }): Obj | undefined {
  const k = kind(r);
  return k === undefined ? undefined : workloadPodSpec[k]?.(r.props);
}

function containers(spec: Obj): Obj[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

function where(r: { props: Obj; name: string }): string {
  const m = r.props.metadata ?? {};
  return `${r.props.kind ?? "resource"} ${m.namespace ? `${m.namespace}/` : ""}${m.name ?? r.name}`;
}

/** Values unknown during preview arrive as non-strings or placeholders: never report on what is not known yet. */
function known(v: unknown): v is string {
  return typeof v === "string" && !/^[0-9a-f]{8}-[0-9a-f]{4}-/.test(v);
}

/** An image is pinned when it names a digest, or a tag that is not `latest` and carries a version number. */
export function imagePinned(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const lastSlash = image.lastIndexOf("/");
  const colon = image.indexOf(":", lastSlash + 1);
  if (colon < 0) return false;
  const tag = image.slice(colon + 1);
  return tag !== "latest" && /\d/.test(tag);
}

export const pinnedImages: ResourceValidationPolicy = {
  name: "pinned-images",
  description: "Every container image is pinned by digest or by a versioned tag (never latest, never untagged).",
  validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
    const spec = podSpec(args);
    for (const c of spec ? containers(spec) : []) {
      if (known(c.image) && !imagePinned(c.image)) {
        report(
          `${where(args)}: container ${c.name} uses image ${c.image}, which is not pinned (use a version tag or a digest)`,
        );
      }
    }
  },
};

export const nonRoot: ResourceValidationPolicy = {
  name: "non-root",
  description: "Every container runs as a non-root user without privilege escalation.",
  validateResource: (args, report) => {
    const spec = podSpec(args);
    if (!spec) return;
    const pod = spec.securityContext ?? {};
    for (const c of containers(spec)) {
      const sc = c.securityContext ?? {};
      const nonRootSet = (sc.runAsNonRoot ?? pod.runAsNonRoot) === true;
      const uid = sc.runAsUser ?? pod.runAsUser;
      if (!nonRootSet || uid === 0) {
        report(`${where(args)}: container ${c.name} may run as root (set runAsNonRoot: true and a non-zero runAsUser)`);
      }
      if (sc.privileged === true || sc.allowPrivilegeEscalation !== false) {
        report(`${where(args)}: container ${c.name} allows privilege escalation (set allowPrivilegeEscalation: false)`);
      }
    }
  },
};

export const resourcesSet: ResourceValidationPolicy = {
  name: "resources-set",
  description:
    "Every container requests CPU, memory and ephemeral storage and has a memory and an ephemeral-storage limit (a container without one can fill the node's disk and is evicted first).",
  validateResource: (args, report) => {
    const spec = podSpec(args);
    for (const c of spec ? containers(spec) : []) {
      const r = c.resources ?? {};
      const missing = [
        r.requests?.cpu === undefined && "requests.cpu",
        r.requests?.memory === undefined && "requests.memory",
        r.limits?.memory === undefined && "limits.memory",
        r.requests?.["ephemeral-storage"] === undefined && "requests.ephemeral-storage",
        r.limits?.["ephemeral-storage"] === undefined && "limits.ephemeral-storage",
      ].filter(Boolean);
      if (missing.length > 0) report(`${where(args)}: container ${c.name} has no resources ${missing.join(", ")}`);
    }
  },
};

export const secretsAsFiles: ResourceValidationPolicy = {
  name: "secrets-as-files",
  description:
    "No Secret value in any container's environment (readable to anyone who can exec into the pod, and in crash dumps): Secrets are mounted as files.",
  validateResource: (args, report) => {
    const spec = podSpec(args);
    for (const c of spec ? containers(spec) : []) {
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) {
          report(
            `${where(args)}: container ${c.name} reads env ${e.name} from Secret ${ref.name} key ${ref.key} (mount it as a file)`,
          );
        }
      }
      for (const e of c.envFrom ?? []) {
        if (e.secretRef)
          report(`${where(args)}: container ${c.name} takes its environment from Secret ${e.secretRef.name}`);
      }
    }
  },
};

function ofKind(resources: PolicyResource[], k: string): PolicyResource[] {
  return resources.filter((r) => kind(r) === k);
}

function namespaceOf(r: PolicyResource): string | undefined {
  const ns = r.props.metadata?.namespace;
  return known(ns) ? ns : undefined;
}

function matches(selector: Obj | undefined, labels: Obj | undefined): boolean {
  const want = selector?.matchLabels ?? {};
  if (Object.keys(want).length === 0 && (selector?.matchExpressions ?? []).length === 0) return true;
  return Object.entries(want).every(([k, v]) => labels?.[k] === v);
}

export const pdbPerStatefulSet: StackValidationPolicy = {
  name: "pdb-per-statefulset",
  description: "Every StatefulSet is covered by a PodDisruptionBudget, so a node drain never takes a quorum down.",
  validateStack: (args: StackValidationArgs, report: ReportViolation) => {
    const pdbs = ofKind(args.resources, "PodDisruptionBudget");
    for (const sts of ofKind(args.resources, "StatefulSet")) {
      const labels = sts.props.spec?.template?.metadata?.labels;
      const covered = pdbs.some((p) => namespaceOf(p) === namespaceOf(sts) && matches(p.props.spec?.selector, labels));
      if (!covered) report(`${where(sts)} has no PodDisruptionBudget selecting its pods`, sts.urn);
    }
  },
};

export const networkPolicyPresent: StackValidationPolicy = {
  name: "network-policy-present",
  description: "Every namespace the stack creates or deploys workloads into has a NetworkPolicy.",
  validateStack: (args, report) => {
    const covered = new Set(ofKind(args.resources, "NetworkPolicy").map(namespaceOf));
    const namespaces = new Map<string, string>();
    for (const ns of ofKind(args.resources, "Namespace")) {
      const name = ns.props.metadata?.name;
      if (known(name)) namespaces.set(name, ns.urn);
    }
    for (const r of args.resources) {
      const ns = podSpec(r) ? namespaceOf(r) : undefined;
      if (ns !== undefined && !namespaces.has(ns)) namespaces.set(ns, r.urn);
    }
    for (const [ns, urn] of namespaces) {
      if (!covered.has(ns)) report(`namespace ${ns} has no NetworkPolicy: its pods accept traffic from anywhere`, urn);
    }
  },
};

export const egressRestricted: StackValidationPolicy = {
  name: "egress-restricted",
  description:
    "Every pod the stack creates is selected by a NetworkPolicy that restricts its egress, so a compromised broker or Job cannot open connections anywhere.",
  validateStack: (args, report) => {
    const egress = ofKind(args.resources, "NetworkPolicy").filter((p) =>
      (p.props.spec?.policyTypes ?? []).includes("Egress"),
    );
    for (const w of args.resources) {
      const spec = podSpec(w);
      if (spec === undefined) continue;
      const k = kind(w);
      const labels =
        k === "Pod"
          ? w.props.metadata?.labels
          : (k === "CronJob" ? w.props.spec?.jobTemplate?.spec : w.props.spec)?.template?.metadata?.labels;
      const covered = egress.some(
        (p) => namespaceOf(p) === namespaceOf(w) && matches(p.props.spec?.podSelector, labels),
      );
      if (!covered) report(`${where(w)}: no NetworkPolicy restricts its pods' egress`, w.urn);
    }
  },
};

/** `key=value` lines of a Java properties text. */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^\s*([^#!\s][^=:\s]*)\s*[=:]\s*(.*?)\s*$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2];
  }
  return out;
}

/** Pure: the known text files of ConfigMaps in production namespaces, where both production policies look. */
function productionConfigFiles(resources: PolicyResource[]): Array<{ cm: PolicyResource; file: string; text: string }> {
  const production = new Set(
    ofKind(resources, "Namespace")
      .filter((ns) => ns.props.metadata?.labels?.[environmentLabel] === "production")
      .map((ns) => ns.props.metadata?.name),
  );
  const out: Array<{ cm: PolicyResource; file: string; text: string }> = [];
  for (const cm of ofKind(resources, "ConfigMap")) {
    const ns = namespaceOf(cm);
    if (ns === undefined || !production.has(ns)) continue;
    for (const [file, text] of Object.entries<unknown>(cm.props.data ?? {})) {
      if (known(text)) out.push({ cm, file, text });
    }
  }
  return out;
}

export const kafkaProductionDurability: StackValidationPolicy = {
  name: "kafka-production-durability",
  description: `In production namespaces, Kafka's default replication factor is ≥ ${productionFloor.replicationFactor} and min.insync.replicas ≥ ${productionFloor.minInsyncReplicas}, for the broker defaults and for every declared topic.`,
  validateStack: (args, report) => {
    for (const { cm, file, text } of productionConfigFiles(args.resources)) {
      if (file.endsWith(".properties")) checkBrokerProperties(cm, file, parseProperties(text), report);
      if (file.endsWith(".sh")) checkDeclaredTopics(cm, file, text, report);
    }
  },
};

function checkBrokerProperties(
  cm: PolicyResource,
  file: string,
  props: Record<string, string>,
  report: ReportViolation,
) {
  const checks: Array<[string, number]> = [
    ["default.replication.factor", productionFloor.replicationFactor],
    ["min.insync.replicas", productionFloor.minInsyncReplicas],
  ];
  if (props["process.roles"] === "controller") return;
  for (const [key, floor] of checks) {
    const v = props[key];
    if (v !== undefined && Number(v) < floor) {
      report(`${where(cm)} ${file}: ${key}=${v} is below the production floor of ${floor}`, cm.urn);
    }
  }
}

/** The topics Job (infra/values/declarations.ts) declares each topic as `ensure_topic <name> <partitions> <rf> <isr>`. */
function checkDeclaredTopics(cm: PolicyResource, file: string, script: string, report: ReportViolation) {
  for (const m of script.matchAll(/^ensure_topic '([^']*)' (\d+) (\d+) (\d+)$/gm)) {
    const [, topic, , rf, isr] = m;
    if (Number(rf) < productionFloor.replicationFactor) {
      report(
        `${where(cm)} ${file}: topic ${topic} has replication factor ${rf}, below the production floor of ${productionFloor.replicationFactor}`,
        cm.urn,
      );
    }
    if (Number(isr) < productionFloor.minInsyncReplicas) {
      report(
        `${where(cm)} ${file}: topic ${topic} has min.insync.replicas ${isr}, below the production floor of ${productionFloor.minInsyncReplicas}`,
        cm.urn,
      );
    }
  }
}

/**
 * Pure: what a listener's TLS settings allow beyond the platform's one profile (Mozilla "intermediate", ECDHE only):
 * a protocol other than TLS 1.2 and 1.3, or a suite other than the TLS 1.3 ones and, for TLS 1.2, ECDHE with AES-GCM
 * or ChaCha20-Poly1305 (JSSE or OpenSSL names). Nothing set at all means the runtime's defaults, which is a problem too.
 */
export function tlsProfileProblems(protocols: string[], suites: string[]): string[] {
  const problems: string[] = [];
  if (protocols.length === 0) problems.push("no protocols set: the runtime's defaults");
  if (suites.length === 0) problems.push("no cipher suites set: the runtime's defaults");
  for (const p of protocols) if (!/^tlsv1\.[23]$/i.test(p)) problems.push(`protocol ${p}`);
  const aead = [
    /^TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)$/,
    /^TLS_ECDHE_(RSA|ECDSA)_WITH_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)$/,
    /^ECDHE-(RSA|ECDSA)-(AES128-GCM-SHA256|AES256-GCM-SHA384|CHACHA20-POLY1305)$/,
  ];
  for (const c of suites) if (!aead.some((r) => r.test(c))) problems.push(`cipher suite ${c}`);
  return problems;
}

/**
 * Encryption on what the charts rendered, in production namespaces: every Kafka listener of every node is SASL_SSL
 * (client, inter-broker, controller), and RabbitMQ runs no plaintext AMQP listener and no plaintext management API.
 */
export const productionTls: StackValidationPolicy = {
  name: "production-tls",
  description:
    "In production namespaces, every Kafka listener (client, inter-broker, controller) speaks SASL_SSL and RabbitMQ serves AMQP and its management API over TLS only, each with the one TLS profile (TLS 1.2/1.3; in TLS 1.2 ECDHE with AES-GCM or ChaCha20-Poly1305 only).",
  validateStack: (args, report) => {
    for (const { cm, file, text } of productionConfigFiles(args.resources)) {
      const map = file.endsWith(".properties") ? parseProperties(text)["listener.security.protocol.map"] : undefined;
      for (const entry of map?.split(",") ?? []) {
        const [listener, protocol] = entry.split(":");
        if (protocol !== "SASL_SSL") {
          report(`${where(cm)} ${file}: listener ${listener} speaks ${protocol}, not SASL_SSL`, cm.urn);
        } else if (listener !== undefined) {
          const props = parseProperties(text);
          const name = `listener.name.${listener.toLowerCase()}`;
          const problems = tlsProfileProblems(
            props[`${name}.ssl.enabled.protocols`]?.split(",") ?? [],
            props[`${name}.ssl.cipher.suites`]?.split(",") ?? [],
          );
          if (problems.length > 0)
            report(`${where(cm)} ${file}: listener ${listener} allows ${problems.join(", ")}`, cm.urn);
        }
      }
      if (file.endsWith(".conf")) {
        const conf = Object.fromEntries(
          text.split("\n").flatMap((l) => {
            const m = /^\s*([^#\s][^=]*?)\s*=\s*(.*?)\s*$/.exec(l);
            return m ? [[m[1], m[2]]] : [];
          }),
        );
        if (conf["listeners.tcp.default"] !== undefined || conf["management.tcp.port"] !== undefined) {
          report(
            `${where(cm)} ${file}: RabbitMQ opens a plaintext listener (listeners.tcp.default or management.tcp.port)`,
            cm.urn,
          );
        }
        if (file === "05-chart.conf" && conf["listeners.ssl.default"] === undefined) {
          report(`${where(cm)} ${file}: RabbitMQ serves AMQP without TLS (no listeners.ssl.default)`, cm.urn);
        }
        if (file === "05-chart.conf") {
          for (const prefix of ["ssl_options", "management.ssl"]) {
            const numbered = (key: string) =>
              Object.entries(conf)
                .filter(([k]) => k.startsWith(`${prefix}.${key}.`))
                .map(([, v]) => String(v));
            const problems = tlsProfileProblems(numbered("versions"), numbered("ciphers"));
            if (problems.length > 0) report(`${where(cm)} ${file}: ${prefix} allows ${problems.join(", ")}`, cm.urn);
          }
        }
      }
    }
  },
};

export const policies = [
  kafkaProductionDurability,
  productionTls,
  pdbPerStatefulSet,
  pinnedImages,
  nonRoot,
  resourcesSet,
  secretsAsFiles,
  networkPolicyPresent,
  egressRestricted,
];
