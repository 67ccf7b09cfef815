import type { Result } from "../result.js";
import type { EnvelopeError } from "./envelope-error.js";
import { EnvelopeParser, type ParseEnvelopeOptions } from "./envelope-parser.js";
import type { ParsedEnvelope } from "./envelope.js";

/**
 * Parses a whole envelope (see {@link EnvelopeParser} for the grammar and the rules). Payloads are
 * views into `bytes`, not copies.
 */
export function parseEnvelope(bytes: Uint8Array, options: ParseEnvelopeOptions = {}): Result<ParsedEnvelope, EnvelopeError> {
  const parser = new EnvelopeParser(options);
  const pushed = parser.push(bytes);
  return pushed.ok ? parser.end() : pushed;
}

/**
 * Parses an envelope from a stream of chunks (a Node request, a web `ReadableStream`), with the
 * same result as {@link parseEnvelope} on the concatenated bytes. Reading stops at the first error,
 * so an envelope over `maxSize` is never read to its end.
 */
export async function parseEnvelopeStream(
  source: AsyncIterable<Uint8Array>,
  options: ParseEnvelopeOptions = {},
): Promise<Result<ParsedEnvelope, EnvelopeError>> {
  const parser = new EnvelopeParser(options);
  for await (const chunk of source) {
    const pushed = parser.push(chunk);
    if (!pushed.ok) return pushed;
  }
  return parser.end();
}
