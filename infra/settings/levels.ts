// The durability levels a stack declares (`environment:`) and the platforms it runs on, with the floors each level
// promises; checkReplication applies them to any RF / min ISR pair (cluster defaults and single topics alike).
import type { Problems } from "../problems";

export const environments = ["development", "staging", "production"] as const;
export type Environment = (typeof environments)[number];

/**
 * Where the stack runs: `kubernetes` (the charts, through the Kubernetes provider), `render` (the same resources
 * through the same provider, written as manifests to a directory instead of a cluster: for review in a pull request
 * or for a GitOps tool) or `embedded` (the embedded environment, embedded/: the same brokers and chart values as
 * processes in network namespaces on this machine).
 */
export const platforms = ["kubernetes", "render", "embedded"] as const;
export type Platform = (typeof platforms)[number];

/**
 * The floors each environment promises. Staging mirrors production so that what is rehearsed there is what runs;
 * the policy pack (infra/policy) enforces the production floors again on what the charts actually render.
 */
export const durabilityFloor: Record<Environment, { replicas: number; replicationFactor: number; minInsync: number }> =
  {
    development: { replicas: 1, replicationFactor: 1, minInsync: 1 },
    staging: { replicas: 3, replicationFactor: 3, minInsync: 2 },
    production: { replicas: 3, replicationFactor: 3, minInsync: 2 },
  };

/** infra/policy's policy that checks Kafka's floors again on the rendered objects (its name, tested to match). */
export const kafkaDurabilityPolicy = "kafka-production-durability";

/** min ISR ≤ RF always; outside development one replica must be allowed to fail; each environment has its floors. */
export function checkReplication(
  p: Problems,
  env: Environment | undefined,
  c: { rf: [string, number | undefined]; minIsr: [string, number | undefined] },
): void {
  const [rfKey, rf] = c.rf;
  const [isrKey, minIsr] = c.minIsr;
  if (rf === undefined || minIsr === undefined) return;
  if (minIsr > rf) p.add(isrKey, minIsr, `is more than ${rfKey} = ${rf}: no write could ever be acknowledged`);
  else if (env !== "development" && minIsr === rf) {
    p.add(isrKey, minIsr, `must be less than ${rfKey} = ${rf}: with one replica down, acks=all writes would fail`);
  }
  if (env !== undefined) {
    // The policy pack enforces the same floors on what the charts render; naming it tells the reader both agree.
    const policy = env === "development" ? "" : ` (policy ${kafkaDurabilityPolicy})`;
    const floor = durabilityFloor[env];
    if (rf < floor.replicationFactor) p.add(rfKey, rf, `must be ≥ ${floor.replicationFactor} in ${env}${policy}`);
    if (minIsr < floor.minInsync) p.add(isrKey, minIsr, `must be ≥ ${floor.minInsync} in ${env}${policy}`);
  }
}
