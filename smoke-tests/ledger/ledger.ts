// Jepsen "total-queue" bookkeeping (Jepsen's total-queue checker, as in its RabbitMQ and Kafka analyses): every
// publish ends as ok (acknowledged), fail (definitely refused) or unknown (timeout, connection lost mid-flight), every
// delivery is recorded, and after the drain check() says what was lost, unexpected, duplicated or recovered.
//
// Storage is columnar: per producer, one row per sequence number in typed arrays, and one row per delivery. That is
// ~25 bytes per message plus ~30 per delivery, so 10^6 messages cost tens of MB rather than hundreds.
import { Column } from "./growable";
import { formatMessageId, parseMessageId } from "./message-id";

/** Where a Kafka record landed (from the send result or the consumer). Offsets stay below 2^53 in practice. */
export interface KafkaPosition {
  partition: number;
  offset: number;
}

/** One delivery to a consumer. Kafka fills partition/offset, RabbitMQ fills queue (and redelivered, if known). */
export interface Delivery {
  /** Epoch milliseconds when the consumer received it. */
  at: number;
  partition?: number;
  offset?: number;
  queue?: string;
  /** Which consumer got it: needed for the per-consumer Kafka poll-order checks. */
  consumer?: string;
  /** RabbitMQ: the broker flagged it as delivered before (to a consumer that did not ack it). */
  redelivered?: boolean;
}

export const messageState = { attempted: 1, ok: 2, fail: 4, unknown: 8 } as const;

/** One message's publish as the ledger holds it (the clients' PublishOutcome is one publish call's answer). */
export type MessageOutcome = "ok" | "fail" | "unknown" | "pending" | "never-attempted";

export function outcomeOf(state: number): MessageOutcome {
  if (state & messageState.ok) return "ok";
  if (state & messageState.fail) return "fail";
  if (state & messageState.unknown) return "unknown";
  return state & messageState.attempted ? "pending" : "never-attempted";
}

/** A read-only view of one message row, as the checkers iterate them. */
export interface MessageRow {
  producerIndex: number;
  seq: number;
  state: number;
  consumeCount: number;
  sentAt: number;
  ackPartition: number;
  ackOffset: number;
}

export interface DeliveryRow {
  producerIndex: number;
  seq: number;
  at: number;
  partition: number;
  offset: number;
  queue: string | undefined;
  consumer: string | undefined;
  redelivered: boolean;
}

const none = -1;

class ProducerLog {
  readonly state = new Column(Uint8Array);
  readonly consumeCount = new Column(Uint16Array);
  readonly sentAt = new Column(Float64Array, Number.NaN);
  readonly ackPartition = new Column(Int32Array, none);
  readonly ackOffset = new Column(Float64Array, none);

  get rows(): number {
    return Math.max(this.state.length, this.consumeCount.length);
  }
}

/** Interns repeated strings (queue and consumer names) so each delivery row stores a small integer. */
class StringTable {
  private readonly indexByName = new Map<string, number>();
  readonly names: string[] = [];

  indexOf(name: string | undefined): number {
    if (name === undefined) return none;
    let index = this.indexByName.get(name);
    if (index === undefined) {
      index = this.names.push(name) - 1;
      this.indexByName.set(name, index);
    }
    return index;
  }

  nameAt(index: number): string | undefined {
    return index === none ? undefined : this.names[index];
  }
}

/** Consumed ids that cannot be ours: malformed, or ours by run id but never attempted are tracked elsewhere. */
export interface StrayDeliveries {
  /** Ids with our run id format but a different run id: leftovers from an earlier run in a shared topic/queue. */
  foreignRun: number;
  /** Ids that do not parse as message ids at all. */
  malformed: number;
  /** A few examples of each, for the report. */
  foreignRunSamples: string[];
  malformedSamples: string[];
}

const straySampleLimit = 20;

