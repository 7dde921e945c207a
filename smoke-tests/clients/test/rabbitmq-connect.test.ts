// connectAny on a stand-in connection: an 'error' between the connect and the caller's own listener (a node killed
// while the caller opens its channel) is reported, never thrown out of the process.
import { EventEmitter } from "node:events";
import type * as amqp from "amqplib";
import type { RabbitMQTarget } from "../../../contract/target";
import { connectAny } from "../rabbitmq";

const target = {
  amqpUrls: ["amqp://rabbitmq-0:5672", "amqp://rabbitmq-1:5672"],
  username: "smoke",
  password: "not-a-secret",
  vhost: "/",
} as unknown as RabbitMQTarget;

/** A connect that hands out stand-in connections (EventEmitters), refusing the nodes in `refused`. */
function standIn(refused: string[] = []) {
  const urls: string[] = [];
  const connect = async (url: string) => {
    urls.push(url);
    if (refused.some((r) => url.includes(r))) throw new Error("connect ECONNREFUSED");
    return new EventEmitter() as unknown as amqp.ChannelModel;
  };
  return { connect, urls };
}

describe("connectAny", () => {
  test("a socket error before the caller listens is reported, not thrown", async () => {
    const errors: string[] = [];
    const { conn, node } = await connectAny(target, 1, { onError: (e) => errors.push(e) }, standIn().connect);
    expect(node).toBe(1);
    expect(() => conn.emit("error", new Error("write ECONNRESET"))).not.toThrow();
    expect(errors).toEqual(["amqp connection to node 1: write ECONNRESET"]);
  });

  test("once the caller listens, the error is the caller's to report (not twice)", async () => {
    const errors: string[] = [];
    const { conn } = await connectAny(target, 0, { onError: (e) => errors.push(e) }, standIn().connect);
    const own: string[] = [];
    conn.on("error", (e: Error) => own.push(e.message));
    conn.emit("error", new Error("write ECONNRESET"));
    expect(own).toEqual(["write ECONNRESET"]);
    expect(errors).toEqual([]);
  });

  test("goes round the nodes past a refusal", async () => {
    const errors: string[] = [];
    const s = standIn(["rabbitmq-0"]);
    const { node } = await connectAny(target, 0, { onError: (e) => errors.push(e) }, s.connect);
    expect(node).toBe(1);
    expect(s.urls.map((u) => new URL(u).hostname)).toEqual(["rabbitmq-0", "rabbitmq-1"]);
    expect(errors).toEqual(["amqp connect amqp://rabbitmq-0:5672: connect ECONNREFUSED"]);
  });
});
