import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH, verifyBytes } from "./key-pair.js";

/** Checks a detached Ed25519 signature of `message` by `publicKey`. */
export type VerifyFunction = (message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array) => boolean;

/** The part of sodium-native (libsodium) used here. */
export interface SodiumEd25519 {
  crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  crypto_core_ed25519_is_valid_point(point: Uint8Array): boolean;
}

/**
 * The encodings libsodium refuses as a signature's R before any arithmetic (`ge25519_has_small_order`:
 * the points of order 1, 2, 4 and 8 and the non-canonical encodings of 0 and 1), compared with the
 * sign bit cleared. Go and OpenSSL check such an R like any other.
 */
const SMALL_ORDER_R = [
  "0000000000000000000000000000000000000000000000000000000000000000",
  "0100000000000000000000000000000000000000000000000000000000000000",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
].map((hex) => Buffer.from(hex, "hex"));

function hasSmallOrderR(signature: Uint8Array): boolean {
  return SMALL_ORDER_R.some((encoding) => {
    for (let i = 0; i < 31; i++) if (signature[i] !== encoding[i]) return false;
    return (signature[31]! & 0x7f) === encoding[31];
  });
}

/**
 * A verifier giving exactly the answers of {@link verifyBytes} (Go's and OpenSSL's rules), with
 * libsodium doing the arithmetic: its Ed25519 verification takes about two thirds of OpenSSL's
 * time. libsodium computes the same equation and compares R byte for byte as they do, but refuses
 * more up front: a key not in the prime-order group (such a key is left to OpenSSL entirely) and
 * an R of small order (such a signature is asked of OpenSSL again). Whatever libsodium accepts,
 * OpenSSL accepts.
 */
export function sodiumVerify(sodium: SodiumEd25519): VerifyFunction {
  const primeOrderKeys = new WeakMap<Uint8Array, boolean>();
  return (message, signature, publicKey) => {
    if (signature.length !== SIGNATURE_LENGTH || publicKey.length !== PUBLIC_KEY_LENGTH) return false;
    let primeOrder = primeOrderKeys.get(publicKey);
    if (primeOrder === undefined) {
      primeOrder = sodium.crypto_core_ed25519_is_valid_point(publicKey);
      primeOrderKeys.set(publicKey, primeOrder);
    }
    if (!primeOrder) return verifyBytes(message, signature, publicKey);
    if (sodium.crypto_sign_verify_detached(signature, message, publicKey)) return true;
    return hasSmallOrderR(signature) && verifyBytes(message, signature, publicKey);
  };
}

let loaded: Promise<VerifyFunction> | undefined;

/**
 * The fastest verifier at hand, with the answers of {@link verifyBytes}: libsodium through
 * `sodium-native` (see {@link sodiumVerify}), or `verifyBytes` itself where that native module
 * cannot be loaded. Loaded on first call, so that code that only signs never loads it. Pass the
 * same key array for the same peer: per-key work is cached by array.
 */
export function loadFastVerify(load: () => Promise<SodiumEd25519> = loadSodium): Promise<VerifyFunction> {
  if (load !== loadSodium) return load().then(sodiumVerify, () => verifyBytes);
  loaded ??= load().then(sodiumVerify, () => verifyBytes);
  return loaded;
}

async function loadSodium(): Promise<SodiumEd25519> {
  const module = (await import("sodium-native")) as { default: SodiumEd25519 };
  return module.default;
}
