import { verifyBytes, type VerifyFunction } from "@org/identity";
import { isVerbAllowed } from "./authorization.js";
import { matchDestination } from "./destination-pattern.js";
import { decodeFramedMessage, messageCommas, signedBytes, type DecodedMessage } from "./message-codec.js";
import { peerIndex } from "./peer-index.js";
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
  | "destination"
  /** A peer, but not the one `-p` asked for. */
  | "other_sender"
  /** More messages were waiting to be checked than the receiver keeps: dropped unread. */
  | "overflow"
  /** A kept message read back from the stream after its `--keep` ran out. */
  | "expired";

/** A dropped message and why, for debug logs. */
export interface Rejection {
  readonly reason: RejectionReason;
  readonly detail: string;
  /** The sender key as written in the message, when the framing held one. */
  readonly senderText?: string | undefined;
  /** The decoded message, when it got as far as being decoded. */
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
  /** When the message arrived, in milliseconds since the epoch: skew is judged against it. */
  readonly now: number;
  readonly replayCache?: ReplayCache | undefined;
  /** Replies are accepted from any known peer, whatever their verbs. */
  readonly kind: "message" | "reply";
  readonly destinationFilter?: DestinationFilter | undefined;
  /** `-p`: only this sender (base58) is accepted; other peers are dropped as `other_sender`. */
  readonly sender?: string | undefined;
  /** The largest accepted skew, in milliseconds, when not the config's `allow_skew`. */
  readonly allowSkewMs?: number | undefined;
  /** The signature check: `verifyBytes` by default, or a faster one with its answers (`loadFastVerify`). */
  readonly verify?: VerifyFunction | undefined;
}

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder();

function destinationMatches(filter: DestinationFilter | undefined, pattern: string): boolean {
  if (!filter || filter.kind === "none") return true;
  if (filter.kind === "exact") return pattern === filter.pattern;
  return matchDestination(filter.destination, pattern);
}

/** A signature's bytes as a string of as many characters: the cheapest exact key for the replay cache. */
function replayKey(signature: Uint8Array): string {
  return Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength).toString("latin1");
}

/**
 * Decides whether to act on a received message. Everything that can be refused without a
 * signature check is refused first, so that a flood of forgeries costs little each: framing,
 * sender (a configured peer, and the `-p` one when given), verb permitted, destination, then the
 * full decoding. Only then the signature over the canonical re-serialisation (with the peer's key
 * imported once), the time against the arrival time, and replays. Nothing is acted on unless this
 * returns ok.
 */
export function checkMessage(raw: Uint8Array, options: CheckOptions): Result<VerifiedMessage, Rejection> {
  const commas = messageCommas(raw);
  if (!commas) return err({ reason: "malformed", detail: "message format corrupt: expected 8 comma-separated fields" });
  // A base58 key is ASCII: latin1 reads it without a UTF-8 decoder, and never matches a peer if it is not.
  const senderText = latin1.decode(raw.subarray(0, commas[0]));
  const peer = peerIndex(options.config).get(senderText);
  if (!peer) return err({ reason: "unknown_sender", detail: `sender ${senderText} is not a peer`, senderText });
  if (options.sender !== undefined && senderText !== options.sender) {
    return err({ reason: "other_sender", detail: "not the sender asked for with -p", senderText });
  }
  if (options.kind === "message") {
    const verb = utf8.decode(raw.subarray(commas[4]! + 1, commas[5]));
    if (!isVerbAllowed(peer.verbs, verb)) {
      return err({ reason: "verb_not_allowed", detail: `peer ${peer.destination} may not send verb ${JSON.stringify(verb)}`, senderText });
    }
    const destination = utf8.decode(raw.subarray(commas[1]! + 1, commas[2]));
    if (!destinationMatches(options.destinationFilter, destination)) {
      return err({ reason: "destination", detail: `destination ${JSON.stringify(destination)} is not for us`, senderText });
    }
  }
  const decoded = decodeFramedMessage(raw, commas, peer.publicKey);
  if (!decoded.ok) return err({ reason: "malformed", detail: decoded.error.message, senderText });
  const message = decoded.value;
  if (!(options.verify ?? verifyBytes)(signedBytes(message, commas), message.signature, peer.publicKey)) {
    return err({ reason: "bad_signature", detail: `signature corrupt (claimed sender ${peer.destination})`, senderText, message });
  }
  // In nanoseconds, as the original compares: a float of nanoseconds since 1970 loses the last digits.
  const skewNs = BigInt(Math.round(options.now)) * 1_000_000n - message.time;
  const allowSkewMs = options.allowSkewMs ?? options.config.allowSkewMs;
  if ((skewNs < 0n ? -skewNs : skewNs) > BigInt(allowSkewMs) * 1_000_000n) {
    const skewMs = Number(skewNs / 1_000_000n);
    return err({ reason: "skew", detail: `message is ${skewMs} ms off our clock (allowed ${allowSkewMs} ms)`, senderText, message });
  }
  if (options.replayCache && !options.replayCache.remember(replayKey(message.signature), options.now)) {
    return err({ reason: "replay", detail: "this signature was already accepted: a replay", senderText, message });
  }
  return ok({ ...message, peer });
}
