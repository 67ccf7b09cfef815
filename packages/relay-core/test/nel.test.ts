import { describe, expect, it } from "vitest";
import { capturedItems } from "./captured-items.js";
import { listeningHarness } from "./relay-harness.js";

const KEY = "0123456789abcdef0123456789abcdef";

/** Two reports as Chrome sends them to a `Report-To` endpoint. */
const REPORTS = [
  {
    age: 1_500,
    type: "network-error",
    url: "https://shop.example.com/checkout?step=2",
    user_agent: "Mozilla/5.0",
    body: {
      elapsed_time: 412,
      method: "POST",
      phase: "connection",
      protocol: "h2",
      referrer: "https://shop.example.com/cart",
      sampling_fraction: 1.0,
      server_ip: "203.0.113.9:443",
      status_code: 0,
      type: "tcp.timed_out",
    },
  },
  {
    age: 0,
    type: "network-error",
    url: "https://api.example.com/orders",
    body: { elapsed_time: 30, method: "GET", phase: "application", protocol: "http/1.1", sampling_fraction: 0.5, server_ip: "[2001:db8::1]:443", status_code: 503, type: "http.error" },
  },
  { age: 0, type: "csp-violation", url: "https://shop.example.com/", body: { blockedURL: "https://evil.example/x.js" } },
];

describe("Network Error Logging reports", () => {
  const relay = listeningHarness();
  const url = (): string => `http://127.0.0.1:${relay.port}/api/1/nel/?sentry_key=${KEY}`;

  it("turns each network error into a log like Sentry's Relay, answering 200", async () => {
    const before = Date.now();
    const response = await fetch(url(), { method: "POST", headers: { "content-type": "application/reports+json" }, body: JSON.stringify(REPORTS) });
    expect(response.status).toBe(200);
    await relay.harness.drain();
    const container = capturedItems(relay.harness.store).find((item) => item.type === "log")!;
    expect(container.headers).toMatchObject({ type: "log", item_count: 2, content_type: "application/vnd.sentry.items.log+json" });
    const [timedOut, httpError] = (container.payload as { items: { timestamp: number; level: string; body: string; trace_id: string; attributes: Record<string, { type: string; value: unknown }> }[] }).items;
    expect(timedOut!.level).toBe("info");
    expect(timedOut!.body).toBe("TCP connection to the server timed out");
    expect(timedOut!.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(timedOut!.timestamp).toBeLessThanOrEqual((Date.now() - 1_500) / 1000);
    expect(timedOut!.timestamp).toBeGreaterThanOrEqual((before - 1_500) / 1000 - 1);
    expect(timedOut!.attributes).toEqual({
      "sentry.origin": { type: "string", value: "auto.http.browser_reports.nel" },
      report_type: { type: "string", value: "network-error" },
      "url.domain": { type: "string", value: "shop.example.com" },
      "url.full": { type: "string", value: "https://shop.example.com/checkout?step=2" },
      "http.request.duration": { type: "integer", value: 412 },
      "http.request.method": { type: "string", value: "POST" },
      "http.request.header.referer": { type: "string", value: "https://shop.example.com/cart" },
      "http.response.status_code": { type: "integer", value: 0 },
      "network.protocol": { type: "string", value: "h2" },
      "server.address": { type: "string", value: "203.0.113.9" },
      "nel.phase": { type: "string", value: "connection" },
      "nel.sampling_fraction": { type: "double", value: 1 },
      "nel.type": { type: "string", value: "tcp.timed_out" },
    });
    expect(httpError!.body).toBe("The user agent received a response with status code 503");
    expect(httpError!.attributes["server.address"]).toEqual({ type: "string", value: "[2001:db8::1]" });
    expect(httpError!.attributes["http.response.status_code"]).toEqual({ type: "integer", value: 503 });
  });

  it("takes application/json too, and refuses other content types, bad JSON and missing auth with a reason", async () => {
    const json = await fetch(url(), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(REPORTS[1]) });
    expect(json.status).toBe(200);
    const cases: [RequestInit & { url?: string }, number, RegExp][] = [
      [{ headers: { "content-type": "text/plain" }, body: "[]" }, 415, /application\/reports\+json/],
      [{ headers: { "content-type": "application/reports+json" }, body: "[{" }, 400, /not JSON/],
      [{ headers: { "content-type": "application/reports+json" }, body: "[]", url: `http://127.0.0.1:${relay.port}/api/1/nel/` }, 401, /authorization/],
      [{ headers: { "content-type": "application/reports+json" }, body: JSON.stringify(Array.from({ length: 10_001 }, () => REPORTS[0])) }, 400, /more than 10000 reports/],
    ];
    for (const [init, status, reason] of cases) {
      const response = await fetch(init.url ?? url(), { method: "POST", ...init });
      const body = (await response.json()) as { detail: string; causes: string[] };
      expect(response.status).toBe(status);
      expect(`${body.detail} ${body.causes.join(" ")}`).toMatch(reason);
    }
  });
});
