// The Jepsen "client" half of a workload: one interface for both brokers, so the same generator, faults and
// checker run on Kafka and RabbitMQ.
import type { Envelope } from "./envelope";
import type { Lane } from "./lanes";

/**
 * How one publish ended, in Jepsen's words: ok (acknowledged), fail (definitely not written), info (unknown). A Kafka
 * acknowledgement carries where the record was written, from the produce response: the offset checks need it.
 */
export type PublishOutcome =
  | { type: "ok"; position?: { partition: number; offset: number } }
  | { type: "fail"; error: string }
  | { type: "info"; error: string };

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
  /**
   * Publishes a batch and resolves with one outcome per envelope, in order. Never rejects. `lane` is the workload's
   * in-flight slot that sends it: Kafka publishers give each lane its own share of the partitions (lanes.ts), so a
   * lane waiting on a dead leader holds up only its share, as in an application that sends per partition.
   */
  publish(batch: Envelope[], lane?: Lane): Promise<PublishOutcome[]>;
  close(): Promise<void>;
}

export interface Subscriber {
  /**
   * Starts consuming; onDelivery is called for every message read, ours or not (a body this run did not write, or
   * could not have written, is for the checker to count as unexpected, not for the client to drop).
   */
  start(onDelivery: (d: Received) => void): Promise<void>;
  stop(): Promise<void>;
  /**
   * After the producers stopped: whether this subscriber has read everything the broker holds (Kafka: every partition
   * to its high watermark; RabbitMQ: the queue empty), and what is left when not. Absent: only the ledger can tell.
   */
  atEnd?(): Promise<ReadToEnd>;
}

export interface ReadToEnd {
  atEnd: boolean;
  detail: string;
}

export interface ClientEvents {
  /** Connection-level trouble worth showing on the live progress line and in the report timeline. */
  onError?: (what: string) => void;
}
