import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sharedDir } from "@org/testkit";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeBase58PublicKey,
  decodeBase58SecretKey,
  decodeBase58Signature,
  decodeBase64UrlPublicKey,
  decodeBase64UrlSecretKey,
  encodeBase58,
  encodeBase64Url,
  encodeBase64UrlSecretKey,
} from "./key-encoding.js";
import { generateKeyPair, keyPairFromSeed, verifyBytes } from "./key-pair.js";

interface Vectors {
  keys: Record<string, { pub58: string; priv58: string; seed_hex: string; pub_hex: string }>;
  go_send: { wire: { raw: string } };
}
const vectors = JSON.parse(readFileSync(join(sharedDir(), "fixtures", "remaphore-original", "vectors.json"), "utf8")) as Vectors;

describe("base58 keys (remaphore)", () => {
  it.each(Object.entries(vectors.keys))("reads key %s of the original tool", (_name, key) => {
    const publicKey = decodeBase58PublicKey(key.pub58);
    const secretKey = decodeBase58SecretKey(key.priv58);
    if (!publicKey.ok || !secretKey.ok) throw new Error("decoding failed");
    expect(Buffer.from(publicKey.value).toString("hex")).toBe(key.pub_hex);
    expect(Buffer.from(secretKey.value.subarray(0, 32)).toString("hex")).toBe(key.seed_hex);
    const derived = keyPairFromSeed(secretKey.value.subarray(0, 32));
    expect(encodeBase58(derived.publicKey)).toBe(key.pub58);
    expect(encodeBase58(derived.secretKey)).toBe(key.priv58);
  });

  it("verifies a message signed by the original tool over its PRE bytes", () => {
    const raw = vectors.go_send.wire.raw;
    const [pub58, sig58] = raw.split(",", 2) as [string, string];
    const pre = raw.slice(pub58.length + sig58.length + 2);
    const publicKey = decodeBase58PublicKey(pub58);
    const signature = decodeBase58Signature(sig58);
    if (!publicKey.ok || !signature.ok) throw new Error("decoding failed");
    expect(verifyBytes(Buffer.from(pre), signature.value, publicKey.value)).toBe(true);
    expect(verifyBytes(Buffer.from(`${pre}!`), signature.value, publicKey.value)).toBe(false);
  });

  it.each([
    ["0OIl", "invalid_encoding"],
    ["", "invalid_encoding"],
    ["2yF46KGZqz6a9RPXYCrTGkJ7v9A2PGhF5Bg93qFG", "wrong_length"],
  ])("tells %j apart: %s", (text, code) => {
    expect(decodeBase58PublicKey(text)).toMatchObject({ ok: false, error: { code } });
  });

  it("round-trips and never throws", () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
      const back = decodeBase58PublicKey(encodeBase58(bytes));
      return back.ok && Buffer.from(back.value).equals(Buffer.from(bytes));
    }));
    fc.assert(fc.property(fc.string(), (text) => typeof decodeBase58SecretKey(text).ok === "boolean" && typeof decodeBase58Signature(text).ok === "boolean"));
  });
});

describe("base64url keys (relay)", () => {
  it("writes the secret key as the 32-byte seed and reads both forms", () => {
    const pair = generateKeyPair();
    const seed = encodeBase64UrlSecretKey(pair);
    expect(seed).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const fromSeed = decodeBase64UrlSecretKey(seed);
    const fromFull = decodeBase64UrlSecretKey(encodeBase64Url(pair.secretKey));
    expect(fromSeed.ok && Buffer.from(fromSeed.value.publicKey).equals(Buffer.from(pair.publicKey))).toBe(true);
    expect(fromFull.ok && Buffer.from(fromFull.value.publicKey).equals(Buffer.from(pair.publicKey))).toBe(true);
    expect(encodeBase64Url(pair.publicKey)).toHaveLength(43);
  });

  it.each([
    ["abc+/def", "invalid_encoding"],
    ["a", "invalid_encoding"],
    ["AAAA", "wrong_length"],
  ])("tells %j apart: %s", (text, code) => {
    expect(decodeBase64UrlPublicKey(text)).toMatchObject({ ok: false, error: { code } });
    expect(decodeBase64UrlSecretKey(text)).toMatchObject({ ok: false, error: { code } });
  });

  it("never throws", () => {
    fc.assert(fc.property(fc.string(), (text) => typeof decodeBase64UrlSecretKey(text).ok === "boolean"));
  });
});
