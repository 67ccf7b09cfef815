import { senderIdentity } from "./authorization.js";
import { encodeMessage, messageUuid } from "./message-codec.js";
import type { Identity, RemaphoreConfig } from "./remaphore-config.js";
import type { SendOptions } from "./remaphore-client.js";

const encoder = new TextEncoder();

/** A message to sign: what to send, and whether it is a request (the receiver answers). */
export interface MessageToBuild extends SendOptions {
  readonly request: boolean;
}

/**
 * Signs a message to send: the identity (`-p`, else `default_identity`) must permit the verb
 * (default `ping`), the destination defaults to `**`, the time is `now`. Throws the
 * `MessagingError` of a sender that may not send it or of a field that cannot be sent.
 */
export function buildMessage(
  config: RemaphoreConfig,
  options: MessageToBuild,
  io: { readonly now: () => number; readonly random: (length: number) => Uint8Array },
): { raw: Uint8Array; identity: Identity } {
  const verb = options.verb ?? "ping";
  const identity = senderIdentity(config, verb, options.sender);
  if (!identity.ok) throw identity.error;
  const payload = typeof options.payload === "string" ? encoder.encode(options.payload) : (options.payload ?? new Uint8Array());
  const raw = encodeMessage(
    {
      destination: options.destination ?? "**",
      time: BigInt(Math.round(io.now())) * 1_000_000n,
      uuid: messageUuid(options.uuid, io.random),
      verb,
      request: options.request,
      payload,
    },
    identity.value.keyPair,
  );
  if (!raw.ok) throw raw.error;
  return { raw: raw.value, identity: identity.value };
}
