// Number formatting shared by every report format, so the terminal, Markdown and HTML say the same thing.

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** 0.85 ms, 12.3 ms, 950 ms, 9.62 s, 2 min 5 s; "n/a" for missing values. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "n/a";
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(ms < 100 ? 1 : 0)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatRate(perSecond: number, unit = "msg/s"): string {
  if (!Number.isFinite(perSecond)) return "n/a";
  return `${perSecond >= 100 ? formatCount(perSecond) : perSecond.toFixed(1)} ${unit}`;
}

export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return "n/a";
  return fraction === 0 ? "0%" : fraction < 0.0001 ? "<0.01%" : `${(fraction * 100).toFixed(2)}%`;
}

/** Escapes text for HTML and SVG (XML) content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}
