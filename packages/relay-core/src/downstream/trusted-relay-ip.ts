import { isIP } from "node:net";
import { err, ok, type Result } from "@org/protocol/result";
import type { FastifyRequest } from "fastify";
import { RelayError } from "../relay-error.js";
import type { DownstreamRelays } from "./downstream-relays.js";

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The client's address for data a trusted downstream relay forwards: the first address of its
 * `X-Forwarded-For` chain, once the relay's signature over the envelope checks out. `undefined`
 * when the request does not come from a relay in `auth.static_relays` (its peer address counts);
 * an error when it claims to and the signature fails.
 */
export function trustedRelayClientIp(request: FastifyRequest, envelope: Uint8Array, relays: DownstreamRelays): Result<string | undefined, RelayError> {
  const relayId = header(request, "x-sentry-relay-id");
  if (!relayId || !relays.get(relayId)) return ok(undefined);
  const verified = relays.verify(relayId, header(request, "x-sentry-relay-signature"), envelope);
  if (!verified.ok) return err(new RelayError("relay_auth", verified.error.message, { causes: [`relay ${relayId}`] }));
  const first = header(request, "x-forwarded-for")?.split(",")[0]?.trim();
  return ok(first !== undefined && isIP(first) !== 0 ? first : undefined);
}
