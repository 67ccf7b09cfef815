import { createHash, randomBytes } from "node:crypto";
import fc from "fast-check";
import sodium from "sodium-native";
import { describe, expect, it } from "vitest";
import { loadFastVerify, sodiumVerify, type SodiumEd25519 } from "./fast-verify.js";
import { generateKeyPair, keyPairFromSeed, signBytes, verifyBytes, type KeyPair } from "./key-pair.js";

const native = sodium as SodiumEd25519 & {
  crypto_core_ed25519_add(out: Uint8Array, p: Uint8Array, q: Uint8Array): void;
  crypto_scalarmult_ed25519_base_noclamp(out: Uint8Array, scalar: Uint8Array): void;
};

/** The order of the Ed25519 group. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const fromLittleEndian = (bytes: Uint8Array): bigint => BigInt(`0x${Buffer.from(bytes).reverse().toString("hex") || "0"}`);
const toLittleEndian = (value: bigint): Uint8Array => new Uint8Array(Buffer.from(value.toString(16).padStart(64, "0"), "hex").reverse());

/** The secret scalar a of a key pair (RFC 8032 §5.1.5). */
function secretScalar(pair: KeyPair): bigint {
  const digest = createHash("sha512").update(pair.secretKey.subarray(0, 32)).digest();
  const a = Buffer.from(digest.subarray(0, 32));
  a[0]! &= 248;
  a[31]! &= 127;
  a[31]! |= 64;
  return fromLittleEndian(a);
}

/** k = SHA-512(R ‖ A ‖ M) mod L. */
function challenge(r: Uint8Array, publicKey: Uint8Array, message: Uint8Array): bigint {
  return fromLittleEndian(createHash("sha512").update(r).update(publicKey).update(message).digest()) % L;
}

function signature(r: Uint8Array, s: bigint): Uint8Array {
  const out = new Uint8Array(64);
  out.set(r, 0);
  out.set(toLittleEndian(s % L), 32);
  return out;
}

describe("loadFastVerify", () => {
  it("loads libsodium here, rather than falling back to OpenSSL alone", async () => {
    expect(await loadFastVerify()).not.toBe(verifyBytes);
  });

  it("falls back to verifyBytes when sodium-native cannot be loaded", async () => {
    expect(await loadFastVerify(() => Promise.reject(new Error("no prebuilt addon for this platform")))).toBe(verifyBytes);
  });

  it("gives verifyBytes' verdict on genuine, tampered and truncated signatures", async () => {
    const verify = await loadFastVerify();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 256 }), fc.nat(1023), (seed, message, flip) => {
        const pair = keyPairFromSeed(seed);
        const genuine = signBytes(message, pair.secretKey);
        const tampered = new Uint8Array(genuine);
        tampered[flip % 64]! ^= 1 << flip % 8;
        const otherMessage = new Uint8Array([...message, flip & 0xff]);
        return (
          verify(message, genuine, pair.publicKey) &&
          verify(message, tampered, pair.publicKey) === verifyBytes(message, tampered, pair.publicKey) &&
          !verify(otherMessage, genuine, pair.publicKey) &&
          !verify(message, genuine.subarray(0, 63), pair.publicKey) &&
          !verify(message, genuine, pair.publicKey.subarray(0, 31))
        );
      }),
      { numRuns: 60 },
    );
  });

  it("refuses a signature whose scalar was pushed past the group order", async () => {
    const verify = await loadFastVerify();
    const pair = generateKeyPair();
    const message = new TextEncoder().encode("pushed");
    const genuine = signBytes(message, pair.secretKey);
    const pushed = new Uint8Array(genuine);
    pushed.set(toLittleEndian(fromLittleEndian(genuine.subarray(32)) + L), 32);
    expect(verify(message, pushed, pair.publicKey)).toBe(false);
  });

  it("accepts, as Go and OpenSSL do, a signature whose R is the identity (libsodium alone refuses it)", async () => {
    const verify = await loadFastVerify();
    const pair = generateKeyPair();
    const message = new TextEncoder().encode("R of order one");
    // With R = identity, S = k·a satisfies [S]B = R + [k]A.
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const crafted = signature(identity, challenge(identity, pair.publicKey, message) * secretScalar(pair));
    expect(native.crypto_sign_verify_detached(crafted, message, pair.publicKey)).toBe(false);
    expect(verifyBytes(message, crafted, pair.publicKey)).toBe(true);
    expect(verify(message, crafted, pair.publicKey)).toBe(true);
    expect(verify(new TextEncoder().encode("another message"), crafted, pair.publicKey)).toBe(false);
  });

  it("leaves a key with a small-order component to OpenSSL, with OpenSSL's verdicts", async () => {
    const verify = await loadFastVerify();
    const pair = generateKeyPair();
    const a = secretScalar(pair);
    // A' = A + T, T of order 8: [S]B - [k]A' = R - [k]T, which is R exactly when 8 divides k.
    const orderEight = new Uint8Array(Buffer.from("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", "hex"));
    const mixed = new Uint8Array(32);
    native.crypto_core_ed25519_add(mixed, pair.publicKey, orderEight);
    expect(native.crypto_core_ed25519_is_valid_point(mixed)).toBe(false);
    const verdicts = new Set<string>();
    for (let i = 0; verdicts.size < 2 && i < 200; i++) {
      const message = new TextEncoder().encode(`message ${i}`);
      const r = fromLittleEndian(randomBytes(32)) % L;
      const rPoint = new Uint8Array(32);
      native.crypto_scalarmult_ed25519_base_noclamp(rPoint, toLittleEndian(r));
      const k = challenge(rPoint, mixed, message);
      const crafted = signature(rPoint, r + k * a);
      const expected = k % 8n === 0n;
      expect(verifyBytes(message, crafted, mixed)).toBe(expected);
      expect(verify(message, crafted, mixed)).toBe(expected);
      verdicts.add(String(expected));
    }
    // Both outcomes were seen: the fallback was exercised both ways.
    expect(verdicts.size).toBe(2);
  });

  it("checks a key's group once per key array", () => {
    let checks = 0;
    const counting: SodiumEd25519 = {
      crypto_sign_verify_detached: (sig, message, publicKey) => native.crypto_sign_verify_detached(sig, message, publicKey),
      crypto_core_ed25519_is_valid_point: (point) => {
        checks += 1;
        return native.crypto_core_ed25519_is_valid_point(point);
      },
    };
    const verify = sodiumVerify(counting);
    const pair = generateKeyPair();
    const message = new Uint8Array([1, 2, 3]);
    const signed = signBytes(message, pair.secretKey);
    for (let i = 0; i < 5; i++) expect(verify(message, signed, pair.publicKey)).toBe(true);
    expect(checks).toBe(1);
  });
});
