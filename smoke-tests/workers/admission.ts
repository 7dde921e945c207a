// A new pod is not yet admitted by the NetworkPolicies that name it: the policy agent on each node adds its address
// to the rule's set only once it has seen the pod, and until then kube-router answers with a port-unreachable
// (ECONNREFUSED). Seen 2026-12-07 on this project's cluster: a worker pod refused by the collector within a second of
// its start, and another by a Kafka broker on a third node at the throughput check's start. A worker therefore tries
// again on such errors, for a bounded time, before it connects for real.
import { connect, type Socket } from "node:net";
import type { SystemName } from "../../contract/systems";
import type { Target } from "../../contract/target";

/** The errors of a connect that may succeed a moment later (refused or unreachable until admitted; DNS lagging). */
export const transientConnectErrors = [
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
];

/** How long a worker waits to be admitted (by the collector, by each broker) before it goes on regardless. */
export const admissionMs = 60_000;

export interface Endpoint {
  host: string;
  port: number;
}

/** A socket to `to`, tried again every half second on a transient error until `withinMs` has passed. */
export async function connectRetrying(
  to: Endpoint,
  withinMs: number,
  onFirstRetry: (code: string) => void = () => undefined,
): Promise<Socket> {
  const deadline = Date.now() + withinMs;
  let told = false;
  for (;;) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const s = connect(to.port, to.host, () => {
          s.off("error", reject);
          resolve(s);
        });
        s.once("error", reject);
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "";
      if (!transientConnectErrors.includes(code) || Date.now() >= deadline) throw err;
      if (!told) onFirstRetry(code);
      told = true;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Pure: every broker's client endpoint of `system` in the target (Kafka: each broker node at the bootstrap port). */
export function brokerEndpoints(target: Pick<Target, "kafka" | "rabbitmq">, system: SystemName): Endpoint[] {
  if (system === "kafka") {
    const port = Number(target.kafka.bootstrapServers[0]?.split(":").pop());
    if (!Number.isInteger(port)) return [];
    return target.kafka.nodes.filter((n) => n.roles.includes("broker")).map((n) => ({ host: n.host, port }));
  }
  return target.rabbitmq.amqpUrls.map((u) => {
    const url = new URL(u);
    return { host: url.hostname, port: Number(url.port || (url.protocol === "amqps:" ? 5671 : 5672)) };
  });
}

/**
 * Waits until each endpoint accepts a connection (closed at once), at most `withinMs`; resolves with the ones that
 * never did, so the caller goes on and its clients' own errors name what is wrong.
 */
export async function awaitAdmitted(
  endpoints: readonly Endpoint[],
  withinMs: number,
  onFirstRetry: (to: Endpoint, code: string) => void = () => undefined,
): Promise<Array<Endpoint & { error: string }>> {
  const results = await Promise.all(
    endpoints.map((to) =>
      connectRetrying(to, withinMs, (code) => onFirstRetry(to, code)).then(
        (s) => {
          s.destroy();
          return undefined;
        },
        (e: Error) => ({ ...to, error: e.message }),
      ),
    ),
  );
  return results.filter((r): r is Endpoint & { error: string } => r !== undefined);
}