export class Ledger {
  private readonly producers: ProducerLog[] = [];
  private readonly producerIndexByName = new Map<string, number>();
  private readonly producerNames: string[] = [];
  private readonly queues = new StringTable();
  private readonly consumers = new StringTable();
  private readonly deliveryProducer = new Column(Int32Array);
  private readonly deliverySeq = new Column(Float64Array);
  private readonly deliveryAt = new Column(Float64Array);
  private readonly deliveryPartition = new Column(Int32Array, none);
  private readonly deliveryOffset = new Column(Float64Array, none);
  private readonly deliveryQueue = new Column(Int32Array, none);
  private readonly deliveryConsumer = new Column(Int32Array, none);
  private readonly deliveryRedelivered = new Column(Uint8Array);
  private readonly strays: StrayDeliveries = {
    foreignRun: 0,
    malformed: 0,
    foreignRunSamples: [],
    malformedSamples: [],
  };
  private unseenCount = 0;
  private pendingCount = 0;

  constructor(readonly runId: string) {}

  /** The id to put on the next message; producers keep their own seq counters. */
  idFor(producer: string, seq: number): string {
    return formatMessageId({ runId: this.runId, producer, seq });
  }

  /** Call just before handing the message to the client library. */
  attempted(id: string, at: number): void {
    const { log, seq } = this.ownRow(id);
    const state = log.state.get(seq);
    if (state & messageState.attempted) throw new Error(`message ${id} was attempted twice: ids must be unique`);
    log.state.set(seq, state | messageState.attempted);
    log.sentAt.set(seq, at);
    this.pendingCount++;
  }

  /** The broker confirmed the write (Kafka acks=all, RabbitMQ publisher confirm). Returns the ack latency in ms. */
  acknowledged(id: string, at: number, position?: KafkaPosition): number {
    const { log, seq } = this.ownRow(id);
    const state = this.settle(log, seq, messageState.ok);
    // Acked and not yet seen by any consumer: the "unseen" count that must drain back to 0.
    if (!(state & messageState.ok) && log.consumeCount.get(seq) === 0) this.unseenCount++;
    if (position) {
      log.ackPartition.set(seq, position.partition);
      log.ackOffset.set(seq, position.offset);
    }
    return at - log.sentAt.get(seq);
  }

  /** The broker definitely refused the write (nack, non-retriable error): it must never be consumed. */
  failed(id: string, _at: number): void {
    const { log, seq } = this.ownRow(id);
    this.settle(log, seq, messageState.fail);
  }

  /** The outcome is indeterminate (timeout, connection lost before the confirm): it may or may not show up. */
  unknown(id: string, _at: number): void {
    const { log, seq } = this.ownRow(id);
    this.settle(log, seq, messageState.unknown);
  }

  /** Record one delivery. Returns the end-to-end latency in ms for our own messages, undefined for strays. */
  consumed(id: string, delivery: Delivery): number | undefined {
    const parts = parseMessageId(id);
    if (parts === undefined) return this.recordStray("malformed", id);
    if (parts.runId !== this.runId) return this.recordStray("foreignRun", id);
    const producerIndex = this.producerIndex(parts.producer);
    const log = this.producers[producerIndex] as ProducerLog;
    const count = log.consumeCount.get(parts.seq);
    if (count === 0 && log.state.get(parts.seq) & messageState.ok) this.unseenCount--;
    log.consumeCount.set(parts.seq, Math.min(count + 1, 0xffff));
    this.deliveryProducer.push(producerIndex);
    this.deliverySeq.push(parts.seq);
    this.deliveryAt.push(delivery.at);
    this.deliveryPartition.push(delivery.partition ?? none);
    this.deliveryOffset.push(delivery.offset ?? none);
    this.deliveryQueue.push(this.queues.indexOf(delivery.queue));
    this.deliveryConsumer.push(this.consumers.indexOf(delivery.consumer));
    this.deliveryRedelivered.push(delivery.redelivered ? 1 : 0);
    const sentAt = log.sentAt.get(parts.seq);
    return Number.isNaN(sentAt) ? undefined : delivery.at - sentAt;
  }

