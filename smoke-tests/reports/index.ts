// Report writers: JSON, Markdown, self-contained HTML with an SVG timeline, terminal summary and progress line.
export { escapeXml, formatCount, formatMs, formatPercent, formatRate } from "./format";
export { renderHtml } from "./html";
export { renderJson } from "./json";
export { renderMarkdown } from "./markdown";
export { failuresOf, type RunReport, reportPassed, type SystemName, type SystemRun, systemPassed } from "./run-report";
export { faultWindows, niceTicks, renderTimelineSvg } from "./svg-timeline";
export { formatProgressLine, formatTerminalSummary, type Paint, type Progress, paintFor } from "./terminal";
export { ledgerCells, recoveryText } from "./verdict";
export { defaultReportsRoot, type WrittenReport, writeRunReport } from "./write";
