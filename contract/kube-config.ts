// How every part reaches the cluster a stack names: the kubeconfig file and context from stack config
// (kubernetes.kubeconfig / kubernetes.context), read as the Pulumi provider reads them, or the default (in a pod: its
// ServiceAccount token). Used by the program (infra/api-server.ts) and by the faults and checks (smoke-tests/).
import { homedir } from "node:os";
import type * as k8s from "@kubernetes/client-node";

export async function loadKubeConfig(where: {
  kubeconfig?: string;
  context?: string;
}): Promise<{ lib: typeof k8s; kc: k8s.KubeConfig }> {
  // An ES module: loaded on use, so that callers (and jest's CommonJS runtime) never need it otherwise.
  const lib = await import("@kubernetes/client-node");
  const kc = new lib.KubeConfig();
  // `~/` as the Pulumi provider reads it.
  const file = where.kubeconfig?.replace(/^~(?=\/)/, homedir());
  if (file) kc.loadFromFile(file);
  else kc.loadFromDefault();
  if (where.context) kc.setCurrentContext(where.context);
  return { lib, kc };
}
