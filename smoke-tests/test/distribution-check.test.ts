// The gate's distribution check against real RabbitMQ nodes whose distribution is plaintext (the embedded default's):
// told the distribution speaks TLS, the check must fail on every node, naming the status the plaintext node answered.
// This is the check's failing case on brokers; its passing case runs in the cluster stack's gate (npm run deploy).
import { spawnSync } from "node:child_process";
import type { Target } from "../../contract/target";
import { type DistributionProbe, distributionCheck, probeScript } from "../gate/distribution";
import { embeddedTarget } from "./embedded-target";

jest.setTimeout(180_000);

/** From inside the embedded node's own network namespace (mp-<node>), as the exec does in a pod. */
const netnsProbe: DistributionProbe = async (from, args) => {
  const r = spawnSync("ip", ["netns", "exec", `mp-${from.name}`, "bash", "-c", probeScript(), "probe", ...args], {
    encoding: "utf8",
    timeout: 30_000,
  });
  return `${r.stdout}${r.stderr}`;
};

let target: Target;

beforeAll(async () => {
  target = await embeddedTarget();
});

test("a plaintext distribution fails the check on every node, with the status it answered", async () => {
  const claimed: Target = { ...target, rabbitmq: { ...target.rabbitmq, distribution: { port: 25672, tls: true } } };
  const r = await distributionCheck(claimed, netnsProbe);
  expect(r.passed).toBe(false);
  const failures = r.detail.split(" | ");
  expect(failures).toHaveLength(target.rabbitmq.nodes.length);
  for (const f of failures) expect(f).toMatch(/rabbitmq-\d → .+:25672: a plaintext handshake was answered "ok"/);
});

test("a port with no listener fails it too: an unreached listener proves nothing", async () => {
  const claimed: Target = { ...target, rabbitmq: { ...target.rabbitmq, distribution: { port: 25999, tls: true } } };
  const r = await distributionCheck(claimed, netnsProbe);
  expect(r.passed).toBe(false);
  expect(r.detail).toMatch(/:25999: could not connect/);
});
