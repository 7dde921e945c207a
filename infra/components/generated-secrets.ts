// Every credential the platform needs, generated once per stack and kept as Pulumi secrets. Nobody types a password
// into a stack config, so none can leak from one; the charts receive them through Secrets (components/kafka.ts,
// components/rabbitmq.ts) and the smoke tests through the secret `target` output.
import * as pulumi from "@pulumi/pulumi";
import { RandomSecret } from "./random-secret";

export interface GeneratedSecretsArgs {
  /** SCRAM users of the Kafka cluster (client users and the chart's internal ones); one password each. */
  kafkaUsers: string[];
}

export class GeneratedSecrets extends pulumi.ComponentResource {
  /** SCRAM-SHA-512 password by Kafka user name. */
  public readonly kafkaPasswords: Record<string, pulumi.Output<string>>;
  /** KRaft cluster id: a Kafka Uuid, 16 random bytes as 22 characters of base64url. */
  public readonly kafkaClusterId: pulumi.Output<string>;
  /** Password of RabbitMQ's default (administrator) user. */
  public readonly rabbitmqPassword: pulumi.Output<string>;
  /** The Erlang cookie shared by the RabbitMQ nodes (and by anyone who may run rabbitmqctl against them). */
  public readonly erlangCookie: pulumi.Output<string>;

  constructor(name: string, args: GeneratedSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("messaging-platform:secrets:GeneratedSecrets", name, {}, opts);
    // The engine already marks `result` secret (additionalSecretOutputs); pulumi.secret says so in the program too,
    // so nothing derived from it can lose the mark whatever runs the program.
    const secret = (id: string, format: "alphanumeric" | "base64url", length: number) =>
      pulumi.secret(new RandomSecret(`${name}-${id}`, { format, length }, { parent: this }).result);

    this.kafkaPasswords = Object.fromEntries(
      args.kafkaUsers.map((u) => [u, secret(`kafka-user-${u}`, "alphanumeric", 32)]),
    );
    this.kafkaClusterId = secret("kafka-cluster-id", "base64url", 16);
    this.rabbitmqPassword = secret("rabbitmq-default-user", "alphanumeric", 32);
    this.erlangCookie = secret("rabbitmq-erlang-cookie", "alphanumeric", 64);
    this.registerOutputs({});
  }
}

/**
 * The render platform's stand-in for GeneratedSecrets: manifests written to a directory end up in pull requests and
 * GitOps repositories, so they never carry a credential. Every Secret keeps its name and keys, with this value where
 * the credential goes; whoever applies the manifests provides the real ones (External Secrets, Sealed Secrets, ...).
 */
export const renderedSecretPlaceholder = "provided-by-your-secret-manager";

export function placeholderSecrets(
  kafkaUsers: string[],
): Pick<GeneratedSecrets, "kafkaPasswords" | "kafkaClusterId" | "rabbitmqPassword" | "erlangCookie"> {
  const value = () => pulumi.secret(renderedSecretPlaceholder);
  return {
    kafkaPasswords: Object.fromEntries(kafkaUsers.map((u) => [u, value()])),
    kafkaClusterId: value(),
    rabbitmqPassword: value(),
    erlangCookie: value(),
  };
}
