// A command run in a pod's container through the API server (`kubectl exec`), for the faults and the checks that must
// act or look from inside the cluster's own network: the output (stdout and stderr together) once the exec ends,
// however it ends.
import { Writable } from "node:stream";
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
