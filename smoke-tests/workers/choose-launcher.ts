// Where a run's workers go: the pods of an Indexed Job when the coordinator itself runs in a pod (the in-cluster gate)
// against a Kubernetes target, processes of this machine otherwise (the embedded default, a drill from the
// workstation). The pod's part of it comes from its environment, which charts/smoke-gate sets when workers > 1.
import type { Placement } from "../../contract/target";
import { type KubernetesWorkersPlace, kubernetesLauncher } from "./kubernetes-launcher";
import { processLauncher, type WorkerLauncher } from "./launch";

export type LauncherChoice = { kind: "processes" } | { kind: "kubernetes"; place: KubernetesWorkersPlace };

const setBy =
  "charts/smoke-gate sets it in the gate's pod when its value workers is above 1 (stack config gate.workers)";

/**
 * Pure: which launcher `count` workers get. In a pod (KUBERNETES_SERVICE_HOST, as the kubelet sets it) on a
 * Kubernetes target with more than one worker, the Kubernetes one, with the gate's pod (MP_POD_NAME, MP_POD_NAMESPACE)
 * and the collector's Service (MP_WORKER_COLLECTOR, <host>:<port>) from the environment; each missing or malformed
 * variable refused by name, value and rule before anything is created.
 */
export function launcherChoice(env: NodeJS.ProcessEnv, placement: Placement["kind"], count: number): LauncherChoice {
  if (!env.KUBERNETES_SERVICE_HOST || placement !== "kubernetes" || count <= 1) return { kind: "processes" };
  const problems: string[] = [];
  const dnsName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
  const named = (key: string, what: string, rule: string, ok: (v: string) => boolean): string => {
    const value = env[key] ?? "";
    if (!ok(value)) problems.push(`${key} = ${JSON.stringify(value)} must be ${what} (${rule}): ${setBy}`);
    return value;
  };
  const name = named("MP_POD_NAME", "the gate pod's name", "a DNS subdomain", (v) => dnsName.test(v));
  const namespace = named("MP_POD_NAMESPACE", "the gate pod's namespace", "a DNS label", (v) =>
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v),
  );
  const collector = named(
    "MP_WORKER_COLLECTOR",
    "<host>:<port> of the gate's collector Service",
    "a DNS name and a port from 1024 to 65535",
    (v) => {
      const m = /^([^:]+):(\d{1,5})$/.exec(v);
      return m !== null && dnsName.test(m[1] as string) && Number(m[2]) >= 1024 && Number(m[2]) <= 65535;
    },
  );
  if (problems.length > 0) {
    throw new Error(`${count} workers in a pod run as an Indexed Job, which needs: ${problems.join("; ")}`);
  }
  const [host = "", port = ""] = collector.split(":");
  return { kind: "kubernetes", place: { pod: { name, namespace }, collector: { host, port: Number(port) } } };
}

export function launcherFor(choice: LauncherChoice): WorkerLauncher {
  return choice.kind === "kubernetes" ? kubernetesLauncher(choice.place) : processLauncher();
}
