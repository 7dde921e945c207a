// One worker's journal, fed into the coordinator's one Recording as it arrives: every worker's outcomes and deliveries
// land in one ledger, so the existing checkers judge the merged run unchanged. A stream that ends before the worker
// said "closed" is a worker gone mid-run: the writes it had attempted without an outcome become unknown there and then
// (they may or may not have landed), and every acknowledgement it had streamed stays counted.
import type { Recording } from "../workload/recording";
import { decodeRecord, type JournalRecord, LineSplitter } from "./journal";

/** The records that answer the coordinator rather than count a message. */
export type ControlRecord = Extract<JournalRecord, { kind: "hello" | "ready" | "stopped" | "ends" | "closed" }>;

/** How a worker's stream ended: cleanly (after "closed"), or with the worker gone and its in-flight writes unknown. */
export interface StreamEnd {
  worker: number;
  gone: boolean;
  /** Writes attempted with no outcome when the stream ended: counted unknown when the worker is gone. */
  inFlight: number;
  /** The last record, cut off mid-line (the worker died while writing it): dropped, not decoded. */
  cutOff?: string;
}

export class WorkerStream {
  private readonly splitter = new LineSplitter();
  /** Attempted, no outcome yet: what becomes unknown if the worker goes. */
  private readonly pending = new Set<string>();
  private closed = false;
  /** Acknowledged and delivered by this worker: its share of the merged figures. */
  acknowledged = 0;
  delivered = 0;

  constructor(
    readonly worker: number,
    private readonly recording: Recording,
    private readonly onControl: (r: ControlRecord) => void,
  ) {}

  /** Feeds a chunk of the stream; a line that does not decode is noted as the worker's error and skipped. */
  push(chunk: string): void {
    for (const line of this.splitter.push(chunk)) {
      let record: JournalRecord;
      try {
        record = decodeRecord(line);
      } catch (err) {
        this.recording.noteError(`w${this.worker}: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      this.apply(record);
    }
  }

  /** The stream ended at `at` (epoch ms): a worker that did not close is gone, and its in-flight writes unknown. */
  end(at: number): StreamEnd {
    const cutOff = this.splitter.end();
    const inFlight = this.pending.size;
    const gone = !this.closed;
    if (gone) {
      for (const id of this.pending) {
        this.recording.outcome(id, at, { type: "info", error: `worker w${this.worker} gone with the write in flight` });
      }
      this.pending.clear();
      this.recording.settled(at);
    }
    return { worker: this.worker, gone, inFlight, ...(cutOff === undefined ? {} : { cutOff }) };
  }

  private apply(r: JournalRecord): void {
    switch (r.kind) {
      case "sent":
        this.recording.sent(r.ids, r.at);
        for (const id of r.ids) this.pending.add(id);
        return;
      case "outcome":
        this.pending.delete(r.id);
        if (r.outcome.type === "ok") this.acknowledged++;
        this.recording.outcome(r.id, r.at, r.outcome);
        this.recording.settled(r.at);
        return;
      case "delivered":
        this.delivered++;
        // Each worker's consumers are its own: the Kafka poll-order checks go per consumer.
        this.recording.delivered(r.received, `w${this.worker}-${r.consumer}`);
        return;
      case "error":
        this.recording.noteError(`w${this.worker}: ${r.what}`);
        return;
      case "closed":
        this.closed = true;
        this.onControl(r);
        return;
      default:
        this.onControl(r);
    }
  }
}
