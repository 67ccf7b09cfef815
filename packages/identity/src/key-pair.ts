import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from "node:crypto";
import { IdentityError } from "./identity-error.js";
import type { Result } from "@org/protocol/result";
import { err, ok } from "@org/protocol/result";

/** Length of an Ed25519 public key. */
export const PUBLIC_KEY_LENGTH = 32;
/** Length of an Ed25519 seed (the relay's secret key). */
export const SEED_LENGTH = 32;
/** Length of an Ed25519 secret key in its 64-byte form: seed followed by the public key. */
export const SECRET_KEY_LENGTH = 64;
/** Length of an Ed25519 signature. */
export const SIGNATURE_LENGTH = 64;

/** An Ed25519 key pair. */
export interface KeyPair {
  /** 32 bytes. */
  readonly publicKey: Uint8Array;
  /** 64 bytes: the seed followed by the public key. */
  readonly secretKey: Uint8Array;
}

/** Returns `length` random bytes; tests pass a deterministic one. */
export type RandomSource = (length: number) => Uint8Array;

const systemRandom: RandomSource = (length) => new Uint8Array(randomBytes(length));

/** Makes a new key pair from a random seed. */
export function generateKeyPair(random: RandomSource = systemRandom): KeyPair {
  return keyPairFromSeed(random(SEED_LENGTH));
}

/** DER (PKCS #8) header of an Ed25519 private key; the 32-byte seed follows. */
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
/** DER (SPKI) header of an Ed25519 public key; the 32-byte key follows. */
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/**
 * Imported keys, by the array that holds their bytes: a peer's key or an identity's secret key is
 * imported into OpenSSL once, not at every message.
 */
const privateKeys = new WeakMap<Uint8Array, KeyObject>();
const publicKeys = new WeakMap<Uint8Array, KeyObject | null>();

function importSeed(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
}

function privateKeyObject(secretKey: Uint8Array): KeyObject {
  let key = privateKeys.get(secretKey);
  if (!key) {
    key = importSeed(secretKey.subarray(0, SEED_LENGTH));
    privateKeys.set(secretKey, key);
  }
  return key;
}

/** The public key imported for verification; null when OpenSSL refuses the bytes as a key. */
function publicKeyObject(publicKey: Uint8Array): KeyObject | null {
  let key = publicKeys.get(publicKey);
  if (key === undefined) {
    try {
      key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: "der", type: "spki" });
    } catch {
      key = null;
    }
    publicKeys.set(publicKey, key);
  }
  return key;
}

/** Derives the key pair of a 32-byte seed. */
export function keyPairFromSeed(seed: Uint8Array): KeyPair {
  if (seed.length !== SEED_LENGTH) throw new RangeError(`an Ed25519 seed has ${SEED_LENGTH} bytes, not ${seed.length}`);
  const privateKey = importSeed(seed);
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  const publicKey = new Uint8Array(spki.subarray(SPKI_PREFIX.length));
  const secretKey = new Uint8Array(SECRET_KEY_LENGTH);
  secretKey.set(seed, 0);
  secretKey.set(publicKey, SEED_LENGTH);
  privateKeys.set(secretKey, privateKey);
  return { publicKey, secretKey };
}

/** Reads a 64-byte secret key (seed ‖ public key), checking that its public half belongs to the seed. */
export function keyPairFromSecretKey(secretKey: Uint8Array): Result<KeyPair, IdentityError> {
  if (secretKey.length !== SECRET_KEY_LENGTH) {
    return err(new IdentityError("wrong_length", `a secret key has ${SECRET_KEY_LENGTH} bytes, not ${secretKey.length}`));
  }
  const pair = keyPairFromSeed(secretKey.subarray(0, SEED_LENGTH));
  if (!equalBytes(pair.publicKey, secretKey.subarray(SEED_LENGTH))) {
    return err(new IdentityError("key_mismatch", "the public half of the secret key does not belong to its seed"));
  }
  return ok(pair);
}

/** Signs bytes with a 64-byte secret key; returns the 64-byte detached signature. */
export function signBytes(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  if (secretKey.length !== SECRET_KEY_LENGTH) throw new RangeError(`a secret key has ${SECRET_KEY_LENGTH} bytes, not ${secretKey.length}`);
  return new Uint8Array(sign(null, message, privateKeyObject(secretKey)));
}

/** The order of the Ed25519 group, L = 2^252 + 27742317777372353535851937790883648493, little-endian. */
const GROUP_ORDER = Uint8Array.from([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
]);

/** Whether the signature's scalar S (its last 32 bytes, little-endian) is below the group order. */
function hasCanonicalScalar(signature: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const s = signature[32 + i]!;
    const l = GROUP_ORDER[i]!;
    if (s !== l) return s < l;
  }
  return false;
}

/**
 * Checks a detached signature; wrong lengths are simply not valid. A signature whose scalar is not
 * below the group order is refused, as Go's `crypto/ed25519` and RFC 8032 do: otherwise adding
 * the order to it gives a second valid signature of the same message, which would slip past a
 * cache of signatures already seen. Node's Ed25519 (OpenSSL) does the check; the key is imported
 * once per key array, so pass the same array for the same peer.
 */
export function verifyBytes(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_LENGTH || publicKey.length !== PUBLIC_KEY_LENGTH) return false;
  if (!hasCanonicalScalar(signature)) return false;
  const key = publicKeyObject(publicKey);
  if (key === null) return false;
  try {
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

/** Compares two byte arrays in time independent of where they differ. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
