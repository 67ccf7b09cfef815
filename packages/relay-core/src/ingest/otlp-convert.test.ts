import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkInFromJson, checkInFromQuery } from "./check-in.js";
import { nelLogs } from "./nel-reports.js";
import { decodeOtlp } from "./otlp-decode.js";
import { convertOtlpLogs, logLevel } from "./otlp-logs.js";
import { EXPORT_LOGS_REQUEST, EXPORT_TRACE_REQUEST } from "./otlp-schema.js";
import { convertOtlpTraces } from "./otlp-spans.js";

describe("OTLP conversion", () => {
  it("converts a span the way Relay's otel_to_sentry_v2 does", () => {
    const request = {
      resourceSpans: [{
        scopeSpans: [{
          spans: [{
            traceId: "89143B0763095BD9C9955E8175D1FB23",
            spanId: "e342abb1214ca181",
            parentSpanId: "0c7a7dea069bf5a6",
            name: "",
            kind: 3,
            startTimeUnixNano: "1697620454980000000",
            endTimeUnixNano: "1697620454980078800",
            attributes: [{ key: "db.statement", value: { stringValue: "SELECT 1" } }, { key: "flags", value: { arrayValue: { values: [{ boolValue: true }, { intValue: "7" }] } } }],
            status: { code: 0, message: "test" },
          }],
        }],
      }],
    };
    const converted = convertOtlpTraces(request, 10);
    expect(converted).toEqual({
      ok: true,
      value: {
        invalid: 0,
        spans: [{
          trace_id: "89143b0763095bd9c9955e8175d1fb23",
          parent_span_id: "0c7a7dea069bf5a6",
          span_id: "e342abb1214ca181",
          name: "db",
          status: "ok",
          kind: "client",
          start_timestamp: 1697620454.98,
          end_timestamp: 1697620454.980079,
          links: [],
          attributes: {
            "db.statement": { type: "string", value: "SELECT 1" },
            flags: { type: "string", value: "[true,7]" },
            "sentry.status.message": { type: "string", value: "test" },
          },
        }],
      },
    });
  });

  it("maps severities to levels as Relay does", () => {
    expect([1, 5, 9, 13, 17, 21, 24].map((n) => logLevel(n, ""))).toEqual(["trace", "debug", "info", "warn", "error", "fatal", "fatal"]);
    expect(logLevel(0, "Warning")).toBe("warn");
    expect(logLevel(0, "whatever")).toBe("info");
  });

  it("never throws on arbitrary input, JSON or protobuf", () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        convertOtlpTraces(value, 100);
        convertOtlpLogs(value, 100, Date.now());
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        for (const type of [EXPORT_TRACE_REQUEST, EXPORT_LOGS_REQUEST]) {
          for (const format of ["json", "protobuf"] as const) {
            const decoded = decodeOtlp(bytes, format, type);
            if (decoded.ok) {
              convertOtlpTraces(decoded.value, 100);
              convertOtlpLogs(decoded.value, 100, Date.now());
            }
          }
        }
        nelLogs(bytes, Date.now(), 100);
        checkInFromJson("slug", bytes);
      }),
    );
    fc.assert(fc.property(fc.string(), (query) => void checkInFromQuery("slug", new URLSearchParams(query))));
  });
});
