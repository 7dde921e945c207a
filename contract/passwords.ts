// A target's two secrets, set or blanked in one place: what outputs, Secrets and hashes need when the passwords
// travel separately (Pulumi secret outputs) or must not count (a run id). Types only: a dynamic provider captures it.
import type { KafkaTarget, RabbitMQTarget, Target } from "./target";

export interface TargetPasswords {
  kafka: string;
  rabbitmq: string;
}

/** A Target whose passwords may be anything else (Pulumi Outputs while a program runs). */
export type TargetShape = Omit<Target, "kafka" | "rabbitmq"> & {
  kafka: Omit<KafkaTarget, "sasl"> & { sasl: Omit<KafkaTarget["sasl"], "password"> & { password: unknown } };
  rabbitmq: Omit<RabbitMQTarget, "password"> & { password: unknown };
};

export function withPasswords(t: TargetShape, p: TargetPasswords): Target {
  return {
    ...t,
    kafka: { ...t.kafka, sasl: { ...t.kafka.sasl, password: p.kafka } },
    rabbitmq: { ...t.rabbitmq, password: p.rabbitmq },
  };
}

export const passwordsOf = (t: Target): TargetPasswords => ({
  kafka: t.kafka.sasl.password,
  rabbitmq: t.rabbitmq.password,
});

export const blankPasswords: TargetPasswords = { kafka: "", rabbitmq: "" };
