import { brotliDecompressSync } from "node:zlib";
import { Inflate } from "pako";
import type { Result } from "../result.js";
import { err, ok } from "../result.js";
import { BodyError } from "./body-error.js";
import { concatBytes } from "./concat-bytes.js";

/**
 * What to expect of compressed data: `gzip`, `zlib`, `raw` deflate, `deflate` (zlib, or raw
 * deflate when the first two bytes are no zlib header, as HTTP clients send either), or `br`.
 */
export type Framing = "gzip" | "zlib" | "raw" | "deflate" | "br";

/** Decompressed output is produced in pieces of this size, so the limit is passed by at most one. */
const OUTPUT_CHUNK = 64 * 1024;

/**
 * A decompressor that stops as soon as its output passes `limit`: whatever the compression
 * ratio, it holds no more than the limit plus one output chunk.
 */
export interface Decompressor {
  /** Decompressed bytes produced so far, including a piece dropped at the limit. */
  readonly produced: number;
  /** Feeds compressed bytes; decompressed pieces are appended to `out`. */
  write(chunk: Uint8Array, out: Uint8Array[]): BodyError | undefined;
  /** Signals the end of the compressed data; the last pieces are appended to `out`. */
  finish(out: Uint8Array[]): BodyError | undefined;
}

const EMPTY = new Uint8Array(0);

/** Thrown from pako's output callback to stop it in the middle of an input chunk. */
class LimitReached extends Error {}

function tooLarge(limit: number): BodyError {
  return new BodyError("too_large", `the decompressed body is larger than ${limit} bytes`);
}

/** Whether two bytes start a zlib stream (RFC 1950: deflate, window ≤ 32 KiB, check bits). */
function isZlibHeader(first: number, second: number): boolean {
  return (first & 0x0f) === 8 && first >> 4 <= 7 && ((first << 8) | second) % 31 === 0;
}

class InflateDecompressor implements Decompressor {
  readonly #framing: "gzip" | "zlib" | "raw" | "deflate";
  readonly #limit: number;
  #inflate: Inflate | undefined;
  /** The first bytes of a `deflate` body, held until its framing can be told. */
  #head: Uint8Array = EMPTY;
  #sink: Uint8Array[] = [];
  #produced = 0;
  #error: BodyError | undefined;

  constructor(framing: "gzip" | "zlib" | "raw" | "deflate", limit: number) {
    this.#framing = framing;
    this.#limit = limit;
    if (framing !== "deflate") this.#inflate = this.#create(framing);
  }

  get produced(): number {
    return this.#produced;
  }

  #create(framing: "gzip" | "zlib" | "raw"): Inflate {
    const inflate = new Inflate(
      framing === "raw" ? { raw: true, chunkSize: OUTPUT_CHUNK } : { windowBits: framing === "gzip" ? 31 : 15, chunkSize: OUTPUT_CHUNK },
    );
    inflate.onData = (piece: Uint8Array) => {
      this.#produced += piece.length;
      if (this.#produced > this.#limit) throw new LimitReached();
      // A short last piece is a view into a 64 KiB buffer: copy it rather than keep the buffer.
      this.#sink.push(piece.length < piece.buffer.byteLength / 2 ? piece.slice() : piece);
    };
    return inflate;
  }

