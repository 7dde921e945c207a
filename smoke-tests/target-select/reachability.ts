// Before any test runs: can we open a TCP connection to every Kafka bootstrap server and every AMQP node? All are
// tried at once under one overall deadline (10 s), and a failure lists exactly what was tried and what happened.
import { tcpConnect } from "../../brokers/tcp";
import type { Target } from "../../contract/target";

export interface Endpoint {
  /** "kafka bootstrap kafka-0.example:9092", "amqp amqp://127.0.0.1:5672". */
  what: string;
  host: string;
  port: number;
}

export interface ProbeResult {
  endpoint: Endpoint;
  ok: boolean;
  /** "connected in 3 ms", "ECONNREFUSED", "no answer within 10 s". */
  detail: string;
}

export type Connector = (host: string, port: number, timeoutMs: number) => Promise<void>;

export function endpointsOf(target: Target): Endpoint[] {
  const kafka = target.kafka.bootstrapServers.map((server) => {
    const at = server.lastIndexOf(":");
    return { what: `kafka bootstrap ${server}`, host: server.slice(0, at), port: Number(server.slice(at + 1)) };
  });
  const amqp = target.rabbitmq.amqpUrls.map((url) => {
    const parsed = new URL(url);
    const port = parsed.port ? Number(parsed.port) : parsed.protocol === "amqps:" ? 5671 : 5672;
    return { what: `amqp ${url}`, host: parsed.hostname, port };
  });
  return [...kafka, ...amqp];
}

export async function probeEndpoints(
  endpoints: Endpoint[],
  options: { deadlineMs?: number; connector?: Connector } = {},
): Promise<ProbeResult[]> {
  const deadlineMs = options.deadlineMs ?? 10_000;
  const connector = options.connector ?? tcpConnect;
  return Promise.all(
    endpoints.map(async (endpoint) => {
      const started = Date.now();
      try {
        await connector(endpoint.host, endpoint.port, deadlineMs);
        return { endpoint, ok: true, detail: `connected in ${Date.now() - started} ms` };
      } catch (error) {
        return { endpoint, ok: false, detail: (error as Error).message };
      }
    }),
  );
}

export function formatReachability(targetName: string, results: ProbeResult[]): string {
  const width = Math.max(...results.map((r) => r.endpoint.what.length));
  const failed = results.filter((r) => !r.ok).length;
  return [
    `Target "${targetName}": ${failed} of ${results.length} endpoint(s) unreachable. Tried (TCP connect):`,
    ...results.map(
      (r) =>
        `  ${r.ok ? "ok  " : "FAIL"}  ${r.endpoint.what.padEnd(width)}  ${r.endpoint.host}:${r.endpoint.port}  ${r.detail}`,
    ),
  ].join("\n");
}

/** Resolves when every endpoint accepts a TCP connection; otherwise rejects with the full list of attempts. */
export async function assertReachable(
  target: Target,
  options: { deadlineMs?: number; connector?: Connector } = {},
): Promise<ProbeResult[]> {
  const results = await probeEndpoints(endpointsOf(target), options);
  if (results.some((r) => !r.ok)) throw new Error(formatReachability(target.name, results));
  return results;
}

/**
 * Like assertReachable, but probes again every 2 s for up to `withinMs` while an endpoint still fails: a broker pod
 * that has just rolled and turned Ready may refuse for a moment (the in-cluster gate after `pulumi up` saw a RabbitMQ
 * node's AMQPS port refuse right after its StatefulSet reported the roll done). Each failed round is reported through
 * `onWaiting`; after `withinMs` it rejects with the last round's attempts.
 */
export async function awaitReachable(
  target: Target,
  options: {
    withinMs: number;
    deadlineMs?: number;
    connector?: Connector;
    onWaiting?: (line: string) => void;
    clock?: { now(): number; sleep(ms: number): Promise<void> };
  },
): Promise<ProbeResult[]> {
  const clock = options.clock ?? { now: Date.now, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
  const started = clock.now();
  for (;;) {
    const results = await probeEndpoints(endpointsOf(target), options);
    const failed = results.filter((r) => !r.ok);
    if (failed.length === 0) return results;
    const waited = clock.now() - started;
    if (waited >= options.withinMs) throw new Error(formatReachability(target.name, results));
    options.onWaiting?.(
      `waiting: ${failed.map((r) => `${r.endpoint.host}:${r.endpoint.port} ${r.detail}`).join("; ")} (${Math.round(waited / 1000)} s of ${options.withinMs / 1000} s)`,
    );
    await clock.sleep(2_000);
  }
}
