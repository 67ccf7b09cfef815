import type { Result } from "../result.js";
import { err, ok } from "../result.js";
import { BodyError } from "./body-error.js";
import { inflateBounded } from "./decompressor.js";

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const WHITESPACE = /[\t\n\r ]+/g;

function firstNonSpace(bytes: Uint8Array): number | undefined {
  for (const byte of bytes) {
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return byte;
  }
  return undefined;
}

/**
 * Finds the JSON of a store request body (after its `Content-Encoding` is undone): a body that
 * starts with `{` is JSON; otherwise it is base64 (standard or URL-safe, whitespace ignored), and
 * the decoded bytes are JSON when they start with `{`, else zlib-compressed JSON (gzip and raw
 * deflate are tolerated too), inflated up to `maxSize`. Returns the JSON bytes, unparsed.
 */
export function unwrapStoreBody(body: Uint8Array, maxSize: number): Result<Uint8Array, BodyError> {
  const first = firstNonSpace(body);
  if (first === undefined) return err(new BodyError("empty", "the body is empty"));
  // A JSON array is JSON too: the JSON reader then says that it is not an object.
  if (first === OPEN_BRACE || first === OPEN_BRACKET) return ok(body);
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("latin1").replace(WHITESPACE, "");
  if (!BASE64.test(text) || text.replace(/=+$/, "").length % 4 === 1) {
    return err(new BodyError("invalid_base64", "the body is neither JSON nor base64"));
  }
  const decoded = new Uint8Array(Buffer.from(text, "base64"));
  if (decoded.length === 0) return err(new BodyError("invalid_base64", "the body is neither JSON nor base64"));
  if (firstNonSpace(decoded) === OPEN_BRACE) return ok(decoded);
  const gzip = decoded[0] === 0x1f && decoded[1] === 0x8b;
  return inflateBounded(decoded, gzip ? "gzip" : "deflate", maxSize);
}
