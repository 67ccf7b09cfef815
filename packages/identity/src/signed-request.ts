import { IdentityError } from "./identity-error.js";
import { decodeBase64Url, encodeBase64Url } from "./key-encoding.js";
import { SIGNATURE_LENGTH, signBytes, verifyBytes } from "./key-pair.js";
import type { Result } from "@org/protocol/result";
import { err, ok } from "@org/protocol/result";

/** Default oldest accepted signature: five minutes, as Sentry has it. */
export const DEFAULT_MAX_SIGNATURE_AGE_MS = 300_000;
/** Clock skew tolerated for signatures made "in the future". */
export const DEFAULT_MAX_SIGNATURE_SKEW_MS = 60_000;

const encoder = new TextEncoder();

/** Formats a time as RFC 3339 UTC with microseconds: `2026-11-22T13:45:01.123000Z`. */
export function formatSignatureTime(time: Date): string {
  return time.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** Parses the signature header's time: any fractional precision, `Z` or `+00:00`. */
function parseSignatureTime(text: string): number | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!match) return undefined;
  const fraction = match[2] ? Number(`0${match[2]}`) * 1000 : 0;
  const base = Date.parse(`${match[1]!}${match[3]!}`);
  return Number.isNaN(base) ? undefined : base + fraction;
}

function signedMessage(header: Uint8Array, body: Uint8Array): Uint8Array {
  const message = new Uint8Array(header.length + 1 + body.length);
  message.set(header, 0);
  message[header.length] = 0;
  message.set(body, header.length + 1);
  return message;
}

/**
 * Signs a request body the way Sentry relays do: the signature covers
 * `{"t":"<time>"} ‖ 0x00 ‖ body` and is sent as `base64url(signature).base64url(header)`.
 */
export function signRequest(body: Uint8Array | string, secretKey: Uint8Array, now: Date = new Date()): string {
  const header = encoder.encode(JSON.stringify({ t: formatSignatureTime(now) }));
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  const signature = signBytes(signedMessage(header, bytes), secretKey);
  return `${encodeBase64Url(signature)}.${encodeBase64Url(header)}`;
}

/** Options of {@link verifyRequest}. */
export interface VerifyOptions {
  /** The signer's public key. */
  readonly publicKey: Uint8Array;
  /** The current time in milliseconds since the epoch. */
  readonly now: number;
  /** Oldest signature accepted (default five minutes). */
  readonly maxAgeMs?: number;
  /** How far in the future a signature time may be (default one minute). */
  readonly maxSkewMs?: number;
}

/** What a valid signature tells. */
export interface VerifiedSignature {
  /** When it was made, in milliseconds since the epoch. */
  readonly signedAt: number;
}

/**
 * Verifies a signed request body. Errors: `invalid_encoding` (not `sig.header` in base64url, or a
 * header without a time), `bad_signature` (does not verify for this key and body), and
 * `signature_expired` / `signature_in_future` (outside the accepted age).
 */
export function verifyRequest(
  body: Uint8Array | string,
  signature: string,
  options: VerifyOptions,
): Result<VerifiedSignature, IdentityError> {
  const parts = signature.trim().split(".");
  if (parts.length !== 2) return err(new IdentityError("invalid_encoding", "a signature is base64url(signature).base64url(header)"));
  const sig = decodeBase64Url(parts[0]!, "signature");
  const header = decodeBase64Url(parts[1]!, "signature header");
  if (!sig.ok) return sig;
  if (!header.ok) return header;
  if (sig.value.length !== SIGNATURE_LENGTH) {
    return err(new IdentityError("invalid_encoding", `the signature has ${sig.value.length} bytes, expected ${SIGNATURE_LENGTH}`));
  }
  let signedAt: number | undefined;
  try {
    const json = JSON.parse(Buffer.from(header.value).toString("utf8")) as { t?: unknown };
    signedAt = typeof json.t === "string" ? parseSignatureTime(json.t) : undefined;
  } catch {
    signedAt = undefined;
  }
  if (signedAt === undefined) return err(new IdentityError("invalid_encoding", "the signature header has no valid time"));
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  if (!verifyBytes(signedMessage(header.value, bytes), sig.value, options.publicKey)) {
    return err(new IdentityError("bad_signature", "the signature does not match the body and key"));
  }
  const age = options.now - signedAt;
  if (age > (options.maxAgeMs ?? DEFAULT_MAX_SIGNATURE_AGE_MS)) {
    return err(new IdentityError("signature_expired", `the signature is ${Math.round(age / 1000)} s old`));
  }
  if (-age > (options.maxSkewMs ?? DEFAULT_MAX_SIGNATURE_SKEW_MS)) {
    return err(new IdentityError("signature_in_future", `the signature was made ${Math.round(-age / 1000)} s in the future: check the clocks`));
  }
  return ok({ signedAt });
}

/**
 * Verifies a signed JSON body and reads it. Besides {@link verifyRequest}'s errors, a body that is
 * not JSON, or that `accept` refuses (a relay id that differs from the header's, say), is a
 * `body_mismatch`.
 */
export function verifySignedJson<T>(
  body: Uint8Array | string,
  signature: string,
  options: VerifyOptions & { readonly accept?: (json: unknown) => json is T },
): Result<{ readonly json: T; readonly signedAt: number }, IdentityError> {
  const verified = verifyRequest(body, signature, options);
  if (!verified.ok) return verified;
  let json: unknown;
  try {
    json = JSON.parse(typeof body === "string" ? body : Buffer.from(body).toString("utf8"));
  } catch {
    return err(new IdentityError("body_mismatch", "the signed body is not JSON"));
  }
  if (options.accept && !options.accept(json)) {
    return err(new IdentityError("body_mismatch", "the signed body does not match what the request claims"));
  }
  return ok({ json: json as T, signedAt: verified.value.signedAt });
}
