import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from "node:crypto";
import fc from "fast-check";
import nacl from "tweetnacl";
import { describe, expect, it } from "vitest";
import { generateKeyPair, keyPairFromSecretKey, keyPairFromSeed, signBytes, verifyBytes } from "./key-pair.js";

const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "hex"));
const b64u = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64url");

/** RFC 8032 §7.1 test vectors. */
const RFC8032 = [
  {
    name: "TEST 1",
    seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    message: "",
    signature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  },
  {
    name: "TEST 2",
    seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    message: "72",
    signature: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  },
  {
    name: "TEST 3",
    seed: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
    publicKey: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
    message: "af82",
    signature: "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
  },
];

describe("Ed25519 (RFC 8032 §7.1)", () => {
  it.each(RFC8032)("$name: derives the public key, signs and verifies exactly", (vector) => {
    const pair = keyPairFromSeed(hex(vector.seed));
    expect(Buffer.from(pair.publicKey).toString("hex")).toBe(vector.publicKey);
    const signature = signBytes(hex(vector.message), pair.secretKey);
    expect(Buffer.from(signature).toString("hex")).toBe(vector.signature);
    expect(verifyBytes(hex(vector.message), signature, pair.publicKey)).toBe(true);
    // The same vector checked by a second, pure-JavaScript implementation.
    expect(nacl.sign.detached.verify(hex(vector.message), signature, pair.publicKey)).toBe(true);
    expect(Buffer.from(nacl.sign.keyPair.fromSeed(hex(vector.seed)).secretKey).equals(Buffer.from(pair.secretKey))).toBe(true);
    const publicKey = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: b64u(hex(vector.publicKey)) }, format: "jwk" });
    expect(nodeVerify(null, hex(vector.message), publicKey, hex(vector.signature))).toBe(true);
  });

  it("agrees with Node's Ed25519 on random keys and messages", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 256 }), (seed, message) => {
        const pair = keyPairFromSeed(seed);
        const privateKey = createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", d: b64u(seed), x: b64u(pair.publicKey) }, format: "jwk" });
        return Buffer.from(nodeSign(null, message, privateKey)).equals(Buffer.from(signBytes(message, pair.secretKey)));
      }),
      { numRuns: 30 },
    );
  });

  it("agrees with tweetnacl, an independent implementation, on keys, signatures and verdicts", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 256 }), fc.nat(255), (seed, message, flip) => {
        const pair = keyPairFromSeed(seed);
        const reference = nacl.sign.keyPair.fromSeed(seed);
        const signature = signBytes(message, pair.secretKey);
        const tampered = new Uint8Array(signature);
        tampered[flip % 64] = tampered[flip % 64]! ^ 1;
        return (
          Buffer.from(reference.publicKey).equals(Buffer.from(pair.publicKey)) &&
          Buffer.from(nacl.sign.detached(message, reference.secretKey)).equals(Buffer.from(signature)) &&
          verifyBytes(message, signature, pair.publicKey) &&
          verifyBytes(message, tampered, pair.publicKey) === nacl.sign.detached.verify(message, tampered, reference.publicKey)
        );
      }),
      { numRuns: 30 },
    );
  });

  it("refuses, without throwing, a public key that is not a point on the curve", () => {
    const pair = generateKeyPair();
    const signature = signBytes(new Uint8Array([1]), pair.secretKey);
    // y = 2 is not the y coordinate of any curve point.
    const notAPoint = new Uint8Array(32);
    notAPoint[0] = 2;
    expect(verifyBytes(new Uint8Array([1]), signature, notAPoint)).toBe(false);
    expect(verifyBytes(new Uint8Array([1]), signature, new Uint8Array(32).fill(0xff))).toBe(false);
  });

  it("rejects tampered messages and wrong lengths without throwing", () => {
    const pair = generateKeyPair();
    const signature = signBytes(new Uint8Array([1, 2, 3]), pair.secretKey);
    expect(verifyBytes(new Uint8Array([1, 2, 4]), signature, pair.publicKey)).toBe(false);
    expect(verifyBytes(new Uint8Array([1, 2, 3]), signature.subarray(1), pair.publicKey)).toBe(false);
    expect(verifyBytes(new Uint8Array([1, 2, 3]), signature, pair.publicKey.subarray(1))).toBe(false);
  });

  it("refuses a signature whose scalar was pushed past the group order (a second signature of the same message)", () => {
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 64 }), (seed, message) => {
        const pair = keyPairFromSeed(seed);
        const signature = signBytes(message, pair.secretKey);
        const s = BigInt(`0x${Buffer.from(signature.subarray(32)).reverse().toString("hex")}`);
        const pushed = s + L;
        // S + L still fits in 32 bytes whenever S < 2^256 - L, which holds for every real S.
        const altered = new Uint8Array(signature);
        altered.set(Buffer.from(pushed.toString(16).padStart(64, "0"), "hex").reverse(), 32);
        const publicKey = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: b64u(pair.publicKey) }, format: "jwk" });
        // Node (OpenSSL) refuses it too; the original stays valid.
        return !verifyBytes(message, altered, pair.publicKey) && !nodeVerify(null, message, publicKey, altered) && verifyBytes(message, signature, pair.publicKey);
      }),
      { numRuns: 30 },
    );
  });

  it("generates from the random source it is given", () => {
    const seed = hex(RFC8032[0]!.seed);
    expect(Buffer.from(generateKeyPair(() => seed).publicKey).toString("hex")).toBe(RFC8032[0]!.publicKey);
  });

  it("checks that a 64-byte secret key's public half matches its seed", () => {
    const pair = generateKeyPair();
    expect(keyPairFromSecretKey(pair.secretKey).ok).toBe(true);
    const forged = new Uint8Array(pair.secretKey);
    forged[63] = (forged[63]! + 1) % 256;
    expect(keyPairFromSecretKey(forged)).toMatchObject({ ok: false, error: { code: "key_mismatch" } });
    expect(keyPairFromSecretKey(pair.secretKey.subarray(0, 32))).toMatchObject({ ok: false, error: { code: "wrong_length" } });
  });
});
