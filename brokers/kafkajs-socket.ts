// The sockets every kafkajs client of this project opens: kafkajs's own socket factory (2.2.4,
// src/network/socketFactory.js), except that unref() on a closed socket does nothing.
//
// kafkajs's Connection.disconnect() ends and unrefs its socket, and kafkajs disconnects again after every failed
// request and every failed connect retry while a broker is down (broker/index.js, cluster/brokerPool.js). Node's
// unref() on a socket without a handle, which a closed socket is, waits for a 'connect' that never comes: one more
// 'connect' listener per disconnect on the same dead socket, the "11 connect listeners added to [TLSSocket]" warning
// of every drill that kills a broker ([Socket] on plaintext targets), growing for as long as the broker stays down.
import * as net from "node:net";
import * as tls from "node:tls";
import type { ISocketFactory } from "kafkajs";

/** kafkajs's keep-alive delay (its socketFactory.js). */
const KEEP_ALIVE_DELAY_MS = 60_000;

/** unref() that ignores a destroyed socket: it has no handle to unref, and will never connect to have one. */
export function unrefIgnoringClosed<S extends net.Socket>(socket: S): S {
  const unref = socket.unref;
  socket.unref = function (this: S) {
    return this.destroyed ? this : unref.call(this);
  };
  return socket;
}

export const kafkajsSocketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  const socket = ssl
    ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
    : net.connect({ host, port }, onConnect);
  socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
  return unrefIgnoringClosed(socket);
};
