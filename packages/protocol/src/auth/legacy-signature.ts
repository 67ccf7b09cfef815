import { createHmac, timingSafeEqual } from "node:crypto";
import type { Result } from "../result.js";
import { err, ok } from "../result.js";
import { AuthError } from "./auth-header.js";

/** How old a protocol 2.0 signature may be before the server refuses it (410). */
export const LEGACY_SIGNATURE_MAX_AGE_MS = 60 * 60 * 1000;

/**
 * Computes the protocol 2.0 signature: hex(HMAC-SHA1(secret, "<timestamp> <raw body>")), where
 * the timestamp is the auth header's `sentry_timestamp` text and the body is exactly as posted.
 */
export function computeLegacySignature(secret: string, timestamp: string, rawBody: Uint8Array | string): string {
  return createHmac("sha1", secret).update(`${timestamp} `).update(rawBody).digest("hex");
}

/** What {@link verifyLegacySignature} checks. */
export interface LegacySignatureInput {
  readonly secret: string;
  /** `sentry_signature` of the auth header. */
  readonly signature: string | undefined;
  /** `sentry_timestamp` of the auth header, as sent. */
  readonly timestamp: string | undefined;
  readonly rawBody: Uint8Array | string;
  /** Clock in milliseconds since the epoch. */
  readonly now: number;
}

/**
 * Verifies a protocol 2.0 signature as the old server did: missing signature or timestamp → 401,
 * older than an hour → 410, wrong signature → 403. Timestamps in seconds and in milliseconds
 * (raven-node) are both understood.
 */
export function verifyLegacySignature(input: LegacySignatureInput): Result<true, AuthError> {
  if (!input.signature || !input.timestamp) {
    return err(new AuthError("missing_signature", "missing signature or timestamp for protocol 2.0"));
  }
  const value = Number.parseFloat(input.timestamp);
  if (!Number.isFinite(value)) return err(new AuthError("missing_signature", "invalid sentry_timestamp"));
  const ms = value > 1e11 ? value : value * 1000;
  if (input.now - ms > LEGACY_SIGNATURE_MAX_AGE_MS) {
    return err(new AuthError("expired_signature", "the message signature is older than an hour"));
  }
  const expected = Buffer.from(computeLegacySignature(input.secret, input.timestamp, input.rawBody), "hex");
  const given = Buffer.from(input.signature.toLowerCase(), "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return err(new AuthError("bad_signature", "invalid message signature"));
  }
  return ok(true);
}
