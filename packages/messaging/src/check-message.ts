import { isVerbAllowed, findPeer } from "./authorization.js";
import { matchDestination } from "./destination-pattern.js";
import { decodeMessage, verifySignature, type DecodedMessage } from "./message-codec.js";
import type { Peer, RemaphoreConfig } from "./remaphore-config.js";
import type { ReplayCache } from "./replay-cache.js";
import type { Result } from "@org/identity";
import { err, ok } from "@org/identity";

/** Why a received message was dropped. */
export type RejectionReason =
  | "malformed"
  | "unknown_sender"
  | "verb_not_allowed"
  | "bad_signature"
  | "skew"
  | "replay"
  | "destination";

/** A dropped message and why, for debug logs. */
export interface Rejection {
  readonly reason: RejectionReason;
  readonly detail: string;
  /** The decoded message, when it could be decoded. */
  readonly message?: DecodedMessage | undefined;
}

/** A message that passed every check. */
export interface VerifiedMessage extends DecodedMessage {
  /** The configured peer that sent it. */
  readonly peer: Peer;
}

/** Which destinations a receiver accepts. */
export type DestinationFilter =
  /** Match the node's own destination against the message's pattern (the default). */
  | { readonly kind: "match"; readonly destination: string }
  /** `-D X`: the message's pattern must equal X as plain text. */
  | { readonly kind: "exact"; readonly pattern: string }
  /** `-d`: no filtering. */
  | { readonly kind: "none" };

/** What {@link checkMessage} needs. */
export interface CheckOptions {
  readonly config: RemaphoreConfig;
  /** Current time in milliseconds since the epoch. */
  readonly now: number;
  readonly replayCache?: ReplayCache | undefined;
  /** Replies are accepted from any known peer, whatever their verbs. */
  readonly kind: "message" | "reply";
  readonly destinationFilter?: DestinationFilter | undefined;
}

function destinationMatches(filter: DestinationFilter | undefined, pattern: string): boolean {
  if (!filter || filter.kind === "none") return true;
  if (filter.kind === "exact") return pattern === filter.pattern;
  return matchDestination(filter.destination, pattern);
}

/**
 * Decides whether to act on a received message, in the original's order — format, sender known
 * with the verb permitted, signature, time skew — then our additions: replay and destination.
 * Nothing is acted on unless this returns ok.
 */
export function checkMessage(raw: Uint8Array, options: CheckOptions): Result<VerifiedMessage, Rejection> {
  const decoded = decodeMessage(raw);
  if (!decoded.ok) return err({ reason: "malformed", detail: decoded.error.message });
  const message = decoded.value;
  const peer = findPeer(options.config, message.senderText);
  if (!peer) return err({ reason: "unknown_sender", detail: `sender ${message.senderText} is not a peer`, message });
  if (options.kind === "message" && !isVerbAllowed(peer.verbs, message.verb)) {
    return err({ reason: "verb_not_allowed", detail: `peer ${peer.destination} may not send verb ${JSON.stringify(message.verb)}`, message });
  }
  if (!verifySignature(message)) return err({ reason: "bad_signature", detail: `signature corrupt (claimed sender ${peer.destination})`, message });
  const skewMs = Number((BigInt(Math.round(options.now * 1e6)) - message.time) / 1_000_000n);
  if (Math.abs(skewMs) > options.config.allowSkewMs) {
    return err({ reason: "skew", detail: `message is ${skewMs} ms off our clock (allowed ${options.config.allowSkewMs} ms)`, message });
  }
  if (options.replayCache && !options.replayCache.remember(Buffer.from(message.signature).toString("hex"), options.now)) {
    return err({ reason: "replay", detail: "this signature was already accepted: a replay", message });
  }
  if (options.kind === "message" && !destinationMatches(options.destinationFilter, message.destination)) {
    return err({ reason: "destination", detail: `destination ${JSON.stringify(message.destination)} is not for us`, message });
  }
  return ok({ ...message, peer });
}
