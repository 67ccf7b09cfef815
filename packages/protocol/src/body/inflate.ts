import { brotliDecompressSync } from "node:zlib";
import { Inflate } from "pako";
import type { Result } from "../result.js";
import { err, ok } from "../result.js";
import { BodyError } from "./body-error.js";

/** Compressed input is fed in slices of this size. */
const SLICE = 64 * 1024;

/** Thrown from the output callback to stop pako in the middle of a slice. */
class OutputLimitReached extends Error {}

/** Which zlib framing to expect. */
export type Framing = "gzip" | "zlib" | "raw";

/**
 * Inflates `input`, stopping as soon as the output would exceed `maxSize` bytes: memory use stays
 * near `maxSize` whatever the compression ratio.
 */
export function inflateBounded(input: Uint8Array, framing: Framing, maxSize: number): Result<Uint8Array, BodyError> {
  const inflate = new Inflate({ raw: framing === "raw", windowBits: framing === "gzip" ? 15 + 16 : 15, chunkSize: 64 * 1024 });
  const chunks: Uint8Array[] = [];
  let size = 0;
  let tooLarge = false as boolean;
  inflate.onData = (chunk: Uint8Array) => {
    size += chunk.length;
    if (size > maxSize) {
      tooLarge = true;
      chunks.length = 0;
      // One compressed slice can expand a thousandfold: stop pako now, not at the slice's end.
      throw new OutputLimitReached();
    }
    chunks.push(chunk);
  };
  try {
    for (let offset = 0; offset < input.length; offset += SLICE) {
      const last = offset + SLICE >= input.length;
      inflate.push(input.subarray(offset, offset + SLICE), last);
      if (inflate.err) break;
    }
  } catch (error) {
    if (!(error instanceof OutputLimitReached)) throw error;
  }
  if (tooLarge) return err(new BodyError("too_large", `the decompressed body exceeds ${maxSize} bytes`));
  if (inflate.err || !inflate.ended) {
    const reason = inflate.msg || "the compressed data ends early";
    return err(new BodyError("decompression_failed", `cannot decompress the ${framing} body: ${reason}`));
  }
  if (chunks.length === 1) return ok(chunks[0]!);
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return ok(out);
}

/** Decompresses a brotli body, bounded like {@link inflateBounded}. */
export function brotliBounded(input: Uint8Array, maxSize: number): Result<Uint8Array, BodyError> {
  try {
    return ok(new Uint8Array(brotliDecompressSync(input, { maxOutputLength: Math.max(1, maxSize) })));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      return err(new BodyError("too_large", `the decompressed body exceeds ${maxSize} bytes`));
    }
    return err(new BodyError("decompression_failed", `cannot decompress the br body: ${(error as Error).message}`));
  }
}
