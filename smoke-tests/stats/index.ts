// Statistics for drills and benchmarks: latency histograms, rates, and the bucketed timeline.
export { exactQuantile, Histogram, type LatencySummary } from "./histogram";
export { bytesPerMegabyte, RateMeter, type Throughput, throughput } from "./rate";
export {
  coarsen,
  emptyBucket,
  type Timeline,
  type TimelineBucket,
  type TimelineEvent,
  type TimelineEventKind,
  TimelineRecorder,
} from "./timeline";
