import { gzipSync } from "node:zlib";
import { SeverityNumber } from "@opentelemetry/api-logs";
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPTraceExporter as OTLPTraceJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OTLPTraceProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { EXPORT_TRACE_REQUEST } from "../src/ingest/otlp-schema.js";
import { capturedItems } from "./captured-items.js";
import { listeningHarness } from "./relay-harness.js";

const KEY = "0123456789abcdef0123456789abcdef";
const SENTRY_AUTH = { "x-sentry-auth": `sentry sentry_key=${KEY}` };
const SUITE_STARTED_S = Date.now() / 1000;

interface SpanV2 {
  trace_id: string;
  span_id: string;
  parent_span_id?: string;
  name: string;
  kind?: string;
  status?: string;
  start_timestamp: number;
  end_timestamp: number;
  attributes: Record<string, { type: string; value: unknown }>;
}

/** Emits spans through a real OpenTelemetry tracer and exporter, then flushes. */
async function exportSpans(exporter: SpanExporter, service: string): Promise<void> {
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ "service.name": service }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer("checkout-tracer", "1.2.3");
  // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- the SDK's declarations name the api's enums through another entry point
  const root = tracer.startSpan("GET /checkout", { kind: SpanKind.SERVER, attributes: { "http.request.method": "GET", "user.password": "hunter2" } });
  const child = tracer.startSpan("SELECT orders", { attributes: { "db.system": "postgresql", retries: 3, ratio: 0.5, tags: ["a", "b"] } }, trace.setSpan(ROOT_CONTEXT, root));
  // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- as above
  child.setStatus({ code: SpanStatusCode.ERROR, message: "deadlock" });
  child.end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
}

