import { createPublicKey, verify, type KeyObject } from "node:crypto";
import { err, ok, type Result } from "@org/protocol/result";

/** SPKI prefix of an Ed25519 public key; the 32 key bytes follow. */
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
/** How far in the future a signature may claim to be made (clock skew between relays). */
const MAX_SKEW_MS = 60_000;

/** Why a relay signature does not check out. */
export interface RelaySignatureError {
  readonly kind: "malformed" | "bad_signature" | "expired";
  readonly message: string;
}

/** A native Ed25519 key for {@link verifyRelaySignature}, from the 32 raw key bytes. */
export function relayVerifyKey(publicKey: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: "der", type: "spki" });
}

function signedAtOf(header: Buffer): number | undefined {
  let t: unknown;
  try {
    t = (JSON.parse(header.toString("utf8")) as { t?: unknown }).t;
  } catch {
    return undefined;
  }
  if (typeof t !== "string") return undefined;
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(t);
  if (!match) return undefined;
  const base = Date.parse(`${match[1]!}${match[3]!}`);
  return Number.isNaN(base) ? undefined : base + (match[2] ? Number(`0${match[2]}`) * 1000 : 0);
}

/** A request body and the `X-Sentry-Relay-Signature` it came with. */
export interface SignedBody {
  readonly body: Uint8Array;
  readonly signature: string;
}

/**
 * Checks a relay request signature (`base64url(signature).base64url({"t":…})` over
 * `header ‖ 0x00 ‖ body`) with Node's native Ed25519, which also refuses non-canonical
 * signatures, and its age against `maxAgeMs`. Native, because a central relay checks one for
 * every envelope its edge relays forward.
 */
export function verifyRelaySignature(
  signed: SignedBody,
  key: KeyObject,
  window: { readonly now: number; readonly maxAgeMs: number },
): Result<{ readonly signedAt: number }, RelaySignatureError> {
  const { body, signature } = signed;
  const { now, maxAgeMs } = window;
  const parts = signature.trim().split(".");
  if (parts.length !== 2 || !/^[A-Za-z0-9_-]+$/.test(parts[0]!) || !/^[A-Za-z0-9_-]+$/.test(parts[1]!)) {
    return err({ kind: "malformed", message: "a signature is base64url(signature).base64url(header)" });
  }
  const sig = Buffer.from(parts[0]!, "base64url");
  const header = Buffer.from(parts[1]!, "base64url");
  if (sig.length !== 64) return err({ kind: "malformed", message: `the signature has ${sig.length} bytes, expected 64` });
  const signedAt = signedAtOf(header);
  if (signedAt === undefined) return err({ kind: "malformed", message: "the signature header has no valid time" });
  if (!verify(null, Buffer.concat([header, Buffer.from([0]), body]), key, sig)) return err({ kind: "bad_signature", message: "the signature does not match the body and key" });
  const age = now - signedAt;
  if (age > maxAgeMs) return err({ kind: "expired", message: `the signature is ${Math.round(age / 1000)} s old` });
  if (-age > MAX_SKEW_MS) return err({ kind: "expired", message: `the signature was made ${Math.round(-age / 1000)} s in the future: check the clocks` });
  return ok({ signedAt });
}
