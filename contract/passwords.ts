// A target's two secrets, set or blanked in one place: what outputs, Secrets and hashes need when the passwords
// travel separately (Pulumi secret outputs) or must not count (a run id). Types only: a dynamic provider captures it.
import type { KafkaTarget, RabbitMQTarget, Target } from "./target";

export interface TargetPasswords {
  kafka: string;
  rabbitmq: string;
}

/** A Target whose two passwords are of type P (Pulumi Outputs while a program runs). */
export type TargetWithPasswords<P> = Omit<Target, "kafka" | "rabbitmq"> & {
  kafka: Omit<KafkaTarget, "sasl"> & { sasl: Omit<KafkaTarget["sasl"], "password"> & { password: P } };
  rabbitmq: Omit<RabbitMQTarget, "password"> & { password: P };
};

/** A Target whose passwords may be anything. */
export type TargetShape = TargetWithPasswords<unknown>;

export function withPasswords(t: TargetShape, p: TargetPasswords): Target;
export function withPasswords<P>(t: TargetShape, p: { kafka: P; rabbitmq: P }): TargetWithPasswords<P>;
export function withPasswords<P>(t: TargetShape, p: { kafka: P; rabbitmq: P }): TargetWithPasswords<P> {
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
