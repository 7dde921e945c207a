// How every client of a target verifies TLS: it trusts the target's CA and nothing else (the system's CAs when the
// target names none), and checks the server's host name. Never rejectUnauthorized: false.
import * as http from "node:http";
import * as https from "node:https";
import type { ConnectionOptions } from "node:tls";

export function tlsClientOptions(ca: string | undefined): ConnectionOptions {
  return { ...(ca === undefined ? {} : { ca: [ca] }), rejectUnauthorized: true };
}

export interface HttpResponse {
  status: number;
  text: string;
}

/**
 * One HTTP(S) request with a deadline. Over https the server is verified against `ca` (fetch has no per-request CA
 * without an extra dependency, so this is node:https).
 */
export function httpRequest(
  url: URL,
  o: { method: string; headers: Record<string, string>; body?: string; timeoutMs: number; ca?: string },
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const options = { method: o.method, headers: o.headers, timeout: o.timeoutMs };
    const req =
      url.protocol === "https:"
        ? https.request(url, { ...options, ...tlsClientOptions(o.ca) })
        : http.request(url, options);
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)), o.timeoutMs);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") });
      });
      res.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)));
    req.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(o.body);
  });
}
