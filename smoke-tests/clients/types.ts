// The Jepsen "client" half of a workload: one interface for both brokers, so the same generator, faults and
// checker run on Kafka and RabbitMQ.
import type { Envelope } from "./envelope";

/** How one publish ended, in Jepsen's words: ok (acknowledged), fail (definitely not written), info (unknown). */
export type PublishOutcome = { type: "ok" } | { type: "fail"; error: string } | { type: "info"; error: string };

export interface Received {
  id: string;
  sentAt: number;
  receivedAt: number;
  /** Kafka: partition and offset; RabbitMQ: the queue and whether the broker flagged a redelivery. */
  partition?: number;
  offset?: string;
  redelivered?: boolean;
}

export interface Publisher {
  /** Publishes a batch and resolves with one outcome per envelope, in order. Never rejects. */
  publish(batch: Envelope[]): Promise<PublishOutcome[]>;
  close(): Promise<void>;
}

export interface Subscriber {
  /** Starts consuming; onDelivery is called for every message of this run (foreign ids are counted, not passed). */
  start(onDelivery: (d: Received) => void): Promise<void>;
  /** Messages seen that were not written by this run (other runs, other tools). */
  foreign(): number;
  stop(): Promise<void>;
}

export interface ClientEvents {
  /** Connection-level trouble worth showing on the live progress line and in the report timeline. */
  onError?: (what: string) => void;
}
