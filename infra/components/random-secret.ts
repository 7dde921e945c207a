// A random secret generated once by the engine and then kept in state, like @pulumi/random's RandomPassword.
//
// Why not @pulumi/random: its provider plugin (github.com/pulumi/pulumi-random/provider/v4) is not served by the Go
// module proxy, the only registry that could supply it here, so no `pulumi up` could run. A Node.js dynamic
// provider runs on the plugin that ships inside @pulumi/pulumi. Swap back to random.RandomPassword once the plugin
// can be installed: the outputs (`result`, secret) are named the same way.
import * as pulumi from "@pulumi/pulumi";

export type SecretFormat = "alphanumeric" | "base64url";

export interface RandomSecretArgs {
  /** alphanumeric: `length` characters of [A-Za-z0-9]; base64url: `length` random bytes, base64url without padding. */
  format: pulumi.Input<SecretFormat>;
  length: pulumi.Input<number>;
}

interface Inputs {
  format: SecretFormat;
  length: number;
}

/** Generates the value (also used by the unit tests). Uniform: rejection sampling avoids modulo bias. */
export function generateSecret(format: SecretFormat, length: number): string {
  const crypto = require("node:crypto") as typeof import("node:crypto");
  if (format === "base64url") {
    // Never with a leading "-", as Kafka's own Uuid.randomUuid: a KRaft cluster id "-x…" is read by kafka-storage's
    // argument parser as an option (found on the first 3-node deploy: every broker exited at format).
    for (;;) {
      const value = crypto.randomBytes(length).toString("base64url");
      if (!value.startsWith("-")) return value;
    }
  }
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let out = "";
  while (out.length < length) {
    for (const b of crypto.randomBytes(length * 2)) {
      if (b < 248 && out.length < length) out += alphabet[b % 62];
    }
  }
  return out;
}

/**
 * The provider is serialised into the state (dynamic providers are closures), so it captures only generateSecret.
 * The value is created once; only a different format or length replaces it. `read` returns the stored state, so
 * `pulumi refresh` keeps the value too.
 */
const provider: pulumi.dynamic.ResourceProvider<Inputs, Inputs & { result: string }> = {
  async create(inputs) {
    const crypto = require("node:crypto") as typeof import("node:crypto");
    return { id: crypto.randomUUID(), outs: { ...inputs, result: generateSecret(inputs.format, inputs.length) } };
  },
  async diff(_id, olds, news) {
    const replaces = (["format", "length"] as const).filter((k) => olds[k] !== news[k]);
    return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
  },
  async read(id, props) {
    return { id, props };
  },
};

export class RandomSecret extends pulumi.dynamic.Resource {
  /** The generated value; a Pulumi secret (encrypted in the state file, masked in outputs). */
  declare public readonly result: pulumi.Output<string>;

  constructor(name: string, args: RandomSecretArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      { ...args, result: undefined },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["result"] }),
      "messaging-platform",
      "RandomSecret",
    );
  }
}
