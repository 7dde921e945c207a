// A small client for the RabbitMQ management HTTP API, used from the host through the bridge: cluster membership,
// versions and quorum-queue leaders without starting an Erlang CLI (which costs seconds of CPU per call).

export interface ManagementEndpoint {
  baseUrl: string;
  username: string;
  password: string;
}

export interface ManagementNode {
  name: string;
  running: boolean;
  partitions: string[];
}

export interface QueueInfo {
  name: string;
  vhost: string;
  type: string;
  node?: string;
  leader?: string;
  members?: string[];
  online?: string[];
}

const REQUEST_TIMEOUT_MS = 3_000;

async function request(ep: ManagementEndpoint, method: string, path: string, body?: unknown): Promise<unknown> {
  const auth = Buffer.from(`${ep.username}:${ep.password}`).toString("base64");
  const res = await fetch(`${ep.baseUrl}${path}`, {
    method,
    headers: { authorization: `Basic ${auth}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`${method} ${ep.baseUrl}${path}: HTTP ${res.status} ${await res.text()}`);
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

export const listNodes = async (ep: ManagementEndpoint) => (await request(ep, "GET", "/api/nodes")) as ManagementNode[];

export const overview = async (ep: ManagementEndpoint) =>
  (await request(ep, "GET", "/api/overview")) as { rabbitmq_version: string; erlang_version: string; node: string };

export const getQueue = async (ep: ManagementEndpoint, vhost: string, name: string) =>
  (await request(ep, "GET", `/api/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(name)}`)) as QueueInfo;

export const listQueues = async (ep: ManagementEndpoint) => (await request(ep, "GET", "/api/queues")) as QueueInfo[];

export async function declareQuorumQueue(ep: ManagementEndpoint, vhost: string, name: string): Promise<void> {
  await request(ep, "PUT", `/api/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(name)}`, {
    durable: true,
    auto_delete: false,
    arguments: { "x-queue-type": "quorum" },
  });
}

export async function putPolicy(ep: ManagementEndpoint, vhost: string, name: string, policy: object): Promise<void> {
  await request(ep, "PUT", `/api/policies/${encodeURIComponent(vhost)}/${encodeURIComponent(name)}`, policy);
}

export async function deleteQueue(ep: ManagementEndpoint, vhost: string, name: string): Promise<void> {
  await request(ep, "DELETE", `/api/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(name)}`);
}
