// The two messaging systems the platform deploys and verifies; every setting, check and report is keyed by these.
export type SystemName = "kafka" | "rabbitmq";
