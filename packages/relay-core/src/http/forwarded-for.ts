import type { FastifyRequest } from "fastify";

/**
 * The `X-Forwarded-For` chain to send on for a request: the chain the client sent, then the address
 * the request came from (as proxies do, so the upstream sees every hop, not just this relay's).
 */
export function forwardedFor(request: FastifyRequest): string {
  const existing = request.headers["x-forwarded-for"];
  const previous = Array.isArray(existing) ? existing.join(", ") : existing;
  const peer = request.socket.remoteAddress ?? request.ip;
  return previous ? `${previous}, ${peer}` : peer;
}
