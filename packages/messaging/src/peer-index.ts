import type { Peer, RemaphoreConfig } from "./remaphore-config.js";

const indexes = new WeakMap<RemaphoreConfig, ReadonlyMap<string, Peer>>();

/**
 * The config's peers by base58 key, built once per config: a received message's sender is found in
 * constant time. With duplicate entries the first wins, as in the original. Base58 writes a byte
 * string one way only, so comparing the text is comparing the key.
 */
export function peerIndex(config: RemaphoreConfig): ReadonlyMap<string, Peer> {
  let index = indexes.get(config);
  if (!index) {
    const map = new Map<string, Peer>();
    for (const peer of config.peers) if (!map.has(peer.publicKeyText)) map.set(peer.publicKeyText, peer);
    index = map;
    indexes.set(config, index);
  }
  return index;
}
