// Applies declared topics/queues through the brokers' own admin tools, from a Job in the system's namespace. Chosen
// over a dynamic provider talking to the admin APIs because the brokers are reachable only inside the cluster
// (ClusterIP Services, NetworkPolicies), and over broker-side definitions because the charts own the broker pods.
import { posix } from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { contentHash, declarationPasswordFile } from "../values/declarations";

/** Label that the charts' NetworkPolicies admit next to client namespaces (see values/*.ts `clientFrom`). */
export const declarationJobLabel = { "messaging-platform.io/role": "declarations" } as const;

/** Where a declaration Job finds the CA it trusts (DeclarationJobArgs.caFrom). */
export const declarationCaFile = "/tls/ca.crt";

/**
 * Ephemeral storage of a declaration Job, sized from what it writes: /tmp holds the client config, the JVM's perf
 * data or Erlang's cookie (kilobytes); the limit also covers the stdout log the kubelet keeps (5 x 10Mi).
 */
export const jobEphemeralStorage = { request: "16Mi", limit: "128Mi", tmpSizeLimit: "64Mi" } as const;

/** The cluster DNS pods (as the broker charts' values.yaml `networkPolicy.dns`): CoreDNS and kube-dns both carry this label. */
export const clusterDns = { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } } as const;

/** The brokers a declaration Job talks to: their pods' labels and the ports it dials. */
export interface DeclarationEgress {
  podLabels: Record<string, string>;
  ports: number[];
}

/**
 * Pure: the Job's NetworkPolicy spec, least privilege both ways: no ingress (nothing connects to a Job), egress to the
 * brokers' pods on the ports the Job dials (in its own namespace) and to the cluster DNS, nothing else.
 */
export function declarationNetworkPolicySpec(
  egress: DeclarationEgress,
): k8s.types.input.networking.v1.NetworkPolicySpec {
  return {
    podSelector: { matchLabels: declarationJobLabel },
    policyTypes: ["Ingress", "Egress"],
    ingress: [],
    egress: [
      {
        to: [{ podSelector: { matchLabels: egress.podLabels } }],
        ports: egress.ports.map((port) => ({ protocol: "TCP", port })),
      },
      {
        to: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": clusterDns.namespace } },
            podSelector: { matchLabels: clusterDns.podLabels },
          },
        ],
        ports: [
          { protocol: "UDP", port: 53 },
          { protocol: "TCP", port: 53 },
        ],
      },
    ],
  };
}

export interface DeclarationJobArgs {
  namespace: pulumi.Input<string>;
  /** The broker image (pinned), which carries the admin CLI. */
  image: string;
  /** The image's unprivileged user id (Pod Security `restricted` needs a numeric non-root user). */
  runAsUser: number;
  /** Shell script run with `sh -c`. */
  script: string;
  /** Files mounted read-only under `mountPath` (a ConfigMap: no secrets in here). */
  files: Record<string, string>;
  mountPath: string;
  /** The password the script reads from declarationPasswordFile: key `key` of Secret `secret`, mounted 0400. */
  password: { secret: pulumi.Input<string>; key: string };
  /** Plain environment variables (never a secret: Secrets reach the Job as files only). */
  env: Record<string, string>;
  /** Where the Job may connect (besides DNS): its NetworkPolicy's only egress. */
  egress: DeclarationEgress;
  /** The CA to trust over TLS: key `ca.crt` of this Secret, mounted as /tls/ca.crt (caFile). */
  caFrom?: { secret: pulumi.Input<string> };
  provider: k8s.Provider;
}

export class DeclarationJob extends pulumi.ComponentResource {
  public readonly job: k8s.batch.v1.Job;

  constructor(name: string, args: DeclarationJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("messaging-platform:declarations:DeclarationJob", name, {}, opts);
    const child = { parent: this, provider: args.provider };
    // The ConfigMap and Job are named after their content and replaced delete-first. Created first, a failed `up`
    // (the gate refusing the new declarations) left the old Job in place; returning to the old declarations then
    // adopted that completed Job under the same name, and nothing was applied again.
    const replaced = { ...child, deleteBeforeReplace: true };
    const hash = contentHash(JSON.stringify([args.script, args.files, args.env, args.image]));
    const files = new k8s.core.v1.ConfigMap(
      name,
      {
        metadata: { name: `${name}-${hash}`, namespace: args.namespace },
        data: { ...args.files, "apply.sh": args.script },
      },
      replaced,
    );
    const env = Object.entries(args.env).map(([n, value]) => ({ name: n, value }));
    const passwordDir = posix.dirname(declarationPasswordFile);
    // One policy per system namespace (every Job of the namespace carries the label): named after the component.
    new k8s.networking.v1.NetworkPolicy(
      name,
      { metadata: { name, namespace: args.namespace }, spec: declarationNetworkPolicySpec(args.egress) },
      child,
    );
    this.job = new k8s.batch.v1.Job(
      name,
      {
        metadata: { name: `${name}-${hash}`, namespace: args.namespace, labels: declarationJobLabel },
        spec: {
          backoffLimit: 10,
          template: {
            metadata: { labels: declarationJobLabel },
            spec: {
              restartPolicy: "OnFailure",
              automountServiceAccountToken: false,
              securityContext: {
                runAsNonRoot: true,
                runAsUser: args.runAsUser,
                runAsGroup: args.runAsUser,
                // The kubelet gives this group read on the Secret files (0400 root-owned otherwise unreadable).
                fsGroup: args.runAsUser,
                seccompProfile: { type: "RuntimeDefault" },
              },
              containers: [
                {
                  name: "apply",
                  image: args.image,
                  command: ["sh", "/declarations/apply.sh"],
                  env,
                  resources: {
                    requests: { cpu: "100m", memory: "256Mi", "ephemeral-storage": jobEphemeralStorage.request },
                    limits: { cpu: "500m", memory: "512Mi", "ephemeral-storage": jobEphemeralStorage.limit },
                  },
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ["ALL"] },
                  },
                  volumeMounts: [
                    { name: "declarations", mountPath: "/declarations", readOnly: true },
                    { name: "files", mountPath: args.mountPath, readOnly: true },
                    { name: "tmp", mountPath: "/tmp" },
                    { name: "password", mountPath: passwordDir, readOnly: true },
                    ...(args.caFrom ? [{ name: "tls-ca", mountPath: "/tls", readOnly: true }] : []),
                  ],
                },
              ],
              volumes: [
                {
                  name: "declarations",
                  configMap: { name: files.metadata.name, items: [{ key: "apply.sh", path: "apply.sh" }] },
                },
                { name: "files", configMap: { name: files.metadata.name } },
                { name: "tmp", emptyDir: { sizeLimit: jobEphemeralStorage.tmpSizeLimit } },
                {
                  name: "password",
                  secret: {
                    secretName: args.password.secret,
                    items: [{ key: args.password.key, path: posix.basename(declarationPasswordFile) }],
                    defaultMode: 0o400,
                  },
                },
                ...(args.caFrom
                  ? [
                      {
                        name: "tls-ca",
                        secret: { secretName: args.caFrom.secret, items: [{ key: "ca.crt", path: "ca.crt" }] },
                      },
                    ]
                  : []),
              ],
            },
          },
        },
      },
      replaced,
    );
    this.registerOutputs({});
  }
}
