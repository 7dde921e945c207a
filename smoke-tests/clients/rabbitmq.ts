// RabbitMQ done right for durability checks (amqplib): quorum queues, persistent messages, publisher confirms,
// manual acks, and reconnection to another node when the one we talk to dies. A publish whose confirm never
// arrives because the connection dropped is "unknown" (info), a nack is "fail": the ledger tells them apart.
import * as amqp from "amqplib";
import { tlsClientOptions } from "../../brokers/tls";
import type { RabbitMQTarget } from "../../contract/target";
import { decodeEnvelope, type Envelope, unreadableBodyId } from "./envelope";
import type { ClientEvents, Publisher, PublishOutcome, ReadToEnd, Received, Subscriber } from "./types";

export interface RabbitClientOptions extends ClientEvents {
  /** Where to start in the node list, so publishers and consumers spread over nodes. */
  firstNode?: number;
  /** Persistent (delivery mode 2) unless a deliberately unsafe drill turns it off to show what loss looks like. */
  persistent?: boolean;
  heartbeatSeconds?: number;
  /** How long to keep trying other nodes before a connection attempt counts as failed. */
  reconnectDeadlineMs?: number;
}

/** AMQP URL with credentials for node i (URL-encoded, vhost included). */
export function amqpUrl(target: RabbitMQTarget, i: number, heartbeatSeconds = 5): string {
  const base = target.amqpUrls[i % target.amqpUrls.length];
  if (base === undefined) throw new Error("target.rabbitmq.amqpUrls is empty");
  const u = new URL(base);
  u.username = encodeURIComponent(target.username);
  u.password = encodeURIComponent(target.password);
  u.pathname = `/${encodeURIComponent(target.vhost)}`;
  // A short heartbeat notices a dead or partitioned node in seconds instead of minutes.
  u.searchParams.set("heartbeat", String(heartbeatSeconds));
  return u.toString();
}

/** Socket options of an amqps connection: verify the node against the target's CA (amqplib sets the SNI name). */
export function amqpTlsOptions(target: Pick<RabbitMQTarget, "amqpUrls" | "ca">): Record<string, unknown> {
  return target.amqpUrls.some((u) => u.startsWith("amqps:")) ? { ...tlsClientOptions(target.ca) } : {};
}

/**
 * Connects to the first reachable node, starting at `start` and going round the list until the deadline. The
 * connection listens for errors from its first moment: a node killed while the caller is still opening a channel
 * resets the socket, and an 'error' with no listener would end the whole process (seen in restart-all).
 */
