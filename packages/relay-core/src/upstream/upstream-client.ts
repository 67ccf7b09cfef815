import type { Readable } from "node:stream";
import { signRequest } from "@org/identity";
import { EnvHttpProxyAgent, request, type Dispatcher } from "undici";

/** The relay's identity towards the upstream (managed mode). */
export interface RelayCredentials {
  readonly relayId: string;
  /** base64url public key, as registered. */
  readonly publicKey: string;
  /** The Ed25519 secret key (64 bytes, seed ‖ public key). */
  readonly secretKey: Uint8Array;
}

/** Options of {@link UpstreamClient}. */
export interface UpstreamClientOptions {
  /** Origin of the upstream, such as `https://sentry.io` (a trailing slash is ignored). */
  readonly upstream: string;
  /** Longest wait for response headers and between body chunks. */
  readonly timeoutMs: number;
  /** Longest wait for a TCP + TLS connection. */
  readonly connectTimeoutMs: number;
  /** Connections kept open to the upstream at most. */
  readonly maxConnections: number;
  /** `User-Agent` of the relay's own requests. */
  readonly userAgent: string;
  /**
   * Proxy settings; by default `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` (and their lower-case
   * forms) are read from the environment.
   */
  readonly proxy?: { readonly httpProxy?: string; readonly httpsProxy?: string; readonly noProxy?: string } | undefined;
}

/** An upstream answer, body read in full. */
export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** Why a request never got an answer. */
export type NetworkFailure = "refused" | "dns" | "timeout" | "tls" | "reset" | "other";

/** A request that got no HTTP answer: the upstream is unreachable, slow, or the TLS handshake failed. */
export class UpstreamNetworkError extends Error {
  /** Stable machine-readable identifier: why no answer came. */
  readonly code: NetworkFailure;
  /** The system or library code, such as `ECONNREFUSED` or `CERT_HAS_EXPIRED`. */
  readonly errorCode: string | undefined;

  constructor(code: NetworkFailure, message: string, options: { readonly errorCode?: string | undefined; readonly cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "UpstreamNetworkError";
    this.code = code;
    this.errorCode = options.errorCode;
  }
}

const TLS_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH|ERR_OSSL)/;

function errorCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && code !== "UND_ERR_SOCKET" && code !== "UND_ERR") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Describes why a request failed, in words an operator can act on. */
export function classifyNetworkError(error: unknown, url: string): UpstreamNetworkError {
  if (error instanceof UpstreamNetworkError) return error;
  const code = errorCodeOf(error) ?? (error as { code?: string } | undefined)?.code;
  const detail = (error as Error | undefined)?.message ?? String(error);
  const host = new URL(url).host;
  if (code === "ECONNREFUSED") return new UpstreamNetworkError("refused", `connection to ${host} refused: is the upstream running at that address?`, { errorCode: code, cause: error });
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new UpstreamNetworkError("dns", `cannot resolve ${host}: check the upstream URL and DNS`, { errorCode: code, cause: error });
  if (code?.startsWith("UND_ERR_") && code.includes("TIMEOUT")) {
    return new UpstreamNetworkError("timeout", `${host} did not answer in time (${code})`, { errorCode: code, cause: error });
  }
  if (code === "ETIMEDOUT") return new UpstreamNetworkError("timeout", `connecting to ${host} timed out`, { errorCode: code, cause: error });
  if (code !== undefined && TLS_CODES.test(code)) {
    return new UpstreamNetworkError("tls", `TLS with ${host} failed (${code}: ${detail}); check its certificate, or trust a private CA with NODE_EXTRA_CA_CERTS`, { errorCode: code, cause: error });
  }
  if (code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_CLOSED" || detail.includes("other side closed")) {
    return new UpstreamNetworkError("reset", `${host} closed the connection before answering`, { errorCode: code, cause: error });
  }
  return new UpstreamNetworkError("other", `request to ${host} failed: ${detail}`, { errorCode: code, cause: error });
}

/** The error an aborted request fails with: the signal's reason, or an `AbortError`. */
function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException("This operation was aborted", "AbortError");
}

/** Options of one request. */
export interface UpstreamRequest {
  readonly method: Dispatcher.HttpMethod;
  /** Path and query, starting with `/`. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string | string[]>> | undefined;
  readonly body?: Uint8Array | string | Readable | undefined;
  /** Longest answer body read; longer bodies fail the request. */
  readonly maxBodyBytes?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** A streamed answer, for proxying. */
export interface UpstreamStream {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Readable;
}

/**
 * The relay's HTTP client for its upstream: one pool of keep-alive connections with a cap,
 * timeouts, and the environment's proxy settings. Signs requests with the relay's key.
 */
export class UpstreamClient {
  readonly origin: string;
  private readonly options: UpstreamClientOptions;
  private readonly dispatcher: Dispatcher;

