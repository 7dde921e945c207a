// A command run in a pod's container through the API server (`kubectl exec`), for the faults and the checks that must
// act or look from inside the cluster's own network: the output (stdout and stderr together) once the exec ends,
// however it ends.
import { PassThrough, Writable } from "node:stream";
import type * as k8s from "@kubernetes/client-node";
import { loadKubeConfig } from "../../contract/kube-config";

export interface ExecRequest {
  where: { kubeconfig?: string; context?: string };
  namespace: string;
  pod: string;
  /** The container; default the pod's first. */
  container?: string;
  command: string[];
}

export interface ExecResult {
  out: string;
  /** How the exec ended: the API's status ("Success", "Failure: …"), or "closed" when the stream just closed. */
  status: string;
}

export async function execInPod(r: ExecRequest): Promise<ExecResult> {
  const { lib, kc } = await loadKubeConfig(r.where);
  return execWith(lib, kc, r);
}

/** The same, on a client the caller already holds (a fault injector keeps one for the whole drill). */
export async function execWith(
  lib: typeof k8s,
  kc: k8s.KubeConfig,
  r: Omit<ExecRequest, "where">,
): Promise<ExecResult> {
  const container =
    r.container ??
    (await kc.makeApiClient(lib.CoreV1Api).readNamespacedPod({ name: r.pod, namespace: r.namespace })).spec
      ?.containers[0]?.name ??
    "";
  let out = "";
  const sink = new Writable({
    write(chunk, _enc, done) {
      out += String(chunk);
      done();
    },
  });
  return new Promise((resolve, reject) => {
    new lib.Exec(kc)
      .exec(r.namespace, r.pod, container, r.command, sink, sink, null, false, (st) =>
        resolve({ out, status: `${st.status ?? "?"}${st.message ? `: ${st.message}` : ""}` }),
      )
      .then((ws) => ws.on("close", () => resolve({ out, status: "closed" })))
      .catch(reject);
  });
}

/**
 * A command that runs across a fault: started now, told to go on with a line on its stdin. The exec's stream runs
 * through the API server and the kubelet, not the pod network, so an isolated pod's session survives the isolation.
 */
export interface ExecSession {
  /** The output so far once it contains `text` (rejects when the command ends first or `timeoutMs` passes). */
  waitFor(text: string, timeoutMs: number): Promise<string>;
  /** The output so far. */
  output(): string;
  /** Writes a line to its stdin. */
  send(line: string): void;
  /** Its whole output once it ends (its stdin is closed first). */
  end(timeoutMs: number): Promise<string>;
}

/** An output sink and stdin over which ExecSession's methods work, for an exec and for a local process alike. */
export function sessionOver(
  stdin: { write(s: string): unknown; end(): unknown },
  onOutput: (listen: (chunk: string) => void) => void,
  ended: Promise<unknown>,
): ExecSession {
  let out = "";
  let done = false;
  const waiters = new Set<() => void>();
  onOutput((chunk) => {
    out += chunk;
    for (const w of waiters) w();
  });
  void ended.finally(() => {
    done = true;
    for (const w of waiters) w();
  });
  const until = (ok: () => boolean, timeoutMs: number, what: string) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (ok()) finish(() => resolve(out));
        else if (done) finish(() => reject(new Error(`ended before ${what}: ${out.trim().slice(-300)}`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`no ${what} within ${timeoutMs / 1000} s: ${out.trim().slice(-300)}`))),
        timeoutMs,
      );
      const finish = (f: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        f();
      };
      waiters.add(check);
      check();
    });
  return {
    waitFor: (text, timeoutMs) => until(() => out.includes(text), timeoutMs, `"${text}"`),
    output: () => out,
    send: (line) => {
      if (!done) stdin.write(`${line}\n`);
    },
    end: (timeoutMs) => {
      if (!done) stdin.end();
      return until(() => done, timeoutMs, "end");
    },
  };
}

/** Starts a command in a pod's container with its stdin open (see ExecSession). */
export async function execSession(
  lib: typeof k8s,
  kc: k8s.KubeConfig,
  r: Omit<ExecRequest, "where"> & { container: string },
): Promise<ExecSession> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let ended: () => void = () => undefined;
  const over = new Promise<void>((resolve) => {
    ended = resolve;
  });
  const ws = await new lib.Exec(kc).exec(r.namespace, r.pod, r.container, r.command, stdout, stdout, stdin, false, () =>
    ended(),
  );
  ws.on("close", () => ended());
  return sessionOver(stdin, (listen) => stdout.on("data", (c) => listen(String(c))), over);
}
