import type { Outcome, OutcomeSink, RelayMetrics } from "@org/relay-core";
import { StatsD } from "hot-shots";
import type { Logger } from "pino";

/** A statsd client for the relay's metrics, every name under `prefix`, with `defaultTags`. */
export interface StatsdMetrics extends RelayMetrics {
  close(): Promise<void>;
}

/** Where a statsd client sends: `metrics.statsd` (`host:port`), `metrics.prefix`, `metrics.default_tags`. */
export interface StatsdTarget {
  readonly address: string;
  readonly prefix: string;
  readonly defaultTags: Readonly<Record<string, string>>;
}

/** Connects to `metrics.statsd`. Sending never blocks or throws; failures are logged once. */
export function createStatsdMetrics(target: StatsdTarget, logger: Logger): StatsdMetrics {
  const { address, prefix, defaultTags } = target;
  const colon = address.lastIndexOf(":");
  const host = colon === -1 ? address : address.slice(0, colon);
  const port = colon === -1 ? 8125 : Number(address.slice(colon + 1));
  let warned = false;
  const client = new StatsD({
    host: host.replace(/^\[|\]$/g, ""),
    port,
    prefix: prefix === "" ? "" : `${prefix}.`,
    globalTags: { ...defaultTags },
    errorHandler: (error) => {
      if (!warned) logger.warn({ err: error }, `statsd at ${address} is not reachable; metrics are dropped`);
      warned = true;
    },
  });
  return {
    increment: (name, value = 1, tags) => {
      client.increment(name, value, tags ? { ...tags } : undefined);
    },
    timing: (name, ms, tags) => {
      client.timing(name, ms, tags ? { ...tags } : undefined);
    },
    gauge: (name, value, tags) => {
      client.gauge(name, value, tags ? { ...tags } : undefined);
    },
    close: () =>
      new Promise<void>((resolve) => {
        client.close(() => {
          resolve();
        });
      }),
  };
}

/** Counts outcomes as `events.<kind>` with their category and reason as tags, next to another sink. */
export function outcomesToMetrics(metrics: RelayMetrics, next: OutcomeSink): OutcomeSink {
  return {
    record(outcome: Outcome) {
      next.record(outcome);
      const tags: Record<string, string> = { category: outcome.category };
      if (outcome.reason) tags.reason = outcome.reason;
      metrics.increment(`events.${outcome.kind}`, outcome.quantity, tags);
    },
  };
}
