import type { Result } from "../result.js";
import { err, ok } from "../result.js";
import { BodyError } from "./body-error.js";

/** A compression a request body may carry. */
export type ContentCoding = "gzip" | "deflate" | "br";

/** Values that mean "not encoded": buggy Ruby and Android SDKs send a charset here. */
const IGNORED: ReadonlySet<string> = new Set(["", "identity", "utf-8", "utf8"]);

const CODINGS: ReadonlyMap<string, ContentCoding> = new Map([
  ["gzip", "gzip"],
  ["x-gzip", "gzip"],
  ["deflate", "deflate"],
  ["br", "br"],
]);

/**
 * Reads a `Content-Encoding` header into the codings to undo, in the order they were applied
 * (`gzip, br` was gzipped, then brotli-compressed). Case and spaces do not matter; an empty value,
 * `identity` and `UTF-8` mean nothing to undo.
 */
export function parseContentEncoding(header: string | undefined): Result<ContentCoding[], BodyError> {
  const codings: ContentCoding[] = [];
  for (const part of (header ?? "").split(",")) {
    const name = part.trim().toLowerCase();
    if (IGNORED.has(name)) continue;
    const coding = CODINGS.get(name);
    if (coding === undefined) {
      return err(new BodyError("unsupported_encoding", `unsupported Content-Encoding: ${JSON.stringify(part.trim())}`));
    }
    codings.push(coding);
  }
  return ok(codings);
}
