import type { Result } from "../result.js";
import { err, ok } from "../result.js";
import { BodyError } from "./body-error.js";
import { parseContentEncoding } from "./content-encoding.js";
import { createDecompressor, type Decompressor } from "./decompressor.js";

/** Options of {@link BodyDecoder} and `decodeBody`. */
export interface DecodeBodyOptions {
  /** The request's `Content-Encoding` header, if any. */
  readonly contentEncoding?: string | undefined;
  /** Largest decoded size accepted, in bytes; more gives `too_large`. */
  readonly maxSize: number;
  /** Largest size accepted before decoding (the bytes on the wire); no limit by default. */
  readonly maxEncodedSize?: number | undefined;
}

/**
 * Decompresses a request body as its chunks arrive: `push` each chunk and get the decoded bytes
 * it yielded, then `end` for the rest. Decoding stops as soon as the output passes `maxSize`
 * (`too_large`), so a small gzip bomb never turns into a large buffer. Codings are undone in
 * reverse order of the header (`gzip, br` is brotli-decoded, then gunzipped); every stage is
 * bounded, the inner ones by `maxSize` plus the few bytes compression can add.
 *
 * gzip and deflate decode as the input comes; br decodes at `end` (its input is kept meanwhile,
 * and refused once it is larger than any brotli body that decodes within the limit).
 */
export class BodyDecoder {
  readonly #stages: readonly Decompressor[];
  readonly #maxSize: number;
  readonly #maxEncodedSize: number;
  #bytesIn = 0;
  #bytesOut = 0;
  #error: BodyError | undefined;
  #ended = false;

  private constructor(stages: readonly Decompressor[], options: DecodeBodyOptions) {
    this.#stages = stages;
    this.#maxSize = options.maxSize;
    this.#maxEncodedSize = options.maxEncodedSize ?? Number.POSITIVE_INFINITY;
  }

  /** Creates a decoder, or says why the `Content-Encoding` cannot be decoded. */
  static create(options: DecodeBodyOptions): Result<BodyDecoder, BodyError> {
    const codings = parseContentEncoding(options.contentEncoding);
    if (!codings.ok) return codings;
    const slack = Math.ceil(options.maxSize / 1000) + 1024;
    const stages = codings.value.reverse().map((coding, index, all) => createDecompressor(coding, index === all.length - 1 ? options.maxSize : options.maxSize + slack));
    return ok(new BodyDecoder(stages, options));
  }

  /** Bytes received so far, as sent. */
  get bytesIn(): number {
    return this.#bytesIn;
  }

  /** Decoded bytes handed out so far. */
  get bytesOut(): number {
    return this.#bytesOut;
  }

  /**
   * Bytes the decompressors produced so far, the piece that passed a limit included: what
   * decoding cost in memory, at most about the limit plus 64 KiB per coding.
   */
  get bytesInflated(): number {
    let total = 0;
    for (const stage of this.#stages) total += stage.produced;
    return total;
  }

  /** Feeds the next chunk of the body as sent; returns the decoded bytes it yielded. */
  push(chunk: Uint8Array): Result<Uint8Array[], BodyError> {
    if (this.#error) return err(this.#error);
    if (this.#ended) throw new Error("BodyDecoder.push called after end()");
    this.#bytesIn += chunk.length;
    if (this.#bytesIn > this.#maxEncodedSize) {
      return this.#fail(new BodyError("too_large", `the body is larger than ${this.#maxEncodedSize} bytes as sent`));
    }
    let pieces = [chunk];
    for (const stage of this.#stages) {
      const next: Uint8Array[] = [];
      for (const piece of pieces) {
        const failed = stage.write(piece, next);
        if (failed) return this.#fail(failed);
      }
      pieces = next;
    }
    return this.#deliver(pieces);
  }

  /** Signals the end of the body; returns the last decoded bytes. */
  end(): Result<Uint8Array[], BodyError> {
    if (this.#error) return err(this.#error);
    if (this.#ended) return ok([]);
    this.#ended = true;
    let pieces: Uint8Array[] = [];
    for (const stage of this.#stages) {
      const next: Uint8Array[] = [];
      for (const piece of pieces) {
        const failed = stage.write(piece, next);
        if (failed) return this.#fail(failed);
      }
      const failed = stage.finish(next);
      if (failed) return this.#fail(failed);
      pieces = next;
    }
    return this.#deliver(pieces);
  }

  #deliver(pieces: Uint8Array[]): Result<Uint8Array[], BodyError> {
    for (const piece of pieces) this.#bytesOut += piece.length;
    if (this.#bytesOut > this.#maxSize) return this.#fail(new BodyError("too_large", `the body is larger than ${this.#maxSize} bytes`));
    return ok(pieces.filter((piece) => piece.length > 0));
  }

  #fail(error: BodyError): Result<never, BodyError> {
    this.#error = error;
    return err(error);
  }
}
