import type { Result } from "../result.js";
import { err, ok } from "../result.js";
import { BodyError } from "./body-error.js";
import { brotliBounded, inflateBounded } from "./inflate.js";

/** Options of {@link decodeBody}. */
export interface DecodeBodyOptions {
  /** The request's `Content-Encoding`, if any. */
  readonly contentEncoding?: string | undefined;
  /** Largest decoded size accepted. */
  readonly maxSize: number;
}

/**
 * Undoes a request's `Content-Encoding`: `gzip`, `x-gzip`, `deflate` (zlib, or raw deflate as some
 * clients send), `br`, or a list of them applied in order. An empty value, `identity` and `UTF-8`
 * (sent by some Ruby and Android SDKs) mean no encoding. Decompression stops at `maxSize`.
 */
export function decodeBody(body: Uint8Array, options: DecodeBodyOptions): Result<Uint8Array, BodyError> {
  const encodings = (options.contentEncoding ?? "")
    .split(",")
    .map((value) => value.trim().toLowerCase())
    .filter((value) => value !== "" && value !== "identity" && value !== "utf-8" && value !== "utf8");
  let data = body;
  // Encodings are listed in the order they were applied: undo them from the last.
  for (const encoding of encodings.reverse()) {
    let result: Result<Uint8Array, BodyError>;
    switch (encoding) {
      case "gzip":
      case "x-gzip":
        result = inflateBounded(data, "gzip", options.maxSize);
        break;
      case "deflate": {
        result = inflateBounded(data, "zlib", options.maxSize);
        if (!result.ok && result.error.code === "decompression_failed") {
          const raw = inflateBounded(data, "raw", options.maxSize);
          if (raw.ok || raw.error.code === "too_large") result = raw;
        }
        break;
      }
      case "br":
        result = brotliBounded(data, options.maxSize);
        break;
      default:
        return err(new BodyError("unsupported_encoding", `unsupported Content-Encoding: ${encoding}`));
    }
    if (!result.ok) return result;
    data = result.value;
  }
  if (data.length > options.maxSize) {
    return err(new BodyError("too_large", `the body exceeds ${options.maxSize} bytes`));
  }
  return ok(data);
}

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function firstNonSpace(bytes: Uint8Array): number | undefined {
  for (const byte of bytes) {
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return byte;
  }
  return undefined;
}

/**
 * Finds the JSON inside a store request body (after {@link decodeBody}): JSON as is, base64 of
 * JSON, or base64 of zlib-compressed JSON, as old SDKs send. Returns the JSON bytes.
 */
export function unwrapStoreBody(body: Uint8Array, maxSize: number): Result<Uint8Array, BodyError> {
  const first = firstNonSpace(body);
  if (first === undefined) return err(new BodyError("empty", "empty body"));
  // JSON that is not an object is still JSON: let the JSON reader say what is wrong with it.
  if (first === OPEN_BRACE || first === OPEN_BRACKET) return ok(body);
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("latin1").trim();
  if (!BASE64.test(text)) {
    return err(new BodyError("invalid_base64", "the body is neither JSON nor base64"));
  }
  const decoded = new Uint8Array(Buffer.from(text, text.includes("-") || text.includes("_") ? "base64url" : "base64"));
  if (decoded.length === 0) return err(new BodyError("invalid_base64", "the body is neither JSON nor base64"));
  if (firstNonSpace(decoded) === OPEN_BRACE) return ok(decoded);
  return inflateBounded(decoded, "zlib", maxSize);
}
