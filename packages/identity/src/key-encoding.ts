import { decodeBase58Bytes, encodeBase58Bytes } from "./base58.js";
import { IdentityError } from "./identity-error.js";
import { PUBLIC_KEY_LENGTH, SECRET_KEY_LENGTH, SEED_LENGTH, SIGNATURE_LENGTH, keyPairFromSecretKey, keyPairFromSeed, type KeyPair } from "./key-pair.js";
import type { Result } from "@org/protocol/result";
import { err, ok } from "@org/protocol/result";

/** Encodes bytes in base58 with the Bitcoin alphabet (remaphore's keys and signatures). */
export function encodeBase58(bytes: Uint8Array): string {
  return encodeBase58Bytes(bytes);
}

function decodeBase58(text: string, length: number, what: string): Result<Uint8Array, IdentityError> {
  const bytes = decodeBase58Bytes(text.trim());
  if (bytes === undefined || text.trim() === "") return err(new IdentityError("invalid_encoding", `the ${what} is not valid base58`));
  if (bytes.length !== length) {
    return err(new IdentityError("wrong_length", `the ${what} has ${bytes.length} bytes, expected ${length}`));
  }
  return ok(bytes);
}

/** Decodes a base58 public key (32 bytes). */
export function decodeBase58PublicKey(text: string): Result<Uint8Array, IdentityError> {
  return decodeBase58(text, PUBLIC_KEY_LENGTH, "public key");
}

/** Decodes a base58 private key (64 bytes: seed ‖ public key). */
export function decodeBase58SecretKey(text: string): Result<Uint8Array, IdentityError> {
  return decodeBase58(text, SECRET_KEY_LENGTH, "private key");
}

/** Decodes a base58 signature (64 bytes). */
export function decodeBase58Signature(text: string): Result<Uint8Array, IdentityError> {
  return decodeBase58(text, SIGNATURE_LENGTH, "signature");
}

/** Encodes bytes as base64url without padding (the relay's keys and signatures). */
export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Decodes base64url without padding; refuses other alphabets and impossible lengths. */
export function decodeBase64Url(text: string, what: string): Result<Uint8Array, IdentityError> {
  const trimmed = text.trim();
  if (!BASE64URL.test(trimmed) || trimmed.length % 4 === 1) {
    return err(new IdentityError("invalid_encoding", `the ${what} is not valid base64url`));
  }
  return ok(new Uint8Array(Buffer.from(trimmed, "base64url")));
}

/** Decodes a base64url public key (32 bytes). */
export function decodeBase64UrlPublicKey(text: string): Result<Uint8Array, IdentityError> {
  const decoded = decodeBase64Url(text, "public key");
  if (!decoded.ok) return decoded;
  if (decoded.value.length !== PUBLIC_KEY_LENGTH) {
    return err(new IdentityError("wrong_length", `the public key has ${decoded.value.length} bytes, expected ${PUBLIC_KEY_LENGTH}`));
  }
  return decoded;
}

/** Decodes a base64url secret key: the 32-byte seed, or the 64-byte seed ‖ public key form. */
export function decodeBase64UrlSecretKey(text: string): Result<KeyPair, IdentityError> {
  const decoded = decodeBase64Url(text, "secret key");
  if (!decoded.ok) return decoded;
  if (decoded.value.length === SEED_LENGTH) return ok(keyPairFromSeed(decoded.value));
  if (decoded.value.length === SECRET_KEY_LENGTH) return keyPairFromSecretKey(decoded.value);
  return err(
    new IdentityError("wrong_length", `the secret key has ${decoded.value.length} bytes, expected ${SEED_LENGTH} or ${SECRET_KEY_LENGTH}`),
  );
}

/** Encodes a key pair's secret key the relay's way: the 32-byte seed in base64url. */
export function encodeBase64UrlSecretKey(pair: KeyPair): string {
  return encodeBase64Url(pair.secretKey.subarray(0, SEED_LENGTH));
}
