// The embedded default as a Pulumi resource: `pulumi up` brings the embedded environment (embedded/: three Kafka and three
// RabbitMQ nodes in network namespaces, configured from the charts' values.yaml) up, `pulumi destroy` takes it down,
// and its target is the resource's output. A Node.js dynamic provider, so it runs on the plugin inside @pulumi/pulumi.
import * as pulumi from "@pulumi/pulumi";
import { blankPasswords, passwordsOf, withPasswords } from "../../contract/passwords";
import type { Target } from "../../contract/target";
import { embeddedCli } from "./embedded-cli";

export interface EmbeddedEnvironmentArgs {
  /** The checkout whose embedded/cli.ts controls the environment. */
  repoRoot: pulumi.Input<string>;
  /** Digest of the charts' values.yaml: brokers take their config at start, so a change replaces the environment. */
  valuesDigest: pulumi.Input<string>;
}

interface Inputs {
  repoRoot: string;
  valuesDigest: string;
}

interface Outputs extends Inputs {
  /** When this environment was brought up: what depends on its contents (declarations) re-applies when it changes. */
  startedAt: string;
  /** The environment's target with both passwords blank: they are the two secret outputs below. */
  target: Target;
  kafkaPassword: string;
  rabbitmqPassword: string;
}

/** The running environment's target, or undefined when it is not up (`embedded/cli.ts target` exits 3). */
function runningTarget(repoRoot: string): Target | undefined {
  const r = embeddedCli(repoRoot, ["target"]);
  return r.code === 0 ? (JSON.parse(r.stdout) as Target) : undefined;
}

function outputs(inputs: Inputs & { startedAt?: string }, t: Target): Outputs {
  return {
    startedAt: new Date().toISOString(),
    ...inputs,
    target: withPasswords(t, blankPasswords),
    kafkaPassword: passwordsOf(t).kafka,
    rabbitmqPassword: passwordsOf(t).rabbitmq,
  };
}

function upAndDescribe(inputs: Inputs): Outputs {
  embeddedCli(inputs.repoRoot, ["up"]);
  const t = runningTarget(inputs.repoRoot);
  if (!t)
    throw new Error(
      "`embedded/cli.ts up` finished but the environment is not up: see its logs under the state directory",
    );
  return outputs({ repoRoot: inputs.repoRoot, valuesDigest: inputs.valuesDigest }, t);
}

const provider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = {
  async create(inputs) {
    return { id: "embedded", outs: upAndDescribe(inputs) };
  },
  async diff(_id, olds, news) {
    const replaces = olds.valuesDigest === news.valuesDigest ? [] : ["valuesDigest"];
    return { changes: replaces.length > 0 || olds.repoRoot !== news.repoRoot, replaces, deleteBeforeReplace: true };
  },
  async update(_id, _olds, news) {
    return { outs: upAndDescribe(news) };
  },
  // `pulumi refresh` (npm run deploy refreshes first): an environment that was taken down outside Pulumi is gone
  // from the state, so the next `up` creates it again instead of trusting a stale target.
  async read(id, props) {
    const inputs = props as Outputs;
    const t = runningTarget(inputs.repoRoot);
    return t ? { id, props: outputs(inputs, t) } : {};
  },
  async delete(_id, props) {
    embeddedCli(props.repoRoot, ["down"]);
  },
};

export class EmbeddedEnvironment extends pulumi.dynamic.Resource {
  declare public readonly startedAt: pulumi.Output<string>;
  declare public readonly target: pulumi.Output<Target>;
  declare public readonly kafkaPassword: pulumi.Output<string>;
  declare public readonly rabbitmqPassword: pulumi.Output<string>;

  constructor(name: string, args: EmbeddedEnvironmentArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      { ...args, startedAt: undefined, target: undefined, kafkaPassword: undefined, rabbitmqPassword: undefined },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["kafkaPassword", "rabbitmqPassword"] }),
      "messaging-platform",
      "EmbeddedEnvironment",
    );
  }
}
