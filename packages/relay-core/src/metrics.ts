/** Tags of a metric. */
export type MetricTags = Readonly<Record<string, string>>;

/** Where the relay reports numbers (statsd, Prometheus, ...). All methods must be cheap and never throw. */
export interface RelayMetrics {
  increment(name: string, value?: number, tags?: MetricTags): void;
  timing(name: string, milliseconds: number, tags?: MetricTags): void;
  gauge(name: string, value: number, tags?: MetricTags): void;
}

/** Metrics that go nowhere. */
export const NO_METRICS: RelayMetrics = {
  increment: () => undefined,
  timing: () => undefined,
  gauge: () => undefined,
};

/** Tag names of the metrics the relay reports, by metric name. */
const METRIC_TAGS: Readonly<Record<string, readonly string[]>> = {
  requests: ["route", "method", "status"],
  "requests.duration": ["route", "method", "status"],
  "upstream.envelopes": ["status"],
  "upstream.duration": ["status"],
  "upstream.outage": [],
  "upstream.registered": [],
  "project_configs.duration": ["status"],
  "project_cache.hit": ["stale"],
  "project_cache.miss": [],
  "spool.depth": [],
  "spool.bytes": [],
  "spool.redeliveries": [],
  "processing.envelopes": ["on"],
};

/**
 * Every tag name a metric of the relay may carry (`events.<outcome>` counters: `category` and
 * `reason`), for backends that must declare labels up front (Prometheus); `undefined` for a name
 * the relay does not report.
 */
export function metricTagNames(name: string): readonly string[] | undefined {
  if (name.startsWith("events.")) return ["category", "reason"];
  return METRIC_TAGS[name];
}
