import { describe, expect, it } from "vitest";
import { createPrometheusMetrics } from "./prometheus-metrics.js";

describe("createPrometheusMetrics", () => {
  it("keeps a tag that only later uses of a metric carry", async () => {
    const metrics = createPrometheusMetrics("sentry.relay", { region: "eu" });
    // Dropped during processing (no reason), then refused by the upstream (with one).
    metrics.increment("events.rate_limited", 1, { category: "error" });
    metrics.increment("events.rate_limited", 2, { category: "error", reason: "quota" });
    metrics.increment("project_cache.miss");
    const text = await metrics.render();
    expect(text).toMatch(/^sentry_relay_events_rate_limited_total\{category="error",reason="",region="eu"\} 1$/m);
    expect(text).toMatch(/^sentry_relay_events_rate_limited_total\{category="error",reason="quota",region="eu"\} 2$/m);
    expect(text).toMatch(/^sentry_relay_project_cache_miss_total\{region="eu"\} 1$/m);
  });

  it("takes the labels of a metric it does not know from its first use", async () => {
    const metrics = createPrometheusMetrics("", {});
    metrics.gauge("custom.level", 3, { shard: "a" });
    metrics.gauge("custom.level", 4, { shard: "b", extra: "dropped" });
    const text = await metrics.render();
    expect(text).toMatch(/^custom_level\{shard="a"\} 3$/m);
    expect(text).toMatch(/^custom_level\{shard="b"\} 4$/m);
  });
});
