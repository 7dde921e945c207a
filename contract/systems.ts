// The two messaging systems the platform deploys and verifies; every setting, check and report is keyed by these.
export type SystemName = "kafka" | "rabbitmq";

/** How every report and message names each system. */
export const systemTitle: Record<SystemName, string> = { kafka: "Kafka", rabbitmq: "RabbitMQ" };
