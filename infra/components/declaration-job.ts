// Applies declared topics/queues through the brokers' own admin tools, from a Job in the system's namespace. Chosen
// over a dynamic provider talking to the admin APIs because the brokers are reachable only inside the cluster
// (ClusterIP Services, NetworkPolicies), and over broker-side definitions because the charts own the broker pods.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { contentHash } from "../values/declarations";

/** Label that the charts' NetworkPolicies admit next to client namespaces (see values/*.ts `clientFrom`). */
export const declarationJobLabel = { "messaging-platform.io/role": "declarations" } as const;

/** Where a declaration Job finds the CA it trusts (DeclarationJobArgs.caFrom). */
export const declarationCaFile = "/tls/ca.crt";

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
  /** Environment variables read from Secrets: name → {secret, key}. */
  secretEnv: Record<string, { secret: pulumi.Input<string>; key: string }>;
  /** Plain environment variables. */
  env: Record<string, string>;
  /** The CA to trust over TLS: key `ca.crt` of this Secret, mounted as /tls/ca.crt (caFile). */
  caFrom?: { secret: pulumi.Input<string> };
  provider: k8s.Provider;
}

export class DeclarationJob extends pulumi.ComponentResource {
  public readonly job: k8s.batch.v1.Job;

  constructor(name: string, args: DeclarationJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("messaging-platform:declarations:DeclarationJob", name, {}, opts);
    const child = { parent: this, provider: args.provider };
    const hash = contentHash(JSON.stringify([args.script, args.files, args.env, args.image]));
    const files = new k8s.core.v1.ConfigMap(
      name,
      {
        metadata: { name: `${name}-${hash}`, namespace: args.namespace },
        data: { ...args.files, "apply.sh": args.script },
      },
      child,
    );
    const env = [
      ...Object.entries(args.env).map(([n, value]) => ({ name: n, value })),
      ...Object.entries(args.secretEnv).map(([n, s]) => ({
        name: n,
        valueFrom: { secretKeyRef: { name: s.secret, key: s.key } },
      })),
    ];
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
                seccompProfile: { type: "RuntimeDefault" },
              },
              containers: [
                {
                  name: "apply",
                  image: args.image,
                  command: ["sh", "/declarations/apply.sh"],
                  env,
                  resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ["ALL"] },
                  },
                  volumeMounts: [
                    { name: "declarations", mountPath: "/declarations", readOnly: true },
                    { name: "files", mountPath: args.mountPath, readOnly: true },
                    { name: "tmp", mountPath: "/tmp" },
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
                { name: "tmp", emptyDir: {} },
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
      child,
    );
    this.registerOutputs({});
  }
}
