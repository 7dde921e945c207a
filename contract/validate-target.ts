// Checks that parsed JSON really is a Target (target.ts) and reports every problem at once, each as field, value and
// rule, so a misdescribed target is fixed in one round instead of one error per run.
import { parseGateSettings } from "./gate-settings";
import type { Target } from "./target";

export interface TargetProblem {
  /** JSON path: "kafka.bootstrapServers[1]". */
  field: string;
  /** The offending value, shortened; secrets are never echoed. */
  value: string;
  rule: string;
}

export type ValidationResult = { ok: true; target: Target } | { ok: false; problems: TargetProblem[] };

type Json = unknown;
type Rec = Record<string, Json>;

const secretFields = new Set(["password"]);

class Problems {
  readonly list: TargetProblem[] = [];

  add(field: string, value: Json, rule: string): void {
    const leaf = field.split(".").pop() ?? "";
    const shown = secretFields.has(leaf) && typeof value === "string" && value !== "" ? "(hidden)" : show(value);
    this.list.push({ field, value: shown, rule });
  }

  object(field: string, value: Json): Rec | undefined {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Rec;
    this.add(field, value, "must be an object");
    return undefined;
  }

  string(field: string, value: Json, rule?: { pattern: RegExp; says: string }): string | undefined {
    if (typeof value !== "string" || value === "") {
      this.add(field, value, "must be a non-empty string");
      return undefined;
    }
    if (rule && !rule.pattern.test(value)) this.add(field, value, rule.says);
    return value;
  }

  boolean(field: string, value: Json): void {
    if (typeof value !== "boolean") this.add(field, value, "must be true or false");
  }

  integer(field: string, value: Json, min: number): number | undefined {
    if (typeof value === "number" && Number.isInteger(value) && value >= min) return value;
    this.add(field, value, `must be an integer ≥ ${min}`);
    return undefined;
  }

  array(field: string, value: Json, minLength: number): Json[] {
    if (Array.isArray(value) && value.length >= minLength) return value;
    this.add(field, value, Array.isArray(value) ? `must have at least ${minLength} element(s)` : "must be an array");
    return Array.isArray(value) ? value : [];
  }

  oneOf(field: string, value: Json, allowed: readonly string[]): void {
    if (!allowed.includes(value as string))
      this.add(field, value, `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}`);
  }
}

