// The smoke gate as a Job in the cluster (stack config gate.inCluster): its own namespace, whose labels the brokers'
// NetworkPolicies admit; the target as a Secret; charts/smoke-gate (Job, ServiceAccount, a Role per broker
// namespace). Registered after both clusters, and the provider waits for the Job: a failed gate fails `pulumi up`.
// The Job is deleted before its replacement is created: the deploy replaces a failed one under the same name.
import { join } from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { blankPasswords, type TargetWithPasswords, withPasswords } from "../../contract/passwords";
import { type TargetOutput, withoutCa } from "../outputs";
import type { InClusterGateSettings } from "../settings/gate";
import {
  type ApiServerEgress,
  gateRunId,
  inClusterTarget,
  smokeGateChartValues,
  smokeGateRelease,
  smokeGateTargetKey,
  smokeGateTargetSecret,
} from "../values/smoke-gate";
import { environmentLabel, podSecurityLabels } from "./namespaces";

export interface SmokeGateJobArgs {
  settings: InClusterGateSettings;
  environment: string;
  /** Labels the brokers' NetworkPolicies admit (settings.clientNamespaceLabels). */
  clientNamespaceLabels: Record<string, string>;
  brokerNamespaces: { kafka: string; rabbitmq: string };
  /** The brokers' client ports: the gate's only egress into their namespaces. */
  brokerPorts: { kafka: { client: number }; rabbitmq: { amqp: number; management: number } };
  /** The API server's endpoints (read from the cluster); undefined on the render platform, which has none. */
  apiServer?: pulumi.Input<ApiServerEgress>;
  target: TargetOutput;
  /** The stack's Prometheus, for the gate's metrics check; none when the stack runs none. */
  monitoring?: { namespace: string; podLabels: Record<string, string>; port: number };
  /** gate.workers (1 when unset): the gate's loads as this many worker pods, which the chart then prepares for. */
  workers: number;
  /** Values of both broker charts: a change re-runs the gate. */
  chartValues: unknown[];
  chartsDir: string;
  provider: k8s.Provider;
}

/**
 * The chart's Job is deleted before its replacement is created: the replacement has the same name (a hash of what it
 * checks), and the deploy asks for one (`--replace`) only to run a failed gate again (operations/deploy/gate-failed.ts).
 * Targeted replacement skips the provider's diff, which alone would ask for the delete first.
 */
export function deleteJobBeforeReplace(args: pulumi.ResourceTransformArgs): pulumi.ResourceTransformResult | undefined {
  if (args.type !== "kubernetes:batch/v1:Job") return undefined;
  const opts: pulumi.CustomResourceOptions = { ...args.opts, deleteBeforeReplace: true };
  return { props: args.props, opts };
}

export class SmokeGateJob extends pulumi.ComponentResource {
  public readonly chart: k8s.helm.v4.Chart;
  public readonly runId: string;
  /** The Job's name (charts/smoke-gate: <release>-<runId>). */
  public readonly jobName: string;

  constructor(name: string, args: SmokeGateJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("messaging-platform:gate:SmokeGateJob", name, {}, opts);
    const child = { parent: this, provider: args.provider };
    const namespace = new k8s.core.v1.Namespace(
      name,
      {
        metadata: {
          name: args.settings.namespace,
          labels: { ...podSecurityLabels, ...args.clientNamespaceLabels, [environmentLabel]: args.environment },
        },
      },
      child,
    );
    // The plain part of the target; the passwords are Outputs, joined in below.
    // The CA (an Output, when TLS is on) stays out of the run id: the stack's tls settings, which decide it, are in
    // chartValues.
    const plain = withPasswords(withoutCa(args.target) as TargetWithPasswords<unknown>, blankPasswords);
    this.runId = gateRunId({ target: plain, image: args.settings.image, chartValues: args.chartValues });
    this.jobName = `${smokeGateRelease}-${this.runId}`;
    const targetJson = pulumi
      .all([
        args.target.kafka.sasl.password,
        args.target.rabbitmq.password,
        pulumi.output(args.target.kafka.ca),
        pulumi.output(args.target.rabbitmq.ca),
      ])
      .apply(([kafka, rabbitmq, kafkaCa, rabbitmqCa]) => {
        const t = withPasswords(inClusterTarget(plain), { kafka, rabbitmq });
        const full = {
          ...t,
          kafka: { ...t.kafka, ...(kafkaCa === undefined ? {} : { ca: kafkaCa }) },
          rabbitmq: { ...t.rabbitmq, ...(rabbitmqCa === undefined ? {} : { ca: rabbitmqCa }) },
        };
        return JSON.stringify(full, null, 2);
      });
    const secret = new k8s.core.v1.Secret(
      `${name}-target`,
      {
        metadata: { name: smokeGateTargetSecret, namespace: namespace.metadata.name },
        type: "Opaque",
        stringData: { [smokeGateTargetKey]: pulumi.secret(targetJson) },
      },
      child,
    );
    this.chart = new k8s.helm.v4.Chart(
      name,
      {
        chart: join(args.chartsDir, "smoke-gate"),
        name: smokeGateRelease,
        namespace: namespace.metadata.name,
        values: pulumi.output(args.apiServer).apply((apiServer) =>
          smokeGateChartValues(args.settings, {
            brokerNamespaces: args.brokerNamespaces,
            brokerPorts: args.brokerPorts,
            ...(apiServer ? { apiServer } : {}),
            runId: this.runId,
            reportsVolume: args.environment !== "development",
            ...(args.monitoring ? { monitoring: args.monitoring } : {}),
            workers: args.workers,
          }),
        ),
      },
      { ...child, dependsOn: [secret], transforms: [deleteJobBeforeReplace] },
    );
    this.registerOutputs({ runId: this.runId, jobName: this.jobName });
  }
}
