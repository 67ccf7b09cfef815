import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { encodeBase64Url } from "./key-encoding.js";
import { generateKeyPair } from "./key-pair.js";
import { formatSignatureTime, signRequest, verifyRequest, verifySignedJson } from "./signed-request.js";

const pair = generateKeyPair();
const b64u = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64url");
const nodePublic = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: b64u(pair.publicKey) }, format: "jwk" });
const nodePrivate = createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", d: b64u(pair.secretKey.subarray(0, 32)), x: b64u(pair.publicKey) }, format: "jwk" });
const NOW = Date.UTC(2026, 10, 22, 13, 45, 1, 123);
const body = JSON.stringify({ relay_id: "7b8a7a8e-8a3c-4f4e-9d0e-2a4f0e5d9c11", public_key: encodeBase64Url(pair.publicKey), version: "0.1.0" });

describe("signRequest", () => {
  it("writes the time as RFC 3339 with microseconds", () => {
    expect(formatSignatureTime(new Date(NOW))).toBe("2026-11-22T13:45:01.123000Z");
  });

  it("produces what an independent Ed25519 verifier accepts over header ‖ 0x00 ‖ body", () => {
    const value = signRequest(body, pair.secretKey, new Date(NOW));
    const [signature, header] = value.split(".") as [string, string];
    const headerBytes = Buffer.from(header, "base64url");
    expect(headerBytes.toString()).toBe('{"t":"2026-11-22T13:45:01.123000Z"}');
    expect(signature).not.toContain("=");
    const message = Buffer.concat([headerBytes, Buffer.from([0]), Buffer.from(body)]);
    expect(nodeVerify(null, message, nodePublic, Buffer.from(signature, "base64url"))).toBe(true);
  });
});

describe("verifyRequest", () => {
  /** A signature made by Node's Ed25519 the way a Python or Rust signer would write it. */
  function foreignSignature(time: string, signedBody: string): string {
    const header = Buffer.from(JSON.stringify({ t: time }));
    const signature = nodeSign(null, Buffer.concat([header, Buffer.from([0]), Buffer.from(signedBody)]), nodePrivate);
    return `${b64u(signature)}.${b64u(header)}`;
  }

  it("accepts signatures made by another implementation, in any time precision", () => {
    for (const time of ["2026-11-22T13:45:00.654321Z", "2026-11-22T13:45:00Z", "2026-11-22T13:45:00.654321+00:00"]) {
      expect(verifyRequest(body, foreignSignature(time, body), { publicKey: pair.publicKey, now: NOW }).ok).toBe(true);
    }
  });

  it("tells a broken encoding, a bad signature, an old one and a future one apart", () => {
    const good = signRequest(body, pair.secretKey, new Date(NOW));
    expect(verifyRequest(body, "nodot", { publicKey: pair.publicKey, now: NOW })).toMatchObject({ ok: false, error: { code: "invalid_encoding" } });
    expect(verifyRequest(body, `${good.split(".")[0]!}.${b64u(Buffer.from("{}"))}`, { publicKey: pair.publicKey, now: NOW })).toMatchObject({
      ok: false,
      error: { code: "invalid_encoding" },
    });
    expect(verifyRequest(`${body} `, good, { publicKey: pair.publicKey, now: NOW })).toMatchObject({ ok: false, error: { code: "bad_signature" } });
    expect(verifyRequest(body, good, { publicKey: generateKeyPair().publicKey, now: NOW })).toMatchObject({ ok: false, error: { code: "bad_signature" } });
    expect(verifyRequest(body, good, { publicKey: pair.publicKey, now: NOW + 301_000 })).toMatchObject({ ok: false, error: { code: "signature_expired" } });
    expect(verifyRequest(body, good, { publicKey: pair.publicKey, now: NOW + 301_000, maxAgeMs: 600_000 }).ok).toBe(true);
    expect(verifyRequest(body, good, { publicKey: pair.publicKey, now: NOW - 120_000 })).toMatchObject({ ok: false, error: { code: "signature_in_future" } });
  });

  it("reports a signed body that does not match the request as body_mismatch", () => {
    const signature = signRequest(body, pair.secretKey, new Date(NOW));
    const isForRelay = (id: string) => (json: unknown): json is { relay_id: string } => (json as { relay_id?: unknown }).relay_id === id;
    expect(verifySignedJson(body, signature, { publicKey: pair.publicKey, now: NOW, accept: isForRelay("7b8a7a8e-8a3c-4f4e-9d0e-2a4f0e5d9c11") }).ok).toBe(true);
    expect(verifySignedJson(body, signature, { publicKey: pair.publicKey, now: NOW, accept: isForRelay("another") })).toMatchObject({
      ok: false,
      error: { code: "body_mismatch" },
    });
    const notJson = signRequest("not json", pair.secretKey, new Date(NOW));
    expect(verifySignedJson("not json", notJson, { publicKey: pair.publicKey, now: NOW })).toMatchObject({ ok: false, error: { code: "body_mismatch" } });
  });
});
