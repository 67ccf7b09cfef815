import type { KeyObject } from "node:crypto";
import { decodeBase64UrlPublicKey } from "@org/identity";
import { err, ok, type Result } from "@org/protocol/result";
import { relayVerifyKey, verifyRelaySignature, type SignedBody } from "./relay-signature.js";

/** A downstream relay this relay trusts: its id, its Ed25519 key, and whether it is internal. */
export interface DownstreamRelay {
  readonly relayId: string;
  /** base64url public key, as the relay registers it. */
  readonly publicKey: string;
  /** Internal relays see every project's config, as in Sentry's Relay. */
  readonly internal: boolean;
}

/** Why a signed request from a downstream relay was refused; every kind answers 401 but `bad_request` (400). */
export interface DownstreamAuthError {
  readonly kind: "unknown_relay" | "missing_header" | "bad_signature" | "expired" | "replayed" | "bad_request";
  readonly message: string;
}

/** Options of {@link DownstreamRelays}. */
export interface DownstreamRelaysOptions {
  /** `auth.static_relays`: relay id → public key (base64url) and whether it is internal. */
  readonly staticRelays: Readonly<Record<string, { readonly publicKey: string; readonly internal?: boolean }>>;
  /** Oldest signature accepted (Relay's `auth.signature_max_age`). */
  readonly maxAgeMs: number;
  /** Clock in milliseconds since the epoch. */
  readonly now?: (() => number) | undefined;
  /** Signatures remembered to refuse replays, at most (oldest forgotten first). */
  readonly maxRemembered?: number | undefined;
}

const RELAY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The downstream relays this relay trusts (`auth.static_relays`), and the check of their signed
 * requests: known relay id, a signature over the body with that relay's key, made within the
 * maximum age, and not seen before (a captured request cannot be replayed while it is fresh).
 */
export class DownstreamRelays {
  private readonly relays = new Map<string, DownstreamRelay & { readonly key: KeyObject }>();
  private readonly seen = new Map<string, number>();
  private readonly options: DownstreamRelaysOptions;

  private constructor(options: DownstreamRelaysOptions) {
    this.options = options;
  }

  /** Reads `auth.static_relays`; a bad relay id or key is an error naming it. */
  static create(options: DownstreamRelaysOptions): Result<DownstreamRelays, string> {
    const relays = new DownstreamRelays(options);
    for (const [relayId, info] of Object.entries(options.staticRelays)) {
      if (!RELAY_ID.test(relayId)) return err(`auth.static_relays: ${relayId} is not a relay id (a UUID)`);
      const key = decodeBase64UrlPublicKey(info.publicKey);
      if (!key.ok) return err(`auth.static_relays.${relayId}.public_key: ${key.error.message}`);
      relays.relays.set(relayId.toLowerCase(), { relayId: relayId.toLowerCase(), publicKey: info.publicKey, internal: info.internal ?? false, key: relayVerifyKey(key.value) });
    }
    return ok(relays);
  }

  /** Number of trusted relays. */
  get size(): number {
    return this.relays.size;
  }

  /** The trusted relay with this id, if any. */
  get(relayId: string): DownstreamRelay | undefined {
    const relay = this.relays.get(relayId.toLowerCase());
    return relay ? { relayId: relay.relayId, publicKey: relay.publicKey, internal: relay.internal } : undefined;
  }

  /**
   * Checks a request signed by a downstream relay (`X-Sentry-Relay-Id`, `X-Sentry-Relay-Signature`).
   * `publicKey` overrides the configured key (a registration challenge is signed with the key it announces).
   */
  verify(relayId: string | undefined, signature: string | undefined, body: Uint8Array): Result<DownstreamRelay, DownstreamAuthError> {
    if (!relayId) return err({ kind: "missing_header", message: "missing header: x-sentry-relay-id" });
    const relay = this.relays.get(relayId.toLowerCase());
    if (!relay) return err({ kind: "unknown_relay", message: "unknown relay id" });
    if (!signature) return err({ kind: "missing_header", message: "missing header: x-sentry-relay-signature" });
    return this.check(relay, relay.key, { signature, body });
  }

  /** Checks a signature made with `key` (the key a registration challenge announces). */
  verifyWithKey(relayId: string, key: Uint8Array, request: { readonly signature: string | undefined; readonly body: Uint8Array }): Result<DownstreamRelay, DownstreamAuthError> {
    const relay = this.relays.get(relayId.toLowerCase());
    if (!relay) return err({ kind: "unknown_relay", message: "unknown relay id" });
    const { signature, body } = request;
    if (!signature) return err({ kind: "missing_header", message: "missing header: x-sentry-relay-signature" });
    return this.check(relay, relayVerifyKey(key), { signature, body });
  }

  private check(relay: DownstreamRelay, key: KeyObject, signed: SignedBody): Result<DownstreamRelay, DownstreamAuthError> {
    const { signature } = signed;
    const now = (this.options.now ?? Date.now)();
    const verified = verifyRelaySignature(signed, key, { now, maxAgeMs: this.options.maxAgeMs });
    if (!verified.ok) {
      if (verified.error.kind === "expired") return err({ kind: "expired", message: `invalid relay signature: ${verified.error.message}` });
      return err({ kind: "bad_signature", message: "invalid relay signature" });
    }
    this.forgetOld(now);
    const id = signature.trim().split(".")[0] ?? signature;
    if (this.seen.has(id)) return err({ kind: "replayed", message: "invalid relay signature: this signature was used before" });
    this.seen.set(id, verified.value.signedAt + this.options.maxAgeMs);
    const limit = this.options.maxRemembered ?? 100_000;
    if (this.seen.size > limit) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return ok({ relayId: relay.relayId, publicKey: relay.publicKey, internal: relay.internal });
  }

  private forgetOld(now: number): void {
    for (const [id, until] of this.seen) {
      if (until >= now) break;
      this.seen.delete(id);
    }
  }
}
