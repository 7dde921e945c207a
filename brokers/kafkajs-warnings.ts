// kafkajs' one noisy habit, silenced for every process that makes a kafkajs client (smoke tests and embedded).
/**
 * kafkajs 2.2.4 passes negative timeouts to setTimeout, which Node 24 reports as TimeoutNegativeWarning on every
 * run; it is harmless (Node treats it as 1 ms) and would bury the progress lines. Called where kafkajs clients are
 * made, so commands that never touch Kafka keep every warning.
 */
let warningsQuieted = false;
export function quietNegativeTimeoutWarnings(): void {
  if (warningsQuieted) return;
  warningsQuieted = true;
  process.removeAllListeners("warning");
  process.on("warning", (w) => {
    if (w.name !== "TimeoutNegativeWarning") process.stderr.write(`${w.name}: ${w.message}\n`);
  });
}
