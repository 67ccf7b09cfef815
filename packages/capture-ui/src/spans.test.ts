import { describe, expect, it } from "vitest";
import { placeSpans, spansOfItem, spansOfTransaction } from "./spans";

describe("spans for the waterfall", () => {
  it("reads a transaction's root from its trace context and nests its spans by parent", () => {
    const spans = spansOfTransaction({
      type: "transaction",
      transaction: "GET /orders",
      start_timestamp: 100,
      timestamp: 101,
      contexts: { trace: { span_id: "a", op: "http.server" } },
      spans: [
        { span_id: "c", parent_span_id: "b", op: "db", description: "SELECT 1", start_timestamp: 100.3, timestamp: 100.4 },
        { span_id: "b", parent_span_id: "a", op: "function", description: "load", start_timestamp: 100.2, timestamp: 100.6 },
        { span_id: "d", parent_span_id: "a", op: "http.client", description: "GET /prices", start_timestamp: 100.1, timestamp: 100.2 },
      ],
    });
    expect(placeSpans(spans).map((span) => [span.name, span.depth])).toEqual([
      ["GET /orders", 0],
      ["GET /prices", 1],
      ["load", 1],
      ["SELECT 1", 2],
    ]);
  });

  it("reads streamed spans (with their op attribute), and keeps orphans and cycles at the top", () => {
    const spans = spansOfItem({
      items: [
        { span_id: "x", name: "/checkout", start_timestamp: 1, end_timestamp: 2, attributes: { "sentry.op": { type: "string", value: "pageload" } } },
        { span_id: "y", parent_span_id: "gone", name: "orphan", start_timestamp: 1.5, end_timestamp: 1.6 },
        { span_id: "z", parent_span_id: "z", name: "own parent", start_timestamp: 1.7, end_timestamp: 1.8 },
        { name: "no id" },
      ],
    });
    expect(spans[0]!.op).toBe("pageload");
    expect(placeSpans(spans).map((span) => [span.name, span.depth])).toEqual([
      ["/checkout", 0],
      ["orphan", 0],
      ["own parent", 0],
    ]);
    expect(spansOfItem("not an object")).toEqual([]);
  });
});
