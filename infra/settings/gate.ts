// The stack's `gate:` config: what `npm run deploy` and the in-cluster Job check after each deploy. The shape and
// ranges are the contract's (contract/gate-settings.ts); this adds what only the stack knows: per-environment
// defaults, whether the topology can survive the node-failure check at all, and the in-cluster runner.
import { defaultGateSettings, type GateSettings, parseGateSettings } from "../../contract/gate-settings";
import { dnsLabel, dnsLabelRule, type Problems, type Raw } from "../problems";
import type { Environment } from "./levels";

export interface InClusterGateSettings {
  /** Deploy the gate as a Job after the charts are ready, so that `pulumi up` fails when the gate fails. */
  enabled: boolean;
  /** Runner image (smoke-tests/Dockerfile), pinned: repository:tag. */
  image: string;
  namespace: string;
}

export interface StackGateSettings {
  settings: GateSettings;
  inCluster: InClusterGateSettings;
}

/** Replication as the gate needs to know it: how many nodes each system can lose without losing an ack. */
export interface LossTolerance {
  kafka: { replicationFactor: number; minInsyncReplicas: number };
  rabbitmq: { quorumInitialGroupSize: number };
}

export const defaultRunnerImage = "messaging-platform/smoke-gate:0.1.0";
// repository[:port/path]:tag with an exact version as the tag, as charts/smoke-gate's schema requires.
const pinnedImage = /^[a-z0-9][a-z0-9._/-]*(:\d+\/[a-z0-9._/-]+)?:[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$/;

/** "registry:5000/team/smoke-gate:0.1.0" → repository and tag (the tag follows the last colon after the last slash). */
export function splitImage(image: string): { repository: string; tag: string } {
  const at = image.lastIndexOf(":");
  return { repository: image.slice(0, at), tag: image.slice(at + 1) };
}

export function tolerates(t: LossTolerance): { kafka: number; rabbitmq: number } {
  return {
    kafka: t.kafka.replicationFactor - t.kafka.minInsyncReplicas,
    rabbitmq: Math.floor((t.rabbitmq.quorumInitialGroupSize - 1) / 2),
  };
}

export function parseGate(
  p: Problems,
  value: unknown,
  env: Environment | undefined,
  tolerance: LossTolerance | undefined,
): StackGateSettings | undefined {
  const raw = p.object("gate", value, true);
  if (!raw) return undefined;
  const { inCluster: rawInCluster, ...shared } = raw as Raw;
  const losses = tolerance ? tolerates(tolerance) : undefined;
  const survivable = losses === undefined || (losses.kafka >= 1 && losses.rabbitmq >= 1);
  // Killing a broker in production on every deploy is the user's explicit choice; anywhere else it is the point.
  const base: GateSettings = { ...defaultGateSettings, nodeFailure: env !== "production" && survivable };
  const parsed = parseGateSettings(shared, "gate", base);
  for (const problem of parsed.problems) p.add(problem.field, problem.value, problem.rule);
  if (parsed.settings?.nodeFailure && losses && tolerance && !survivable) {
    p.add(
      "gate.nodeFailure",
      true,
      `cannot pass: Kafka tolerates ${losses.kafka} broker loss(es) (replication factor ${tolerance.kafka.replicationFactor}, ` +
        `min ISR ${tolerance.kafka.minInsyncReplicas}) and RabbitMQ ${losses.rabbitmq} node loss(es) ` +
        `(quorum of ${tolerance.rabbitmq.quorumInitialGroupSize}); both need at least 1`,
    );
  }
  const inCluster = parseInCluster(p, rawInCluster);
  if (!parsed.settings || !inCluster) return undefined;
  return { settings: parsed.settings, inCluster };
}

function parseInCluster(p: Problems, value: unknown): InClusterGateSettings | undefined {
  const raw = p.object("gate.inCluster", value, true);
  if (!raw) return undefined;
  p.knownKeys("gate.inCluster", raw, ["enabled", "image", "namespace"]);
  const enabled = p.bool("gate.inCluster.enabled", raw.enabled ?? false);
  const image = p.string(
    "gate.inCluster.image",
    raw.image ?? defaultRunnerImage,
    pinnedImage,
    "an image with an exact version tag (repository:1.2.3; not latest, not 1.2)",
  );
  const namespace = p.string("gate.inCluster.namespace", raw.namespace ?? "messaging-smoke", dnsLabel, dnsLabelRule);
  if (enabled === undefined || !image || !namespace) return undefined;
  return { enabled, image, namespace };
}
