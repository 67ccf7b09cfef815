import { isIP } from "node:net";
import { promisify } from "node:util";
import { brotliCompress, brotliCompressSync, constants, deflate, deflateSync, gzip, gzipSync, type BrotliOptions, type ZlibOptions } from "node:zlib";

/** `Content-Encoding`s the relay can send, as Sentry's Relay names them in `http.encoding`. */
export type ContentEncoding = "gzip" | "deflate" | "br";

/**
 * How forwarded envelopes are encoded: `gzip` (Sentry's Relay's default), `deflate`, `br`,
 * `identity` (sent as they are), or `auto`: `identity` to an upstream on the same machine (a
 * loopback address or `localhost`, where compressing only costs CPU), `gzip` to any other.
 */
export type UpstreamEncoding = "auto" | "identity" | ContentEncoding;

/** Options of {@link envelopeEncoder}. */
export interface EnvelopeEncodingOptions {
  readonly encoding?: UpstreamEncoding | undefined;
  /** Compression level, 1 (fastest) to 9 (smallest); 6 by default, as zlib's (brotli: its quality). */
  readonly level?: number | undefined;
}

/** An encoded body and its `Content-Encoding` (absent for `identity`). */
export interface EncodedBody {
  readonly body: Uint8Array;
  readonly contentEncoding?: ContentEncoding | undefined;
}

/**
 * Envelopes up to this size are compressed on the calling thread: the thread pool's hand-off costs
 * more CPU than compressing them (about 10× for a 1.5 KB event envelope). Larger ones go to the pool.
 */
const INLINE_LIMIT = 64 * 1024;

/** Whether an upstream URL names this machine. */
export function isLoopbackUpstream(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}

/** The encoding actually used for an upstream. */
export function resolveEncoding(encoding: UpstreamEncoding | undefined, upstreamUrl: string): ContentEncoding | "identity" {
  if (encoding !== undefined && encoding !== "auto") return encoding;
  return isLoopbackUpstream(upstreamUrl) ? "identity" : "gzip";
}

/** The smallest deflate window that holds all of `size` bytes: the same output, less memory to set up. */
function windowBitsFor(size: number): number {
  let bits = 9;
  while (bits < 15 && 1 << bits < size + 262) bits++;
  return bits;
}

interface Compressor {
  readonly sync: (payload: Uint8Array) => Buffer;
  readonly pooled: (payload: Uint8Array) => Promise<Buffer>;
}

/** The compressor of one encoding at one level, sized to each payload. */
function compressor(encoding: ContentEncoding, level: number): Compressor {
  if (encoding === "br") {
    const options = (payload: Uint8Array): BrotliOptions => ({
      params: { [constants.BROTLI_PARAM_QUALITY]: level, [constants.BROTLI_PARAM_SIZE_HINT]: payload.byteLength },
    });
    const pooled = promisify((payload: Uint8Array, opts: BrotliOptions, callback: (error: Error | null, result: Buffer) => void) => {
      brotliCompress(payload, opts, callback);
    });
    return { sync: (payload) => brotliCompressSync(payload, options(payload)), pooled: (payload) => pooled(payload, options(payload)) };
  }
  const options = (payload: Uint8Array): ZlibOptions => ({ level, windowBits: windowBitsFor(payload.byteLength) });
  const [sync, pooled] = encoding === "gzip" ? [gzipSync, promisify(gzip)] : [deflateSync, promisify(deflate)];
  return { sync: (payload) => sync(payload, options(payload)), pooled: (payload) => pooled(payload, options(payload)) };
}

/** Encodes envelope bodies for the upstream at `upstreamUrl`. */
export function envelopeEncoder(upstreamUrl: string, options: EnvelopeEncodingOptions = {}): (payload: Uint8Array) => Promise<EncodedBody> {
  const encoding = resolveEncoding(options.encoding, upstreamUrl);
  if (encoding === "identity") return (payload) => Promise.resolve({ body: payload });
  const compress = compressor(encoding, options.level ?? 6);
  return async (payload) => ({
    body: payload.byteLength <= INLINE_LIMIT ? compress.sync(payload) : await compress.pooled(payload),
    contentEncoding: encoding,
  });
}