  /** Acknowledged but not yet consumed, right now. Cheap: kept up to date on every ack and delivery. */
  get unseen(): number {
    return this.unseenCount;
  }

  /** Attempted, no outcome yet: the producer's in-flight window. */
  get inFlight(): number {
    return this.pendingCount;
  }

  get deliveryCount(): number {
    return this.deliveryAt.length;
  }

  get strayDeliveries(): Readonly<StrayDeliveries> {
    return this.strays;
  }

  producerName(index: number): string {
    return this.producerNames[index] ?? `#${index}`;
  }

  messageId(producerIndex: number, seq: number): string {
    return formatMessageId({ runId: this.runId, producer: this.producerName(producerIndex), seq });
  }

  /** Visits every row that was attempted or consumed, producer by producer, in seq order. */
  forEachMessage(visit: (row: MessageRow) => void): void {
    this.producers.forEach((log, producerIndex) => {
      for (let seq = 0; seq < log.rows; seq++) {
        const state = log.state.get(seq);
        const consumeCount = log.consumeCount.get(seq);
        if (state === 0 && consumeCount === 0) continue;
        visit({
          producerIndex,
          seq,
          state,
          consumeCount,
          sentAt: log.sentAt.get(seq),
          ackPartition: log.ackPartition.get(seq),
          ackOffset: log.ackOffset.get(seq),
        });
      }
    });
  }

  /** Visits our own deliveries (strays excluded) in the order they were recorded. */
  forEachDelivery(visit: (row: DeliveryRow) => void): void {
    for (let i = 0; i < this.deliveryAt.length; i++) {
      visit({
        producerIndex: this.deliveryProducer.get(i),
        seq: this.deliverySeq.get(i),
        at: this.deliveryAt.get(i),
        partition: this.deliveryPartition.get(i),
        offset: this.deliveryOffset.get(i),
        queue: this.queues.nameAt(this.deliveryQueue.get(i)),
        consumer: this.consumers.nameAt(this.deliveryConsumer.get(i)),
        redelivered: this.deliveryRedelivered.get(i) === 1,
      });
    }
  }

  // Outcomes accumulate as bits; outcomeOf() lets ok win over an earlier unknown (a late confirm) or fail: once the
  // broker said "stored", losing the message is a loss whatever the client reported around it.
  private settle(log: ProducerLog, seq: number, outcome: number): number {
    const state = log.state.get(seq);
    if (!(state & messageState.attempted)) {
      throw new Error(`outcome for ${this.messageId(this.producers.indexOf(log), seq)} before it was attempted`);
    }
    if (state === messageState.attempted) this.pendingCount--;
    log.state.set(seq, state | outcome);
    return state;
  }

  private ownRow(id: string): { log: ProducerLog; seq: number } {
    const parts = parseMessageId(id);
    if (parts === undefined || parts.runId !== this.runId) {
      throw new Error(`${id} is not a message id of run ${this.runId}: producers must use ledger.idFor()`);
    }
    return { log: this.producers[this.producerIndex(parts.producer)] as ProducerLog, seq: parts.seq };
  }

  private producerIndex(name: string): number {
    let index = this.producerIndexByName.get(name);
    if (index === undefined) {
      index = this.producers.push(new ProducerLog()) - 1;
      this.producerNames.push(name);
      this.producerIndexByName.set(name, index);
    }
    return index;
  }

  private recordStray(kind: "foreignRun" | "malformed", id: string): undefined {
    this.strays[kind]++;
    const samples = kind === "foreignRun" ? this.strays.foreignRunSamples : this.strays.malformedSamples;
    if (samples.length < straySampleLimit) samples.push(id);
    return undefined;
  }
}
