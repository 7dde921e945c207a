// A worker with a script instead of clients, for the pool's tests: it speaks the real wire (journal.ts) and plays
// three messages. Argument: the index of the worker that dies mid-stream (SIGKILL after one acknowledgement and half a
// record), or "crash" for every worker to exit before it connects.
import { connect } from "node:net";
import { workerConnectionFrom } from "../connection";
import { decodeCommand, encodeRecord, type JournalRecord, LineSplitter } from "../journal";

const [mode = "none"] = process.argv.slice(2);
if (mode === "crash") {
  process.stderr.write("boom: no broker\n");
  process.exit(3);
}
// As the real worker reads it: from the pool's environment, or a Kubernetes Indexed Job's (test/fake-cluster.ts).
const { host, port, index, token } = workerConnectionFrom(process.env);
const socket = connect(port, host);
const lines = (records: JournalRecord[]) => records.map(encodeRecord).join("");
const id = (seq: number) => `run-1/w${index}-p0/${seq}`;
const ok = (seq: number): JournalRecord => ({
  kind: "outcome",
  at: 2000 + seq,
  id: id(seq),
  outcome: { type: "ok", position: { partition: index, offset: seq } },
});
const delivered = (seq: number): JournalRecord => ({
  kind: "delivered",
  consumer: "c0",
  received: { id: id(seq), sentAt: 1000, receivedAt: 3000 + seq, partition: index, offset: String(seq) },
});

socket.write(lines([{ kind: "hello", worker: index, token }]));
const splitter = new LineSplitter();
socket.setEncoding("utf8");
socket.on("data", (chunk: string) => {
  for (const line of splitter.push(chunk)) {
    const c = decodeCommand(line);
    if (c.kind === "assign") socket.write(lines([{ kind: "ready" }]));
    if (c.kind === "produce") {
      socket.write(lines([{ kind: "sent", at: 1000, ids: [id(0), id(1), id(2)] }, ok(0), delivered(0)]));
      if (String(index) === mode) {
        // Half a record, then gone as a crash goes: nothing flushed, nothing closed.
        socket.write(encodeRecord(ok(1)).slice(0, 10), () => process.kill(process.pid, "SIGKILL"));
      } else socket.write(lines([ok(1), ok(2), delivered(1), delivered(2)]));
    }
    // A scripted CPU figure (500 ms), so the shares' cores come from what the worker said.
    if (c.kind === "stop") socket.write(lines([{ kind: "stopped", cpuMicros: 500_000 }]));
    if (c.kind === "ends?") socket.write(lines([{ kind: "ends", atEnd: true, detail: "scripted" }]));
    if (c.kind === "close") socket.end(lines([{ kind: "closed" }]), () => process.exit(0));
  }
});
