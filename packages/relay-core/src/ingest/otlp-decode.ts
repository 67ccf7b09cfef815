import type { Result } from "@org/protocol/result";
import type protobuf from "protobufjs/light.js";
import type { OtlpError } from "./otel-attributes.js";

/** How an OTLP/HTTP request body is encoded. */
export type OtlpFormat = "json" | "protobuf";

/** The OTLP format of a media type (`application/json`, `application/x-protobuf`), or `undefined`. */
export function otlpFormat(mediaType: string): OtlpFormat | undefined {
  if (mediaType === "application/json") return "json";
  if (mediaType === "application/x-protobuf" || mediaType === "application/protobuf") return "protobuf";
  return undefined;
}

/**
 * Decodes an OTLP export request (JSON or protobuf) into plain objects with the protobuf field
 * names in lowerCamelCase. Truncated or malformed bodies, and nesting too deep for the decoder,
 * are errors, never exceptions.
 */
export function decodeOtlp(body: Uint8Array, format: OtlpFormat, type: protobuf.Type): Result<unknown, OtlpError> {
  if (format === "json") {
    try {
      const json: unknown = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8"));
      if (typeof json !== "object" || json === null || Array.isArray(json)) return { ok: false, error: { message: "the body is not a JSON object" } };
      return { ok: true, value: json };
    } catch (error) {
      return { ok: false, error: { message: `the body is not JSON: ${(error as Error).message}` } };
    }
  }
  try {
    return { ok: true, value: type.decode(body) };
  } catch (error) {
    // RangeError: a body nested deeper than the stack; protobufjs errors: truncated or malformed input.
    const message = error instanceof RangeError && /call stack/i.test(error.message) ? "the message is nested too deeply" : (error as Error).message;
    return { ok: false, error: { message: `the body is not a valid ${type.name}: ${message}` } };
  }
}
