import { OutcomeCounter, type OutcomeSink, type RelayMetrics, type RelayService, type Spool } from "@org/relay-core";
import type { Logger } from "pino";
import { createPrometheusMetrics, fanOutMetrics, type PrometheusMetrics } from "./prometheus-metrics.js";
import type { MetricsSettings } from "./relay-settings.js";
import { createStatsdMetrics, outcomesToMetrics, type StatsdMetrics } from "./statsd-metrics.js";

/** How often the spool's depth and size are reported. */
const SPOOL_GAUGE_INTERVAL_MS = 10_000;

/** The metrics sinks the configuration asks for. */
export interface RelayMetricSinks {
  readonly statsd: StatsdMetrics | undefined;
  readonly prometheus: PrometheusMetrics | undefined;
  /** Every sink at once; `undefined` when there is none. */
  readonly metrics: RelayMetrics | undefined;
}

/** Creates the statsd client and the Prometheus registry that `metrics.*` asks for. */
export function createMetrics(settings: MetricsSettings, logger: Logger): RelayMetricSinks {
  const statsd = settings.statsd ? createStatsdMetrics({ address: settings.statsd, prefix: settings.prefix, defaultTags: settings.defaultTags }, logger) : undefined;
  const prometheus = settings.prometheus ? createPrometheusMetrics(settings.prefix, settings.defaultTags) : undefined;
  const sinks: RelayMetrics[] = [statsd, prometheus].filter((sink) => sink !== undefined);
  return { statsd, prometheus, metrics: sinks.length > 1 ? fanOutMetrics(sinks) : sinks[0] };
}

/** The outcome counter, also counted as metrics when there are any. */
export function countOutcomes(sinks: RelayMetricSinks): OutcomeSink {
  return sinks.metrics ? outcomesToMetrics(sinks.metrics, new OutcomeCounter()) : new OutcomeCounter();
}

/** Serves `/metrics/` on an app when Prometheus metrics are on. */
export function serveMetrics(app: RelayService["app"], sinks: RelayMetricSinks): void {
  const { prometheus } = sinks;
  if (prometheus) {
    app.get("/metrics/", async (_request, reply) => reply.header("content-type", prometheus.contentType).send(await prometheus.render()));
  }
}

/** Reports the spool's depth, size (and redeliveries) now and every 10 s; returns the stop. */
export function reportSpoolGauges(spool: Spool, sinks: RelayMetricSinks): () => void {
  const { metrics } = sinks;
  if (!metrics) return () => undefined;
  const report = (): void => {
    const stats = spool.stats();
    metrics.gauge("spool.depth", stats.depth);
    metrics.gauge("spool.bytes", stats.bytes);
    if ("redeliveries" in spool) metrics.gauge("spool.redeliveries", (spool as { redeliveries: number }).redeliveries);
  };
  report();
  const timer = setInterval(report, SPOOL_GAUGE_INTERVAL_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}
