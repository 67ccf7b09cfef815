import { generateKeyPair, signRequest, verifyRequest } from "@org/identity";
import { describe, expect, it } from "vitest";
import { createRequestSigner } from "./envelope-signature.js";

describe("createRequestSigner", () => {
  it("makes the same signatures as the identity package, verifiable by it", () => {
    const pair = generateKeyPair();
    const body = new TextEncoder().encode('{"event_id":"x"}\n{"type":"event"}\n{}\n');
    const at = new Date("2026-12-01T10:00:00.123Z");
    const signature = createRequestSigner(pair.secretKey)(body, at);
    expect(signature).toBe(signRequest(body, pair.secretKey, at));
    expect(verifyRequest(body, signature, { publicKey: pair.publicKey, now: at.getTime() }).ok).toBe(true);
  });
});
