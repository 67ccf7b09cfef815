import { createPrivateKey, sign, type KeyObject } from "node:crypto";
import { encodeBase64Url, formatSignatureTime } from "@org/identity";

/** PKCS #8 prefix of an Ed25519 private key; the 32-byte seed follows. */
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/**
 * Signs request bodies as relays do (`base64url(signature).base64url({"t":…})` over
 * `header ‖ 0x00 ‖ body`), with Node's native Ed25519: forwarding signs every envelope, and the
 * signatures must not cost the event loop what a JavaScript implementation costs.
 */
export function createRequestSigner(secretKey: Uint8Array): (body: Uint8Array, now?: Date) => string {
  const key: KeyObject = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, secretKey.subarray(0, 32)]), format: "der", type: "pkcs8" });
  return (body, now = new Date()) => {
    const header = Buffer.from(JSON.stringify({ t: formatSignatureTime(now) }));
    const message = Buffer.concat([header, Buffer.from([0]), body]);
    return `${encodeBase64Url(sign(null, message, key))}.${encodeBase64Url(header)}`;
  };
}
