import { matchDestination } from "./destination-pattern.js";
import { MessagingError } from "./messaging-error.js";
import { peerIndex } from "./peer-index.js";
import type { Identity, Peer, RemaphoreConfig, VerbList } from "./remaphore-config.js";
import type { Result } from "@org/identity";
import { err, ok } from "@org/identity";

const ACQUIRE = "acquire:";

/** The verb of taking a slot of semaphore `name`: `acquire:<name>`. */
export function acquireVerb(name: string): string {
  return `${ACQUIRE}${name}`;
}

/**
 * Whether a verb list permits a verb: `*` permits all; the verb is compared as sent. An
 * `acquire:<name>` verb is also permitted by an `acquire:<pattern>` entry whose pattern matches the
 * name as a destination segment does (`acquire:*`, `acquire:restart-*`); other verbs stay exact,
 * as in the original.
 */
export function isVerbAllowed(verbs: VerbList, verb: string): boolean {
  if (verbs.includes("*") || verbs.includes(verb)) return true;
  if (!verb.startsWith(ACQUIRE)) return false;
  const name = verb.slice(ACQUIRE.length);
  return verbs.some((entry) => entry.startsWith(ACQUIRE) && entry.includes("*") && matchDestination(name, entry.slice(ACQUIRE.length)));
}

/** The peer with this base58 key; with duplicate entries the first wins, as in the original. */
export function findPeer(config: RemaphoreConfig, publicKeyText: string): Peer | undefined {
  return peerIndex(config).get(publicKeyText);
}

/** The identity to send with: `-p KEY`, else `default_identity`; it must permit the verb. */
export function senderIdentity(config: RemaphoreConfig, verb: string, publicKeyText?: string): Result<Identity, MessagingError> {
  const wanted = publicKeyText ?? config.defaultIdentity;
  const identity = config.identities.find((id) => id.publicKeyText === wanted && isVerbAllowed(id.verbs, verb));
  if (!identity) return err(new MessagingError("no_sender_identity", "no private key with sender permission found"));
  return ok(identity);
}

/** The peers expected to answer a request for `pattern`: those whose destination matches it. */
export function suspectedResponders(config: RemaphoreConfig, pattern: string): Peer[] {
  return config.peers.filter((peer) => matchDestination(peer.destination, pattern));
}
