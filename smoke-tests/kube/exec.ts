// A command run in a pod's container through the API server (`kubectl exec`), for the checks that must look from
// inside the cluster's own network: the output (stdout and stderr together) once the exec ends, however it ends.
import { Writable } from "node:stream";
import { loadKubeConfig } from "../../contract/kube-config";

export interface ExecRequest {
  where: { kubeconfig?: string; context?: string };
  namespace: string;
  pod: string;
  /** The container; default the pod's first. */
  container?: string;
  command: string[];
}

export async function execInPod(r: ExecRequest): Promise<{ out: string; status: string }> {
  const { lib, kc } = await loadKubeConfig(r.where);
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
