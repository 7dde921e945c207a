// Topics, quorum queues and policies of the stack, applied to the embedded environment (`embedded/cli.ts declare`):
// the embedded platform's counterpart of the declaration Jobs. Changing a declaration updates in place; destroying
// it leaves the data (as on Kubernetes), which goes with the environment.
import * as pulumi from "@pulumi/pulumi";
import type { Declarations } from "../../embedded/declarations";
import { embeddedCli } from "./embedded-cli";

interface Inputs {
  repoRoot: string;
  /** The environment's start time: a new environment (replaced, or recreated after a refresh) is declared again. */
  environmentStartedAt: string;
  declarations: Declarations;
}

function apply(inputs: Inputs): Inputs {
  embeddedCli(inputs.repoRoot, ["declare"], JSON.stringify(inputs.declarations));
  return inputs;
}

const provider: pulumi.dynamic.ResourceProvider<Inputs, Inputs> = {
  async create(inputs) {
    return { id: "declarations", outs: apply(inputs) };
  },
  async diff(_id, olds, news) {
    const changed = (i: Inputs) => JSON.stringify([i.environmentStartedAt, i.declarations]);
    return { changes: changed(olds) !== changed(news) };
  },
  async update(_id, _olds, news) {
    return { outs: apply(news) };
  },
};

export class EmbeddedDeclarations extends pulumi.dynamic.Resource {
  constructor(
    name: string,
    args: { repoRoot: pulumi.Input<string>; environmentStartedAt: pulumi.Input<string>; declarations: Declarations },
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(provider, name, args, opts, "messaging-platform", "EmbeddedDeclarations");
  }
}
