// The environment's state directory, outside the repository: per-node data and logs, pid files, generated
// credentials and the target description. `MESSAGING_PLATFORM_STATE` moves it (tests and parallel checkouts).
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { KafkaMode } from "./topology";

export const stateDir =
  process.env.MESSAGING_PLATFORM_STATE ?? join(homedir(), ".local", "state", "messaging-platform", "embedded");

export const statePaths = {
  root: stateDir,
  settings: join(stateDir, "settings.json"),
  credentials: join(stateDir, "credentials.json"),
  target: join(stateDir, "target.json"),
  logs: join(stateDir, "logs"),
  pids: join(stateDir, "pids"),
  kafka: join(stateDir, "kafka"),
  rabbitmq: join(stateDir, "rabbitmq"),
} as const;

/**
 * Namespaces, the bridge and the 10.213.0.0/24 addresses belong to the machine, not to a state directory: one lock
 * and one owner record per machine, so two checkouts (or a test and a terminal) never fight over the same nodes.
 */
export const machinePaths = {
  lock: "/run/messaging-platform-embedded.lock",
  owner: "/run/messaging-platform-embedded.owner",
} as const;

export const nodeLog = (name: string) => join(statePaths.logs, `${name}.log`);
export const nodePidFile = (name: string) => join(statePaths.pids, `${name}.pid`);

/** Choices made once, at the first `up`, and kept: changing them needs `down --purge`. */
export interface Settings {
  kafkaMode: KafkaMode;
  /** Kafka brokers (combined nodes in combined mode); absent: the chart's `brokers.replicas`. */
  kafkaBrokers?: number;
  /** KRaft cluster id: generated once, the storage of every Kafka node is formatted with it. */
  kafkaClusterId: string;
}

export interface Credentials {
  kafka: Record<string, string>;
  rabbitmq: { username: string; password: string };
  erlangCookie: string;
}

export function readJson<T>(path: string): T | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as T) : undefined;
}

export function writeJson(path: string, value: unknown, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`, { mode });
}

/** A password safe in URLs, properties files and rabbitmq.conf (no quoting needed anywhere). */
export function generateSecret(bytes = 18): string {
  return randomBytes(bytes).toString("base64url").replace(/[-_]/g, "x");
}

/**
 * Kafka cluster ids are 16 random bytes, base64url without padding (22 characters), like `kafka-storage random-uuid`,
 * which also never returns an id starting with "-" (the storage tool would read it as an option).
 */
export function generateKafkaClusterId(): string {
  for (let i = 0; i < 100; i++) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
  throw new Error("could not generate a Kafka cluster id");
}
