// kafkajs's own Connection, with the socket factory every client of this project uses, against a listener on loopback
// that closes each connection as soon as it is made (a killed broker): the disconnects kafkajs repeats on that dead
// socket while the broker stays down must not add a listener each (issue 28: "11 connect listeners added to
// [TLSSocket]").
import { once } from "node:events";
import * as net from "node:net";
import * as tls from "node:tls";
import { issueCertificate, newCertificateAuthority } from "../../contract/certificates";
import { kafkajsSocketFactory } from "../kafkajs-socket";
import { tlsClientOptions } from "../tls";

/** kafkajs 2.2.4's Connection (src/network/connection.js): not exported, and the code whose disconnects leaked. */
interface KafkajsConnection {
  socket: net.Socket;
  connect(): Promise<boolean>;
  disconnect(): Promise<boolean>;
}
const Connection = require("kafkajs/src/network/connection") as new (o: object) => KafkajsConnection;

const silent = { info() {}, error() {}, warn() {}, debug() {}, namespace: () => silent, setLogLevel() {} };

const ca = newCertificateAuthority("messaging-platform test CA", 1);
const cert = issueCertificate(ca, { commonName: "localhost", dnsNames: ["localhost"], validityDays: 1 });

const servers: net.Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});
async function listen(server: net.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as net.AddressInfo).port;
}

/** Disconnects on one dead socket: kafkajs makes one per failed request and per failed connect retry. */
const DISCONNECTS = 20;

type OnConnection = (s: net.Socket) => void;
const listeners = [
  {
    name: "TLS (the stack's CA)",
    server: (on: OnConnection) => tls.createServer({ cert: cert.certPem, key: cert.keyPem }, on),
    ssl: tlsClientOptions(ca.certPem),
  },
  { name: "plaintext", server: (on: OnConnection) => net.createServer(on), ssl: null },
];

async function connected(server: net.Server, ssl: tls.ConnectionOptions | null): Promise<KafkajsConnection> {
  const connection = new Connection({
    host: "localhost",
    port: await listen(server),
    ssl,
    logger: silent,
    socketFactory: kafkajsSocketFactory,
    requestTimeout: 10_000,
    connectionTimeout: 10_000,
  });
  await connection.connect();
  return connection;
}

/** Sockets that keep this process alive (an unref'd socket is not among them). */
const referencedSockets = () => process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length;

describe.each(listeners)("a kafkajs connection over $name", ({ server, ssl }) => {
  it(`to a broker that closes it: its closed socket gains no 'connect' listener from ${DISCONNECTS} disconnects`, async () => {
    const connection = await connected(
      server((s) => s.destroy()),
      ssl,
    );
    const socket = connection.socket;
    if (!socket.closed) await once(socket, "close");
    const before = socket.listenerCount("connect");

    for (let i = 0; i < DISCONNECTS; i++) await connection.disconnect();

    expect(socket.listenerCount("connect")).toBe(before);
  });

  it("to a broker that keeps it open: unref() still releases the live socket", async () => {
    const held: net.Socket[] = [];
    const connection = await connected(
      server((s) => held.push(s)),
      ssl,
    );
    const before = referencedSockets();

    connection.socket.unref();

    expect(referencedSockets()).toBe(before - 1);
    connection.socket.destroy();
    for (const s of held) s.destroy();
  });
});
