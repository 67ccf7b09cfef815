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
