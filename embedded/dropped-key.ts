// A chart key the embedded mapping left out, and why: reported by `status --verbose` and asserted by the tests.
export interface DroppedKey {
  key: string;
  reason: string;
}

/** A chart's flat config as the embedded nodes take it, and the keys they leave out. */
export interface SplitChartConfig {
  config: Record<string, string>;
  dropped: DroppedKey[];
}

/**
 * Splits a chart's flat config into what the embedded nodes take and what they leave out (with why): keys the
 * embedded topology decides, and keys that only make sense in a pod (`podOnly` returns the reason, or undefined).
 */
export function splitChartConfig(
  chartConfig: Record<string, string | number | boolean>,
  decidedByTopology: (key: string) => boolean,
  podOnly: (key: string, value: string | number | boolean) => string | undefined,
): SplitChartConfig {
  const config: Record<string, string> = {};
  const dropped: DroppedKey[] = [];
  for (const [key, value] of Object.entries(chartConfig)) {
    const reason = decidedByTopology(key) ? "decided by the embedded topology" : podOnly(key, value);
    if (reason) dropped.push({ key, reason });
    else config[key] = String(value);
  }
  return { config, dropped };
}
