// Message and byte rates. MB here is MiB (2^20 bytes), as Kafka's ProducerPerformance reports it, so our numbers and
// the reference tool's line up in the bench without conversion.

export interface Throughput {
  messages: number;
  bytes: number;
  elapsedMs: number;
  messagesPerSecond: number;
  megabytesPerSecond: number;
}

export const bytesPerMegabyte = 1024 * 1024;

export function throughput(messages: number, bytes: number, elapsedMs: number): Throughput {
  const seconds = elapsedMs / 1000;
  return {
    messages,
    bytes,
    elapsedMs,
    messagesPerSecond: seconds > 0 ? messages / seconds : 0,
    megabytesPerSecond: seconds > 0 ? bytes / bytesPerMegabyte / seconds : 0,
  };
}

/**
 * Counts messages and bytes, overall and over a recent sliding window (for the live progress line). The window is a
 * ring of fixed slots, so marking is O(1) and memory is constant however long the run.
 */
export class RateMeter {
  private readonly slotMessages: Float64Array;
  private readonly slotBytes: Float64Array;
  private readonly slotNumber: Float64Array;
  private firstAt: number | undefined;
  private lastAt: number | undefined;
  messages = 0;
  bytes = 0;

  constructor(
    readonly windowMs = 5000,
    readonly slotMs = 250,
  ) {
    const slots = Math.ceil(windowMs / slotMs);
    this.slotMessages = new Float64Array(slots);
    this.slotBytes = new Float64Array(slots);
    this.slotNumber = new Float64Array(slots).fill(-1);
  }

  mark(at: number, messages = 1, bytes = 0): void {
    // Several workers' journals interleave: an older mark may come after a newer one.
    this.firstAt = Math.min(this.firstAt ?? at, at);
    this.lastAt = Math.max(this.lastAt ?? at, at);
    this.messages += messages;
    this.bytes += bytes;
    const slot = Math.floor(at / this.slotMs);
    const i = slot % this.slotNumber.length;
    if (this.slotNumber[i] !== slot) {
      this.slotNumber[i] = slot;
      this.slotMessages[i] = 0;
      this.slotBytes[i] = 0;
    }
    this.slotMessages[i] = (this.slotMessages[i] as number) + messages;
    this.slotBytes[i] = (this.slotBytes[i] as number) + bytes;
  }

  /** Everything since the first mark, up to `now` (default: the last mark). */
  overall(now = this.lastAt ?? 0): Throughput {
    return throughput(this.messages, this.bytes, this.firstAt === undefined ? 0 : now - this.firstAt);
  }

  /** The last windowMs before `now`, counting whole slots (the current partial slot included). */
  recent(now: number): Throughput {
    const current = Math.floor(now / this.slotMs);
    const oldest = current - this.slotNumber.length + 1;
    let messages = 0;
    let bytes = 0;
    for (let i = 0; i < this.slotNumber.length; i++) {
      const slot = this.slotNumber[i] as number;
      if (slot >= oldest && slot <= current) {
        messages += this.slotMessages[i] as number;
        bytes += this.slotBytes[i] as number;
      }
    }
    const covered = Math.min(now - oldest * this.slotMs, now - (this.firstAt ?? now));
    return throughput(messages, bytes, Math.max(covered, 0));
  }
}