function show(value: Json): string {
  if (value === undefined) return "(missing)";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const hostPort = { pattern: /^[A-Za-z0-9.-]+:([1-9]\d{0,4})$/, says: "must be host:port" };
const amqpUrl = {
  pattern: /^amqps?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/?$/,
  says: "must be amqp://host[:port] or amqps://host[:port], without credentials or vhost",
};
const plaintextUrl = {
  pattern: /^(amqp|http):\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/?$/,
  says: "must be amqp://host[:port] or http://host[:port] (a plaintext endpoint that must refuse)",
};
const httpUrl = { pattern: /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/?$/, says: "must be http(s)://host[:port]" };
const pemCertificate = {
  // Line breaks as PEM allows them: \n, or \r\n as node-forge writes them.
  pattern: /^-----BEGIN CERTIFICATE-----\r?\n[\s\S]+\r?\n-----END CERTIFICATE-----\s*$/,
  says: "must be a PEM certificate (the CA the TLS listeners chain to)",
};
// `pulumi stack output --json` without --show-secrets prints this in place of every secret.
const notAMaskedSecret = {
  pattern: /^(?!\[secret\]$)/,
  says: 'is the masked value "[secret]": read stack outputs with --show-secrets',
};

export function validateTarget(value: Json): ValidationResult {
  const p = new Problems();
  const root = p.object("target", value);
  if (root) {
    p.string("name", root.name);
    validatePlacement(p, root.placement);
    validateKafka(p, root.kafka);
    validateRabbitMQ(p, root.rabbitmq);
    // Optional: a stack's gate settings; the embedded environment's target leaves them out (defaults apply).
    if (root.gate !== undefined) {
      for (const g of parseGateSettings(root.gate, "gate").problems) p.add(g.field, g.value, g.rule);
    }
  }
  return p.list.length === 0 ? { ok: true, target: value as Target } : { ok: false, problems: p.list };
}

function validateNodes(p: Problems, field: string, value: Json): Rec[] {
  const nodes = p.array(field, value, 1).flatMap<Rec>((n, i) => {
    const node = p.object(`${field}[${i}]`, n);
    return node ? [node] : [];
  });
  const seen = new Set<string>();
  nodes.forEach((n, i) => {
    const name = p.string(`${field}[${i}].name`, n.name);
    p.string(`${field}[${i}].host`, n.host);
    p.string(`${field}[${i}].id`, n.id);
    p.array(`${field}[${i}].roles`, n.roles, 1).forEach((r, j) => {
      p.oneOf(`${field}[${i}].roles[${j}]`, r, ["broker", "controller"]);
    });
    if (name !== undefined && seen.has(name)) p.add(`${field}[${i}].name`, name, "must be unique among nodes");
    if (name !== undefined) seen.add(name);
  });
  return nodes;
}

function validatePlacement(p: Problems, value: Json): void {
  const placement = p.object("placement", value);
  if (!placement) return;
  p.oneOf("placement.kind", placement.kind, ["embedded", "kubernetes"]);
  if (placement.kind === "embedded") p.string("placement.stateDir", placement.stateDir);
  if (placement.kind !== "kubernetes") return;
  for (const optional of ["kubeconfig", "context"] as const) {
    if (placement[optional] !== undefined) p.string(`placement.${optional}`, placement[optional]);
  }
  const kafka = p.object("placement.kafka", placement.kafka);
  if (kafka) {
    p.string("placement.kafka.namespace", kafka.namespace);
    p.string("placement.kafka.podSelector", kafka.podSelector);
    p.array("placement.kafka.statefulSets", kafka.statefulSets, 1).forEach((s, i) => {
      p.string(`placement.kafka.statefulSets[${i}]`, s);
    });
  }
  const rabbit = p.object("placement.rabbitmq", placement.rabbitmq);
  if (rabbit) {
    p.string("placement.rabbitmq.namespace", rabbit.namespace);
    p.string("placement.rabbitmq.podSelector", rabbit.podSelector);
    p.string("placement.rabbitmq.statefulSet", rabbit.statefulSet);
  }
  if (placement.prometheus === undefined) return;
  const prometheus = p.object("placement.prometheus", placement.prometheus);
  if (prometheus) {
    p.string("placement.prometheus.namespace", prometheus.namespace);
    p.string("placement.prometheus.podSelector", prometheus.podSelector);
    p.integer("placement.prometheus.port", prometheus.port, 1);
  }
}

function validateKafka(p: Problems, value: Json): void {
  const kafka = p.object("kafka", value);
  if (!kafka) return;
  p.array("kafka.bootstrapServers", kafka.bootstrapServers, 1).forEach((s, i) => {
    p.string(`kafka.bootstrapServers[${i}]`, s, hostPort);
  });
  const sasl = p.object("kafka.sasl", kafka.sasl);
  if (sasl) {
    p.oneOf("kafka.sasl.mechanism", sasl.mechanism, ["scram-sha-512"]);
    p.string("kafka.sasl.username", sasl.username);
    p.string("kafka.sasl.password", sasl.password, notAMaskedSecret);
  }
  p.boolean("kafka.tls", kafka.tls);
  if (kafka.ca !== undefined) {
    p.string("kafka.ca", kafka.ca, pemCertificate);
    if (kafka.tls !== true) p.add("kafka.ca", "(a CA)", "is given but kafka.tls is not true");
  }
  const brokers = validateNodes(p, "kafka.nodes", kafka.nodes).filter((n) =>
    (n.roles as Json[] | undefined)?.includes?.("broker"),
  );
  const expected = p.object("kafka.expected", kafka.expected);
  if (expected) {
    const rf = p.integer("kafka.expected.replicationFactor", expected.replicationFactor, 1);
    const minIsr = p.integer("kafka.expected.minInsyncReplicas", expected.minInsyncReplicas, 1);
    // Durability needs a spare replica: with minISR = RF one dead broker stops acks=all writes.
    if (rf !== undefined && minIsr !== undefined && minIsr >= rf) {
      p.add(
        "kafka.expected.minInsyncReplicas",
        minIsr,
        `must be below replicationFactor (${rf}) so one broker can die`,
      );
    }
    if (rf !== undefined && brokers.length > 0 && rf > brokers.length) {
      p.add("kafka.expected.replicationFactor", rf, `must not exceed the number of broker nodes (${brokers.length})`);
    }
    p.boolean("kafka.expected.uncleanLeaderElection", expected.uncleanLeaderElection);
    p.boolean("kafka.expected.autoCreateTopics", expected.autoCreateTopics);
  }
  p.array("kafka.topics", kafka.topics, 1).forEach((t, i) => {
    const topic = p.object(`kafka.topics[${i}]`, t);
    if (!topic) return;
    p.string(`kafka.topics[${i}].name`, topic.name);
    p.integer(`kafka.topics[${i}].partitions`, topic.partitions, 1);
    const rf = p.integer(`kafka.topics[${i}].replicationFactor`, topic.replicationFactor, 1);
    const minIsr = p.integer(`kafka.topics[${i}].minInsyncReplicas`, topic.minInsyncReplicas, 1);
    if (rf !== undefined && minIsr !== undefined && minIsr >= rf) {
      p.add(`kafka.topics[${i}].minInsyncReplicas`, minIsr, `must be below replicationFactor (${rf})`);
    }
  });
}

function validateRabbitMQ(p: Problems, value: Json): void {
  const rabbit = p.object("rabbitmq", value);
  if (!rabbit) return;
  p.array("rabbitmq.amqpUrls", rabbit.amqpUrls, 1).forEach((u, i) => {
    p.string(`rabbitmq.amqpUrls[${i}]`, u, amqpUrl);
  });
  p.array("rabbitmq.managementUrls", rabbit.managementUrls, 1).forEach((u, i) => {
    p.string(`rabbitmq.managementUrls[${i}]`, u, httpUrl);
  });
  if (rabbit.ca !== undefined) p.string("rabbitmq.ca", rabbit.ca, pemCertificate);
  if (rabbit.plaintextUrls !== undefined) {
    p.array("rabbitmq.plaintextUrls", rabbit.plaintextUrls, 1).forEach((u, i) => {
      p.string(`rabbitmq.plaintextUrls[${i}]`, u, plaintextUrl);
    });
  }
  if (rabbit.distribution !== undefined) {
    const d = p.object("rabbitmq.distribution", rabbit.distribution);
    if (d) {
      const port = p.integer("rabbitmq.distribution.port", d.port, 1);
      if (port !== undefined && port > 65535)
        p.add("rabbitmq.distribution.port", port, "must be a TCP port (1 to 65535)");
      if (typeof d.tls !== "boolean") p.add("rabbitmq.distribution.tls", d.tls, "must be true or false");
    }
  }
  p.string("rabbitmq.username", rabbit.username);
  p.string("rabbitmq.password", rabbit.password, notAMaskedSecret);
  if (rabbit.username === "guest")
    p.add("rabbitmq.username", rabbit.username, "must not be guest (guest access must be refused)");
  if (typeof rabbit.vhost !== "string")
    p.add("rabbitmq.vhost", rabbit.vhost, 'must be a string ("/" for the default vhost)');
  const nodes = validateNodes(p, "rabbitmq.nodes", rabbit.nodes);
  const expected = p.object("rabbitmq.expected", rabbit.expected);
  if (expected) {
    p.oneOf("rabbitmq.expected.defaultQueueType", expected.defaultQueueType, ["quorum"]);
    p.integer("rabbitmq.expected.quorumInitialGroupSize", expected.quorumInitialGroupSize, 1);
    const size = p.integer("rabbitmq.expected.clusterSize", expected.clusterSize, 1);
    if (size !== undefined && nodes.length > 0 && size !== nodes.length) {
      p.add("rabbitmq.expected.clusterSize", size, `must equal the number of nodes listed (${nodes.length})`);
    }
  }
  p.array("rabbitmq.queues", rabbit.queues, 1).forEach((q, i) => {
    const queue = p.object(`rabbitmq.queues[${i}]`, q);
    if (!queue) return;
    p.string(`rabbitmq.queues[${i}].name`, queue.name);
    p.oneOf(`rabbitmq.queues[${i}].type`, queue.type, ["quorum"]);
  });
}

/** One line per problem, aligned, for error messages. */
export function formatProblems(source: string, problems: TargetProblem[]): string {
  const width = Math.max(...problems.map((pr) => pr.field.length));
  return [
    `The target from ${source} is not valid (${problems.length} problem${problems.length === 1 ? "" : "s"}):`,
    ...problems.map((pr) => `  ${pr.field.padEnd(width)}  ${pr.value}: ${pr.rule}`),
  ].join("\n");
}
