// One namespace per system, created by the program (not the charts) so that Pod Security Admission and the
// default-deny NetworkPolicy are in place before the first broker pod is admitted.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** Pod Security Admission: enforce `restricted`, and warn/audit at the same level so a violation is never silent. */
export const podSecurityLabels = {
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/enforce-version": "latest",
  "pod-security.kubernetes.io/warn": "restricted",
  "pod-security.kubernetes.io/audit": "restricted",
} as const;

/** Labels the policy pack reads to know which rules apply (production floors). */
export const environmentLabel = "messaging-platform.io/environment";
export const systemLabel = "messaging-platform.io/system";

export interface SystemNamespaceArgs {
  /** Namespace name (settings: kafka.namespace / rabbitmq.namespace). */
  name: string;
  /** The system it holds: "kafka" or "rabbitmq". */
  system: string;
  /** Stack environment: development, staging or production. */
  environment: string;
  provider: k8s.Provider;
}

/**
 * A namespace with restricted Pod Security and a default-deny ingress NetworkPolicy: the charts' own
 * NetworkPolicies then admit exactly the peers they name (clients from labelled namespaces, the cluster's own pods).
 */
export class SystemNamespace extends pulumi.ComponentResource {
  /** The namespace name, known only once the Namespace exists (so children wait for it). */
  public readonly name: pulumi.Output<string>;
  public readonly namespace: k8s.core.v1.Namespace;
  public readonly defaultDeny: k8s.networking.v1.NetworkPolicy;

  constructor(name: string, args: SystemNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("messaging-platform:kubernetes:SystemNamespace", name, {}, opts);
    const child = { parent: this, provider: args.provider };
    this.namespace = new k8s.core.v1.Namespace(
      name,
      {
        metadata: {
          name: args.name,
          labels: { ...podSecurityLabels, [environmentLabel]: args.environment, [systemLabel]: args.system },
        },
      },
      child,
    );
    this.name = this.namespace.metadata.name;
    this.defaultDeny = new k8s.networking.v1.NetworkPolicy(
      `${name}-default-deny-ingress`,
      {
        metadata: { name: "default-deny-ingress", namespace: this.name },
        spec: { podSelector: {}, policyTypes: ["Ingress"] },
      },
      child,
    );
    this.registerOutputs({ name: this.name });
  }
}
