// One TCP connection attempt with a deadline: the cheapest sign that a broker is alive, used by the health probes
// and by the smoke tests' reachability check before a run.
import { connect } from "node:net";

export const tcpConnect = (host: string, port: number, timeoutMs: number): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${Math.round(timeoutMs / 100) / 10} s`));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.end();
      resolve();
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(error.code ?? error.message));
    });
  });
