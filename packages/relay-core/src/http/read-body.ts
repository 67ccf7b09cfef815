import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import { RelayError } from "../relay-error.js";
import type { BodyLease } from "./body-budget.js";

/** The refusal when the relay holds as many request bytes as it may. */
export function overloaded(): RelayError {
  return new RelayError("overloaded", "the relay is receiving more data than it can hold right now", {
    causes: ["too many large requests at once; retry later"],
    headers: { "retry-after": "5" },
  });
}

/** How large a request body may be, what to call it in refusals (`the envelope`), how long it may take. */
export interface BodyRule {
  readonly limit: number;
  readonly what: string;
  /** Longest wait for the whole body (default one minute). */
  readonly timeoutMs?: number | undefined;
}

/** The parts of a request that {@link readBody} reads: its body stream (if any) and its headers. */
export interface BodySource {
  readonly body?: unknown;
  readonly headers: IncomingHttpHeaders;
}

/**
 * Reads a request body into memory, refusing it as soon as it is known to exceed `limit` bytes:
 * from `Content-Length` before reading, and while streaming for chunked bodies, so an oversized
 * upload never fills memory. The rest of a refused body is read and thrown away after the answer
 * (up to a bound, see `discardRefusedBody`), so that a client still writing gets its 413. A body
 * that has not fully arrived after `timeoutMs` is refused with 408 (slow clients), and one that
 * does not fit in the relay-wide `lease` budget with 503.
 */
export function readBody(request: BodySource, rule: BodyRule, lease?: BodyLease): Promise<Buffer> {
  const { limit, what, timeoutMs = 60_000 } = rule;
  const stream = request.body as Readable | undefined;
  const contentLength = request.headers["content-length"];
  const tooLarge = (cause?: string): RelayError =>
    new RelayError("too_large", `${what} exceeds the size limit of ${limit} bytes`, {
      causes: cause ? [cause] : [],
    });
  if (contentLength !== undefined) {
    const declared = Number(contentLength);
    if (Number.isFinite(declared) && declared > limit) {
      return Promise.reject(tooLarge(`Content-Length is ${declared} bytes`));
    }
  }
  // Requests without a body reach the handler without a stream.
  if (!stream) return Promise.resolve(Buffer.alloc(0));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // A body that trickles in slower than this holds a connection and memory: refuse it.
    const timer = setTimeout(() => {
      cleanup();
      stream.pause();
      reject(
        new RelayError("request_timeout", `${what} did not arrive within ${Math.round(timeoutMs / 100) / 10} s`, {
          causes: [`${size} bytes received`],
          headers: { connection: "close" },
        }),
      );
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("error", onError);
      stream.off("aborted", onAborted);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        stream.pause();
        reject(tooLarge());
        return;
      }
      if (lease && !lease.take(chunk.length)) {
        cleanup();
        stream.pause();
        reject(overloaded());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(new RelayError("bad_request", "the request body could not be read", { cause: error, causes: [error.message] }));
    };
    const onAborted = (): void => {
      onError(new Error("the client aborted the request"));
    };
    stream.on("data", onData);
    stream.on("end", onEnd);
    stream.on("error", onError);
    stream.on("aborted", onAborted);
  });
}
