import { metricTagNames, type RelayMetrics, type MetricTags } from "@org/relay-core";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** The relay's metrics kept for a Prometheus scrape. */
export interface PrometheusMetrics extends RelayMetrics {
  readonly registry: Registry;
  /** The text exposition format of every metric. */
  render(): Promise<string>;
  readonly contentType: string;
}

type Metric = Counter | Gauge | Histogram;

/** `sentry.relay` + `requests.duration` → `sentry_relay_requests_duration`. */
function metricName(prefix: string, name: string): string {
  const joined = prefix === "" ? name : `${prefix}.${name}`;
  return joined.replace(/[^a-zA-Z0-9_]/g, "_").replace(/^([0-9])/, "_$1");
}

function labelName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, "_").replace(/^([0-9_])/, "l$1");
}

/**
 * The same numbers as the statsd metrics, for Prometheus: counters become `<name>_total`,
 * timings histograms in seconds, gauges gauges. A metric's labels are every tag the relay may give
 * it ({@link metricTagNames}) plus the default tags, and for a name the relay does not know, the
 * tags of its first use; a tag a use leaves out is an empty label.
 */
export function createPrometheusMetrics(prefix: string, defaultTags: Readonly<Record<string, string>>): PrometheusMetrics {
  const registry = new Registry();
  registry.setDefaultLabels(Object.fromEntries(Object.entries(defaultTags).map(([key, value]) => [labelName(key), value])));
  const metrics = new Map<string, { metric: Metric; labels: readonly string[] }>();

  function get<T extends Metric>(use: { readonly kind: "counter" | "gauge" | "histogram"; readonly name: string; readonly tags: MetricTags | undefined }, make: (name: string, labels: string[]) => T): { metric: T; values: Record<string, string> } {
    const { kind, name, tags } = use;
    const key = `${kind}:${name}`;
    let entry = metrics.get(key);
    if (!entry) {
      // Labels cannot be added to a metric later: take every tag the relay may give it.
      const labels = [...new Set([...(metricTagNames(name) ?? []), ...Object.keys(tags ?? {})])].map(labelName);
      const suffix = kind === "counter" ? "_total" : kind === "histogram" ? "_seconds" : "";
      entry = { metric: make(metricName(prefix, name) + suffix, labels), labels };
      metrics.set(key, entry);
    }
    const values: Record<string, string> = {};
    for (const label of entry.labels) values[label] = "";
    for (const [tag, value] of Object.entries(tags ?? {})) {
      const label = labelName(tag);
      if (label in values) values[label] = value;
    }
    return { metric: entry.metric as T, values };
  }

  return {
    registry,
    contentType: registry.contentType,
    increment(name, value = 1, tags) {
      const { metric, values } = get({ kind: "counter", name, tags }, (metric, labelNames) => new Counter({ name: metric, help: `${name} (count)`, labelNames, registers: [registry] }));
      metric.inc(values, value);
    },
    timing(name, milliseconds, tags) {
      const { metric, values } = get(
        { kind: "histogram", name, tags },
        (metric, labelNames) =>
          new Histogram({ name: metric, help: `${name} (seconds)`, labelNames, buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] }),
      );
      metric.observe(values, milliseconds / 1000);
    },
    gauge(name, value, tags) {
      const { metric, values } = get({ kind: "gauge", name, tags }, (metric, labelNames) => new Gauge({ name: metric, help: name, labelNames, registers: [registry] }));
      metric.set(values, value);
    },
    render: () => registry.metrics(),
  };
}

/** Sends every metric to each of `targets`. */
export function fanOutMetrics(targets: readonly RelayMetrics[]): RelayMetrics {
  return {
    increment: (name, value, tags) => {
      for (const target of targets) target.increment(name, value, tags);
    },
    timing: (name, ms, tags) => {
      for (const target of targets) target.timing(name, ms, tags);
    },
    gauge: (name, value, tags) => {
      for (const target of targets) target.gauge(name, value, tags);
    },
  };
}
