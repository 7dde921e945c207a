// A worker reaches a collector that starts listening only after its first tries were refused (a new pod whose
// NetworkPolicies do not admit it yet is refused the same way), and gives up on one that never listens.
import { createServer, type Server } from "node:net";
import { connectToCollector } from "../worker";

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

test("retries a refused connect until the collector listens", async () => {
  const port = await freePort();
  let server: Server | undefined;
  let accepted = 0;
  // Listening only after the first connect was refused, on the port it keeps trying.
  const later = setTimeout(() => {
    server = createServer((s) => {
      accepted++;
      s.end();
    }).listen(port, "127.0.0.1");
  }, 700);
  const socket = await connectToCollector({ host: "127.0.0.1", port, index: 3 }, 10_000);
  socket.destroy();
  clearTimeout(later);
  await new Promise((r) => setTimeout(r, 50));
  server?.close();
  expect(accepted).toBe(1);
});

test("gives up with the connect's own error once its time is over", async () => {
  const port = await freePort();
  await expect(connectToCollector({ host: "127.0.0.1", port, index: 0 }, 0)).rejects.toThrow(/ECONNREFUSED/);
});