export async function connectAny(
  target: RabbitMQTarget,
  start: number,
  opts: RabbitClientOptions,
  connect: (url: string, socketOptions: Record<string, unknown>) => Promise<amqp.ChannelModel> = amqp.connect,
): Promise<{ conn: amqp.ChannelModel; node: number }> {
  const deadline = Date.now() + (opts.reconnectDeadlineMs ?? 30_000);
  let i = start;
  let lastErr = "";
  while (Date.now() < deadline) {
    try {
      const conn = await connect(amqpUrl(target, i, opts.heartbeatSeconds), {
        timeout: 2_000,
        clientProperties: { connection_name: "messaging-platform smoke" },
        ...amqpTlsOptions(target),
      });
      const node = i % target.amqpUrls.length;
      // Reported here only while no owner listens yet: the owner's own listener reports it once it is attached.
      conn.on("error", (e: Error) => {
        if (conn.listenerCount("error") === 1) opts.onError?.(`amqp connection to node ${node}: ${e.message}`);
      });
      return { conn, node };
    } catch (err) {
      lastErr = `${target.amqpUrls[i % target.amqpUrls.length]}: ${err instanceof Error ? err.message : String(err)}`;
      opts.onError?.(`amqp connect ${lastErr}`);
      i++;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`no RabbitMQ node accepted a connection before the deadline; last: ${lastErr}`);
}

export class RabbitPublisher implements Publisher {
  private conn: amqp.ChannelModel | undefined;
  private channel: amqp.ConfirmChannel | undefined;
  private node: number;
  private closed = false;
  private connecting: Promise<void> | undefined;
  private readonly pendingByChannel = new WeakMap<amqp.ConfirmChannel, Set<(o: PublishOutcome) => void>>();
  /** Ids of mandatory publishes the broker returned unroutable; their confirm follows the return on the channel. */
  private readonly returned = new Set<string>();

  private constructor(
    private readonly target: RabbitMQTarget,
    private readonly queue: string,
    private readonly opts: RabbitClientOptions,
  ) {
    this.node = opts.firstNode ?? 0;
  }

  static async open(target: RabbitMQTarget, queue: string, opts: RabbitClientOptions = {}): Promise<RabbitPublisher> {
    const p = new RabbitPublisher(target, queue, opts);
    await p.ensureChannel();
    return p;
  }

  private async ensureChannel(): Promise<amqp.ConfirmChannel> {
    if (this.channel) return this.channel;
    this.connecting ??= (async () => {
      const { conn, node } = await connectAny(this.target, this.node, this.opts);
      this.node = node;
      const ch = await conn.createConfirmChannel();
      ch.on("return", (msg: amqp.Message) => {
        const id = msg.properties.messageId;
        if (typeof id === "string") this.returned.add(id);
      });
      // Broken connections surface as 'close'/'error' events; forget the channel so the next publish reconnects.
      const drop = (why: string) => {
        if (this.channel === ch) {
          this.channel = undefined;
          this.conn = undefined;
          if (!this.closed) this.opts.onError?.(`amqp publisher on node ${node}: ${why}`);
          this.node = node + 1; // try a different node next time
        }
      };
      conn.on("close", () => drop("connection closed"));
      conn.on("error", (e: Error) => drop(e.message));
      ch.on("close", () => drop("channel closed"));
      ch.on("error", (e: Error) => drop(e.message));
      this.conn = conn;
      this.channel = ch;
    })().finally(() => {
      this.connecting = undefined;
    });
    await this.connecting;
    if (!this.channel) throw new Error("channel closed while connecting");
    return this.channel;
  }

  async publish(batch: Envelope[]): Promise<PublishOutcome[]> {
    let ch: amqp.ConfirmChannel;
    try {
      ch = await this.ensureChannel();
    } catch (err) {
      // Nothing was sent: a definite failure, not an unknown.
      const error = err instanceof Error ? err.message : String(err);
      return batch.map(() => ({ type: "fail", error }));
    }
    const pending = this.pendingOn(ch);
    return Promise.all(
      batch.map(
        (e) =>
          new Promise<PublishOutcome>((resolve) => {
            let settled = false;
            const settle = (o: PublishOutcome) => {
              if (!settled) {
                settled = true;
                pending.delete(settle);
                resolve(o);
              }
            };
            pending.add(settle);
            try {
              ch.sendToQueue(
                this.queue,
                e.body,
                // mandatory: a publish no queue takes (its queue gone with its node) is returned, not silently confirmed.
                {
                  mandatory: true,
                  persistent: this.opts.persistent ?? true,
                  messageId: e.id,
                  timestamp: Math.floor(e.sentAt / 1000),
                },
                (err) => settle(confirmOutcome(err, this.returned.delete(e.id))),
              );
            } catch (err) {
              settle({ type: "info", error: err instanceof Error ? err.message : String(err) });
            }
          }),
      ),
    );
  }

  /**
   * Publishes waiting for a confirm on a channel. When the channel closes, none of their confirms can arrive any
   * more: each becomes unknown (the message may or may not be enqueued). One listener per channel, not per message.
   */
  private pendingOn(ch: amqp.ConfirmChannel): Set<(o: PublishOutcome) => void> {
    let pending = this.pendingByChannel.get(ch);
    if (!pending) {
      const set = new Set<(o: PublishOutcome) => void>();
      pending = set;
      this.pendingByChannel.set(ch, set);
      ch.once("close", () => {
        for (const settle of [...set]) settle({ type: "info", error: "channel closed before confirm" });
      });
    }
    return pending;
  }

  async close(): Promise<void> {
    this.closed = true;
    // Closing the channel fires its 'close' handler, which forgets both: take them first.
    const { channel, conn } = this;
    await channel?.close().catch(() => undefined);
    await conn?.close().catch(() => undefined);
  }
}

/**
 * What a publisher confirm callback means. A broker nack (amqplib: "message nacked") is a definite failure: the
 * broker said it did not take the message; so is a confirm of a mandatory publish the broker returned first (no queue
 * took it). amqplib also calls back every unconfirmed publish with "channel closed" when the channel or its connection
 * goes away, and then nobody knows whether the broker enqueued it: unknown.
 */
export function confirmOutcome(err: unknown, returned = false): PublishOutcome {
  if ((err === null || err === undefined) && returned) return { type: "fail", error: "returned: no queue took it" };
  if (err === null || err === undefined) return { type: "ok" };
  const error = err instanceof Error ? err.message : String(err);
  return /nacked/i.test(error) ? { type: "fail", error: `nack: ${error}` } : { type: "info", error };
}

/** Consumes with manual acks and a bounded prefetch; after a connection loss it resumes on another node. */
export class RabbitSubscriber implements Subscriber {
  private conn: amqp.ChannelModel | undefined;
  private stopped = false;
  private purged = false;
  private node: number;

  constructor(
    private readonly target: RabbitMQTarget,
    private readonly queue: string,
    /**
     * purge: empty the queue before the first consume. A run counts every body it reads as its own or unexpected, so
     * what earlier runs left in a shared queue (late unknown-outcome publishes, another check's messages) goes first.
     */
    private readonly opts: RabbitClientOptions & { prefetch?: number; purge?: boolean } = {},
  ) {
    this.node = opts.firstNode ?? 1;
  }

  async start(onDelivery: (d: Received) => void): Promise<void> {
    await this.attach(onDelivery);
  }

  private async attach(onDelivery: (d: Received) => void): Promise<void> {
    const { conn, node } = await connectAny(this.target, this.node, this.opts);
    this.node = node;
    this.conn = conn;
    const ch = await conn.createChannel();
    if (this.opts.purge && !this.purged) {
      await ch.purgeQueue(this.queue);
      this.purged = true;
    }
    await ch.prefetch(this.opts.prefetch ?? 500);
    let reattaching = false;
    const reattach = (why: string) => {
      if (this.stopped || reattaching) return;
      reattaching = true;
      this.opts.onError?.(`amqp consumer on node ${node}: ${why}`);
      this.node = node + 1;
      void this.reattach(onDelivery);
    };
    conn.on("close", () => reattach("connection closed"));
    conn.on("error", (e: Error) => reattach(e.message));
    ch.on("error", (e: Error) => reattach(e.message));
    ch.on("close", () => reattach("channel closed"));
    await ch.consume(
      this.queue,
      (msg) => {
        if (!msg) {
          reattach("consumer cancelled by the broker");
          return;
        }
        const env = decodeEnvelope(msg.content);
        onDelivery({
          id: env?.id ?? unreadableBodyId(msg.content),
          sentAt: env?.sentAt ?? Number.NaN,
          receivedAt: Date.now(),
          redelivered: msg.fields.redelivered,
        });
        // Ack only after the message has been counted: a crash before this line means redelivery, never loss.
        ch.ack(msg);
      },
      { noAck: false },
    );
  }

  /**
   * Attaches again until it works or the subscriber stops: one failed attempt (every node still refusing, a quorum
   * queue without a leader yet) must not leave the queue with no consumer for the rest of the run.
   */
  private async reattach(onDelivery: (d: Received) => void): Promise<void> {
    while (!this.stopped) {
      try {
        await this.attach(onDelivery);
        return;
      } catch (e) {
        this.opts.onError?.(`amqp consumer reattach failed, trying again in 1 s: ${String(e)}`);
        this.node += 1;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  /** The queue holds no message ready for delivery (what was delivered to us, the ledger counts). */
  async atEnd(): Promise<ReadToEnd> {
    try {
      if (!this.conn) return { atEnd: false, detail: `not connected to read queue ${this.queue}` };
      const ch = await this.conn.createChannel();
      // A queue that is gone closes the channel with 404: the rejection below says so; the event must not throw.
      ch.on("error", () => undefined);
      const { messageCount, consumerCount } = await ch
        .checkQueue(this.queue)
        .finally(() => ch.close().catch(() => undefined));
      return messageCount === 0
        ? { atEnd: true, detail: `queue ${this.queue} read to empty` }
        : {
            atEnd: false,
            detail: `${messageCount} messages still ready in queue ${this.queue} (${consumerCount} consumer(s) attached)`,
          };
    } catch (e) {
      return { atEnd: false, detail: `cannot read queue ${this.queue}: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.conn?.close().catch(() => undefined);
  }
}
