import type { FastifyInstance } from "fastify";
import type { Readable } from "node:stream";
import { RelayError } from "../relay-error.js";
import { UpstreamNetworkError, type UpstreamClient } from "../upstream/upstream-client.js";
import { forwardedFor } from "../http/forwarded-for.js";

/**
 * Headers that belong to one connection and never cross a proxy. `Expect: 100-continue` is
 * answered by this server already; the body is streamed on, so the upstream is not asked again.
 */
const HOP_BY_HOP = new Set([
  "connection",
  "expect",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
]);

/** Copies headers without the hop-by-hop ones (including those the `Connection` header names). */
export function endToEndHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string | string[]> {
  const named = new Set(
    String(headers.connection ?? "")
      .split(",")
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== ""),
  );
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(lower) || named.has(lower)) continue;
    out[lower] = value;
  }
  return out;
}

/**
 * Forwards every `/api/` request the relay does not handle itself to the upstream, as is: this
 * is how relays chain (a downstream relay registers and fetches project configs through this
 * one). Network errors answer 502, timeouts 504.
 */
export function registerUpstreamProxy(app: FastifyInstance, client: UpstreamClient): void {
  app.route({
    method: ["GET", "POST", "PUT", "PATCH", "DELETE"],
    url: "/api/*",
    handler: async (request, reply) => {
      const headers = endToEndHeaders(request.headers);
      headers["x-forwarded-for"] = forwardedFor(request);
      const hasBody = request.method !== "GET" && request.method !== "DELETE";
      let response;
      try {
        response = await client.stream({
          method: request.method,
          path: request.url,
          headers,
          body: hasBody ? (request.body as Readable | undefined) : undefined,
        });
      } catch (error) {
        if (error instanceof UpstreamNetworkError) {
          if (error.code === "timeout") throw new RelayError("upstream_timeout", "the upstream did not answer in time", { causes: [error.message] });
          throw new RelayError("upstream_unreachable", "the upstream cannot be reached", { causes: [error.message] });
        }
        throw error;
      }
      return reply.code(response.status).headers(endToEndHeaders(response.headers)).send(response.body);
    },
  });
}