describe("OTLP over HTTP, from the OpenTelemetry exporters", () => {
  const relay = listeningHarness();
  const base = (): string => `http://127.0.0.1:${relay.port}`;

  async function spans(service: string): Promise<{ headers: Record<string, unknown>; spans: SpanV2[] }[]> {
    await relay.harness.drain();
    return capturedItems(relay.harness.store)
      .filter((item) => item.type === "span")
      .map((item) => ({ headers: item.headers, spans: (item.payload as { items: SpanV2[] }).items }))
      .filter((container) => container.spans.some((span) => span.attributes["resource.service.name"]?.value === service));
  }

  function checkCheckoutSpans(all: SpanV2[]): void {
    const root = all.find((span) => span.name === "GET /checkout")!;
    const child = all.find((span) => span.name === "SELECT orders")!;
    expect(root).toMatchObject({ kind: "server", status: "ok" });
    expect(root.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(root.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(root.parent_span_id).toBeUndefined();
    expect(root.end_timestamp).toBeGreaterThanOrEqual(root.start_timestamp);
    // In seconds: between the start of the suite and now. OpenTelemetry's clock is the monotonic
    // one anchored at process start, so it may stray from Date a little: a minute either side.
    expect(root.start_timestamp).toBeGreaterThanOrEqual(SUITE_STARTED_S - 60);
    expect(root.start_timestamp).toBeLessThanOrEqual(Date.now() / 1000 + 60);
    expect(root.attributes["http.request.method"]).toEqual({ type: "string", value: "GET" });
    expect(root.attributes["instrumentation.name"]).toEqual({ type: "string", value: "checkout-tracer" });
    expect(child).toMatchObject({ kind: "internal", status: "error", trace_id: root.trace_id, parent_span_id: root.span_id });
    expect(child.attributes).toMatchObject({
      "db.system": { type: "string", value: "postgresql" },
      retries: { type: "integer", value: 3 },
      ratio: { type: "double", value: 0.5 },
      tags: { type: "string", value: '["a","b"]' },
      "sentry.status.message": { type: "string", value: "deadlock" },
    });
  }

  it("converts JSON traces into one span v2 container item (x-sentry-auth)", async () => {
    await exportSpans(new OTLPTraceJsonExporter({ url: `${base()}/api/1/integration/otlp/v1/traces`, headers: SENTRY_AUTH }), "json-service");
    const containers = await spans("json-service");
    expect(containers.length).toBeGreaterThan(0);
    for (const container of containers) {
      expect(container.headers).toMatchObject({ type: "span", content_type: "application/vnd.sentry.items.span.v2+json", item_count: container.spans.length });
    }
    checkCheckoutSpans(containers.flatMap((container) => container.spans));
  });

  it("converts protobuf traces, gzip'd, with the key in Authorization: Sentry", async () => {
    const exporter = new OTLPTraceProtoExporter({
      url: `${base()}/api/1/integration/otlp/v1/traces/`,
      headers: { authorization: `Sentry sentry_key=${KEY}` },
      compression: "gzip" as never,
    });
    await exportSpans(exporter, "proto-service");
    checkCheckoutSpans((await spans("proto-service")).flatMap((container) => container.spans));
  });

  it("takes the older /api/{id}/otlp/v1/traces path with the key in the query or Basic auth", async () => {
    await exportSpans(new OTLPTraceProtoExporter({ url: `${base()}/api/1/otlp/v1/traces?sentry_key=${KEY}` }), "query-service");
    checkCheckoutSpans((await spans("query-service")).flatMap((container) => container.spans));
    const basic = `Basic ${Buffer.from(`${KEY}:`).toString("base64")}`;
    await exportSpans(new OTLPTraceJsonExporter({ url: `${base()}/api/1/otlp/v1/traces`, headers: { authorization: basic } }), "basic-service");
    checkCheckoutSpans((await spans("basic-service")).flatMap((container) => container.spans));
  });

  it("converts logs from the OpenTelemetry logs exporter into one log container item", async () => {
    const exporter = new OTLPLogExporter({ url: `${base()}/api/1/integration/otlp/v1/logs`, headers: SENTRY_AUTH });
    const provider = new LoggerProvider({ resource: resourceFromAttributes({ "service.name": "log-service" }), processors: [new SimpleLogRecordProcessor({ exporter })] });
    const logger = provider.getLogger("orders-logger", "2.0.0");
    logger.emit({ severityNumber: SeverityNumber.WARN, severityText: "WARN", body: "stock low for sku-42", attributes: { sku: "sku-42", count: 2, "order.details": { id: 7 } } });
    logger.emit({ severityNumber: SeverityNumber.ERROR2, body: "payment failed" });
    await provider.forceFlush();
    await provider.shutdown();
    await relay.harness.drain();
    const containers = capturedItems(relay.harness.store).filter((item) => item.type === "log");
    const logs = containers
      .flatMap((item) => (item.payload as { items: Record<string, unknown>[] }).items)
      .filter((log) => (log.attributes as Record<string, { value: unknown }>)["resource.service.name"]?.value === "log-service");
    expect(containers[0]!.headers).toMatchObject({ type: "log", content_type: "application/vnd.sentry.items.log+json" });
    const stock = logs.find((log) => log.body === "stock low for sku-42")!;
    expect(stock).toMatchObject({ level: "warn" });
    expect(stock.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(stock.attributes).toMatchObject({
      sku: { type: "string", value: "sku-42" },
      count: { type: "integer", value: 2 },
      "order.details": { type: "string", value: '{"id":7}' },
      "sentry.origin": { type: "string", value: "auto.otlp.logs" },
      "instrumentation.name": { type: "string", value: "orders-logger" },
    });
    expect(logs.find((log) => log.body === "payment failed")).toMatchObject({ level: "error" });
  });
});

describe("OTLP requests the relay refuses", () => {
  const relay = listeningHarness();
  const url = (path = "/api/1/integration/otlp/v1/traces"): string => `http://127.0.0.1:${relay.port}${path}`;

  async function refusal(response: Response): Promise<{ status: number; reason: string }> {
    const body = (await response.json()) as { detail: string; causes: string[] };
    return { status: response.status, reason: `${body.detail}: ${body.causes.join("; ")}` };
  }

  function span(index: number, attributes: unknown[] = []): Record<string, unknown> {
    const hex = (index + 1).toString(16).padStart(16, "0");
    return { traceId: "5b8efff798038103d269b633813fc60c", spanId: hex, name: `span ${index}`, startTimeUnixNano: "1700000000000000000", endTimeUnixNano: "1700000001000000000", attributes };
  }

  function tracesJson(spans: unknown[]): string {
    return JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
  }

  it("answers 415 for a content type other than JSON and protobuf", async () => {
    const response = await fetch(url(), { method: "POST", headers: { ...SENTRY_AUTH, "content-type": "text/plain" }, body: "hello" });
    expect(await refusal(response)).toMatchObject({ status: 415, reason: expect.stringMatching(/text\/plain/) as unknown });
  });

  it("answers 400 for truncated protobuf and for JSON that is not JSON", async () => {
    const message = EXPORT_TRACE_REQUEST.fromObject(JSON.parse(tracesJson([span(0), span(1)])) as Record<string, unknown>);
    const bytes = EXPORT_TRACE_REQUEST.encode(message).finish();
    const truncated = await fetch(url(), { method: "POST", headers: { ...SENTRY_AUTH, "content-type": "application/x-protobuf" }, body: bytes.subarray(0, bytes.length - 7) });
    expect(await refusal(truncated)).toMatchObject({ status: 400, reason: expect.stringMatching(/ExportTraceServiceRequest/) as unknown });
    const notJson = await fetch(url(), { method: "POST", headers: { ...SENTRY_AUTH, "content-type": "application/json" }, body: "{\"resourceSpans\": [" });
    expect(await refusal(notJson)).toMatchObject({ status: 400, reason: expect.stringMatching(/not JSON/) as unknown });
  });

  it("answers 413 for 100,000 spans in one request (protobuf and gzip'd JSON)", async () => {
    const spans = Array.from({ length: 100_000 }, (_, index) => span(index));
    const message = EXPORT_TRACE_REQUEST.fromObject(JSON.parse(tracesJson(spans)) as Record<string, unknown>);
    const proto = await fetch(url(), { method: "POST", headers: { ...SENTRY_AUTH, "content-type": "application/x-protobuf" }, body: EXPORT_TRACE_REQUEST.encode(message).finish() });
    expect(await refusal(proto)).toMatchObject({ status: 413, reason: expect.stringMatching(/more than 10000 spans/) as unknown });
    const json = await fetch(url(), { method: "POST", headers: { ...SENTRY_AUTH, "content-type": "application/json", "content-encoding": "gzip" }, body: gzipSync(tracesJson(spans)) });
    expect((await refusal(json)).status).toBe(413);
  });

  it("answers 400 for attribute values nested deeper than Relay keeps, in JSON and protobuf", async () => {
    let value: Record<string, unknown> = { stringValue: "bottom" };
    for (let depth = 0; depth < 500; depth++) value = { kvlistValue: { values: [{ key: `k${depth}`, value }] } };
    const body = tracesJson([span(0, [{ key: "deep", value }])]);
    const json = await fetch(url(), { method: "POST", headers: { ...SENTRY_AUTH, "content-type": "application/json" }, body });
    expect(await refusal(json)).toMatchObject({ status: 400, reason: expect.stringMatching(/nested deeper than 16/) as unknown });
    // Protobuf nested far past what a recursive decoder's stack can hold: built by hand, inside out.
    const any = nestedKvlists(200_000);
    const proto = await fetch(url(), { method: "POST", headers: { ...SENTRY_AUTH, "content-type": "application/x-protobuf" }, body: wrapInSpan(any) });
    expect((await refusal(proto)).status).toBe(400);
  });

  it("answers 401 without a key and with two of them", async () => {
    const none = await fetch(url(), { method: "POST", headers: { "content-type": "application/json" }, body: tracesJson([span(0)]) });
    expect((await refusal(none)).status).toBe(401);
    const two = await fetch(`${url()}?sentry_key=${KEY}`, { method: "POST", headers: { ...SENTRY_AUTH, "content-type": "application/json" }, body: tracesJson([span(0)]) });
    expect(await refusal(two)).toMatchObject({ status: 401, reason: expect.stringMatching(/multiple/) as unknown });
  });

  it("counts spans with unusable ids as invalid and keeps the rest", async () => {
    const bad = { ...span(5), spanId: "zz" };
    const response = await fetch(url("/api/1/integration/otlp/v1/traces/"), { method: "POST", headers: { ...SENTRY_AUTH, "content-type": "application/json" }, body: tracesJson([span(4), bad]) });
    expect(response.status).toBe(202);
    expect(relay.harness.outcomes.get("invalid:span:invalid_span")).toBe(1);
  });
});

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/**
 * An `AnyValue` of `levels` nested key-value lists around a string, written head first: each
 * level's three length prefixes are computed from the inside out, so building it stays linear.
 */
function nestedKvlists(levels: number): Buffer {
  const core = Buffer.from([0x0a, 1, 0x78]);
  const heads: Buffer[] = [];
  let inner = core.length;
  for (let depth = 0; depth < levels; depth++) {
    const keyValue = 1 + varint(inner).length + inner;
    const list = 1 + varint(keyValue).length + keyValue;
    heads.push(Buffer.concat([Buffer.from([0x32]), varint(list), Buffer.from([0x0a]), varint(keyValue), Buffer.from([0x12]), varint(inner)]));
    inner = 1 + varint(list).length + list;
  }
  return Buffer.concat([...heads.reverse(), core]);
}

/** An ExportTraceServiceRequest with one span whose one attribute has `any` as its value. */
function wrapInSpan(any: Buffer): Buffer {
  const keyValue = Buffer.concat([Buffer.from([0x0a, 1, 0x6b, 0x12]), varint(any.length), any]);
  const span = Buffer.concat([Buffer.from([0x4a]), varint(keyValue.length), keyValue]);
  const scopeSpans = Buffer.concat([Buffer.from([0x12]), varint(span.length), span]);
  const resourceSpans = Buffer.concat([Buffer.from([0x12]), varint(scopeSpans.length), scopeSpans]);
  return Buffer.concat([Buffer.from([0x0a]), varint(resourceSpans.length), resourceSpans]);
}
