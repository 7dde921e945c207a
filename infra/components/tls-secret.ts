// A system's server certificate as the charts take it: a kubernetes.io/tls Secret (tls.crt, tls.key, ca.crt), and a
// fingerprint of the certificate for a pod annotation, so a re-issued certificate rolls the brokers that serve it.
import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ServerTls } from "./certificates";

export function tlsSecret(
  resourceName: string,
  secretName: string,
  namespace: pulumi.Input<string>,
  tls: ServerTls,
  opts: pulumi.CustomResourceOptions,
) {
  const secret = new k8s.core.v1.Secret(
    resourceName,
    {
      metadata: { name: secretName, namespace },
      type: "kubernetes.io/tls",
      stringData: { "tls.crt": tls.certPem, "tls.key": tls.keyPem, "ca.crt": tls.caPem },
    },
    opts,
  );
  const certificateHash = tls.certPem.apply((pem) => createHash("sha256").update(pem).digest("hex").slice(0, 16));
  return { secret, name: secretName, certificateHash };
}