  /** Feeds the current inflater (made by `write` or `finish` before the call). */
  #run(input: Uint8Array, last: boolean, out: Uint8Array[]): BodyError | undefined {
    const inflate = this.#inflate!;
    this.#sink = out;
    try {
      inflate.push(input, last);
    } catch (error) {
      if (!(error instanceof LimitReached)) throw error;
      return (this.#error = tooLarge(this.#limit));
    }
    if (inflate.err !== 0) {
      const reason = inflate.err === -5 ? "the compressed data ends early" : inflate.msg;
      return (this.#error = new BodyError("decompression_failed", `cannot decompress the ${this.#framing} body: ${reason}`));
    }
    return undefined;
  }

  write(chunk: Uint8Array, out: Uint8Array[]): BodyError | undefined {
    if (this.#error) return this.#error;
    if (chunk.length === 0) return undefined;
    let input = chunk;
    if (!this.#inflate) {
      if (this.#head.length > 0) {
        input = new Uint8Array(this.#head.length + chunk.length);
        input.set(this.#head, 0);
        input.set(chunk, this.#head.length);
      }
      if (input.length < 2) {
        this.#head = input;
        return undefined;
      }
      this.#inflate = this.#create(isZlibHeader(input[0]!, input[1]!) ? "zlib" : "raw");
      this.#head = EMPTY;
    }
    return this.#run(input, false, out);
  }

  finish(out: Uint8Array[]): BodyError | undefined {
    if (this.#error) return this.#error;
    const inflate = (this.#inflate ??= this.#create("raw"));
    if (!inflate.ended) {
      const failed = this.#run(this.#head, true, out);
      if (failed) return failed;
    }
    if (!inflate.ended) {
      return (this.#error = new BodyError("decompression_failed", `cannot decompress the ${this.#framing} body: the compressed data ends early`));
    }
    return undefined;
  }
}

/**
 * Brotli through Node's zlib, which has no synchronous streaming interface: the compressed input
 * is kept until the end and then decompressed with `maxOutputLength`, so the output is bounded
 * just the same. Brotli never grows data by more than a few bytes per 16 MiB block, so input
 * beyond the limit plus a margin cannot decompress to within the limit and is refused early.
 */
class BrotliDecompressor implements Decompressor {
  readonly #limit: number;
  readonly #inputLimit: number;
  readonly #chunks: Uint8Array[] = [];
  #received = 0;
  #produced = 0;
  #error: BodyError | undefined;

  constructor(limit: number) {
    this.#limit = limit;
    this.#inputLimit = limit + Math.ceil(limit / 1000) + 1024;
  }

  get produced(): number {
    return this.#produced;
  }

  write(chunk: Uint8Array): BodyError | undefined {
    if (this.#error) return this.#error;
    this.#received += chunk.length;
    if (this.#received > this.#inputLimit) return (this.#error = tooLarge(this.#limit));
    this.#chunks.push(chunk);
    return undefined;
  }

  finish(out: Uint8Array[]): BodyError | undefined {
    if (this.#error) return this.#error;
    const input = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    this.#chunks.length = 0;
    let output: Buffer;
    try {
      output = brotliDecompressSync(input, { maxOutputLength: Math.max(1, this.#limit), chunkSize: OUTPUT_CHUNK });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
        this.#produced = this.#limit + 1;
        return (this.#error = tooLarge(this.#limit));
      }
      const reason = (error as NodeJS.ErrnoException).code === "Z_BUF_ERROR" ? "the compressed data ends early" : (error as Error).message;
      return (this.#error = new BodyError("decompression_failed", `cannot decompress the br body: ${reason}`));
    }
    this.#produced = output.length;
    if (output.length > this.#limit) return (this.#error = tooLarge(this.#limit));
    out.push(new Uint8Array(output.buffer, output.byteOffset, output.byteLength));
    return undefined;
  }
}

/** Creates a bounded decompressor for a framing. */
export function createDecompressor(framing: Framing, limit: number): Decompressor {
  return framing === "br" ? new BrotliDecompressor(limit) : new InflateDecompressor(framing, limit);
}

/** Decompresses a whole buffer, refusing output beyond `maxSize` without producing it. */
export function inflateBounded(input: Uint8Array, framing: Framing, maxSize: number): Result<Uint8Array, BodyError> {
  const decompressor = createDecompressor(framing, maxSize);
  const out: Uint8Array[] = [];
  const failed = decompressor.write(input, out) ?? decompressor.finish(out);
  if (failed) return err(failed);
  return ok(concatBytes(out, decompressor.produced));
}