  constructor(options: UpstreamClientOptions) {
    this.options = options;
    this.origin = new URL(options.upstream).origin;
    this.dispatcher = new EnvHttpProxyAgent({
      ...options.proxy,
      connections: options.maxConnections,
      connect: { timeout: options.connectTimeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      keepAliveTimeout: 30_000,
    });
  }

  /** The full URL of a path on the upstream. */
  url(path: string): string {
    return `${this.origin}${path}`;
  }

  /** Sends a request and streams the answer back (the caller must consume or destroy the body). */
  async stream(req: UpstreamRequest): Promise<UpstreamStream> {
    const url = this.url(req.path);
    try {
      const response = await request(url, {
        method: req.method,
        headers: { "user-agent": this.options.userAgent, ...req.headers },
        body: req.body,
        dispatcher: this.dispatcher,
        signal: req.signal,
      });
      return { status: response.statusCode, headers: response.headers, body: response.body };
    } catch (error) {
      if (req.signal?.aborted) throw error;
      throw classifyNetworkError(error, url);
    }
  }

  /**
   * Sends a request and reads the whole answer. The answer's chunks are collected as they arrive,
   * without a stream in between: on the forwarding path, a response stream and its async iteration
   * cost as much CPU as the rest of the request.
   */
  send(req: UpstreamRequest): Promise<UpstreamResponse> {
    const url = this.url(req.path);
    const limit = req.maxBodyBytes ?? 16 * 1024 * 1024;
    const { signal } = req;
    return new Promise<UpstreamResponse>((resolve, reject) => {
      let status = 0;
      let headers: Record<string, string | string[] | undefined> = {};
      let chunks: Buffer[] = [];
      let size = 0;
      let controller: Dispatcher.DispatchController | undefined;
      let settled = false;
      const onAbort = (): void => {
        controller?.abort(abortReason(signal));
      };
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        return true;
      };
      const fail = (error: unknown): void => {
        // An aborted request fails with the abort's own error, as `request()` does.
        if (!settle()) return;
        reject(signal?.aborted && error instanceof Error ? error : classifyNetworkError(error, url));
      };
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(started) {
          // Called again when the request is retried on another connection: start over.
          controller = started;
          status = 0;
          chunks = [];
          size = 0;
          if (signal?.aborted) started.abort(abortReason(signal));
        },
        onResponseStart(_controller, statusCode, responseHeaders) {
          // Informational answers (100 Continue) precede the real one.
          if (statusCode < 200) return;
          status = statusCode;
          headers = responseHeaders;
        },
        onResponseData(current, chunk) {
          size += chunk.length;
          if (size > limit) {
            fail(new UpstreamNetworkError("other", `the answer from ${new URL(url).host} is larger than ${limit} bytes`));
            current.abort(new Error("answer too large"));
            return;
          }
          chunks.push(chunk);
        },
        onResponseEnd() {
          if (settle()) resolve({ status, headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
        },
        onResponseError(_controller, error) {
          fail(error);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      try {
        this.dispatcher.dispatch(
          { origin: this.origin, path: req.path, method: req.method, headers: { "user-agent": this.options.userAgent, ...req.headers }, body: req.body },
          handler,
        );
      } catch (error) {
        fail(error);
      }
    });
  }

  /** POSTs a JSON body signed with the relay's key, as Sentry expects from relays. */
  signedJson(path: string, value: unknown, options: { readonly credentials: RelayCredentials; readonly signal?: AbortSignal | undefined }): Promise<UpstreamResponse> {
    const { credentials, signal } = options;
    const body = Buffer.from(JSON.stringify(value));
    return this.send({
      method: "POST",
      path,
      body,
      signal,
      headers: {
        "content-type": "application/json",
        "x-sentry-relay-id": credentials.relayId,
        "x-sentry-relay-signature": signRequest(body, credentials.secretKey),
      },
    });
  }

  /** Closes the connections (in-flight requests finish first). */
  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /** Closes the connections at once, failing in-flight requests. */
  async destroy(): Promise<void> {
    await this.dispatcher.destroy();
  }
}

/** The first value of a header. */
export function headerValue(headers: Readonly<Record<string, string | string[] | undefined>>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Reads an upstream answer as JSON, or `undefined` when it is not. */
export function jsonOf(response: UpstreamResponse): unknown {
  try {
    return JSON.parse(response.body.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

/** The reason an upstream gives for an answer: its JSON `detail`, else the start of the body. */
export function detailOf(response: UpstreamResponse): string {
  const json = jsonOf(response) as { detail?: unknown } | undefined;
  if (json && typeof json.detail === "string") return json.detail;
  const text = response.body.toString("utf8").trim().slice(0, 200);
  return text === "" ? `status ${response.status}` : text;
}

/** Opens the relay's client for its upstream: `sentry-relay/<version>` to `url`, with these timeouts and connections. */
export function createUpstreamClient(settings: {
  readonly url: string;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxConnections: number;
  readonly version: string;
  readonly proxy?: UpstreamClientOptions["proxy"];
}): UpstreamClient {
  return new UpstreamClient({
    upstream: settings.url,
    timeoutMs: settings.timeoutMs,
    connectTimeoutMs: settings.connectTimeoutMs,
    maxConnections: settings.maxConnections,
    userAgent: `sentry-relay/${settings.version}`,
    proxy: settings.proxy,
  });
}
