// The ledger's cost: what is measured and how it becomes per-message figures, with clocks of the test's own (the
// process's CPU and wall clocks are read only by `npm run bench -- --ledger`, never asserted here).
import { type Clocks, measured, measureLedger, perMessage } from "../ledger-footprint";

/** Clocks that move by fixed steps: each CPU read 250 µs user and 50 µs system, each held-bytes read 1,000 bytes more. */
function steppingClocks(): Clocks & { cpuReads: number } {
  let cpu = { user: 0, system: 0 };
  let wall = 0;
  let held = 0;
  return {
    cpuReads: 0,
    wallMs() {
      wall += 10;
      return wall;
    },
    cpu(since) {
      this.cpuReads++;
      cpu = { user: cpu.user + 250, system: cpu.system + 50 };
      return since ? { user: cpu.user - since.user, system: cpu.system - since.system } : cpu;
    },
    heldBytes() {
      held += 1_000;
      return held;
    },
  };
}

describe("the ledger's cost", () => {
  it("measures a step as the CPU used over it (user + system) and its wall time", () => {
    const clocks = steppingClocks();
    expect(measured(() => "done", clocks)).toEqual({ result: "done", cost: { cpuUs: 300, wallMs: 10 } });
  });

  it("records and checks every synthetic message, each step measured, and the bytes held per message", () => {
    const clocks = steppingClocks();
    const f = measureLedger(1_000, clocks);
    expect(f).toEqual({
      messages: 1_000,
      bytesPerMessage: 1,
      record: { cpuUs: 300, wallMs: 10 },
      totalQueueCheck: { cpuUs: 300, wallMs: 10 },
      kafkaCheck: { cpuUs: 300, wallMs: 10 },
    });
    expect(clocks.cpuReads).toBe(6);
  });

  it("divides CPU and bytes by the messages: recording, checking (both checkers) and the total", () => {
    const f = {
      messages: 1_000_000,
      bytesPerMessage: 61.7,
      record: { cpuUs: 1_900_000, wallMs: 0 },
      totalQueueCheck: { cpuUs: 400_000, wallMs: 0 },
      kafkaCheck: { cpuUs: 700_000, wallMs: 0 },
    };
    expect(perMessage(f)).toEqual({ recordCpuUs: 1.9, checkCpuUs: 1.1, totalCpuUs: 3, bytes: 61.7 });
  });
});
