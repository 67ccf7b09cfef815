import type { Result } from "../result.js";
import { ok } from "../result.js";
import { BodyDecoder, type DecodeBodyOptions } from "./body-decoder.js";
import type { BodyError } from "./body-error.js";
import { concatBytes } from "./concat-bytes.js";

/** Decodes a whole body: the request's bytes as sent, with its `Content-Encoding`. */
export function decodeBody(body: Uint8Array, options: DecodeBodyOptions): Result<Uint8Array, BodyError> {
  const decoder = BodyDecoder.create(options);
  if (!decoder.ok) return decoder;
  const first = decoder.value.push(body);
  if (!first.ok) return first;
  const rest = decoder.value.end();
  if (!rest.ok) return rest;
  if (first.value.length === 0 && rest.value.length === 0) return ok(body.subarray(0, 0));
  return ok(concatBytes([...first.value, ...rest.value], decoder.value.bytesOut));
}

/**
 * Decodes a body from a stream of chunks (a Node request), with the same result as
 * {@link decodeBody} on the concatenated bytes. Reading stops at the first error, so a body over
 * a limit is not read to its end.
 */
export async function decodeBodyStream(source: AsyncIterable<Uint8Array>, options: DecodeBodyOptions): Promise<Result<Uint8Array, BodyError>> {
  const decoder = BodyDecoder.create(options);
  if (!decoder.ok) return decoder;
  const pieces: Uint8Array[] = [];
  for await (const chunk of source) {
    const pushed = decoder.value.push(chunk);
    if (!pushed.ok) return pushed;
    pieces.push(...pushed.value);
  }
  const rest = decoder.value.end();
  if (!rest.ok) return rest;
  pieces.push(...rest.value);
  return ok(concatBytes(pieces, decoder.value.bytesOut));
}
