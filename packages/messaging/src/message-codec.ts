import { createHash } from "node:crypto";
import {
  decodeBase58PublicKey,
  decodeBase58Signature,
  encodeBase58,
  signBytes,
  verifyBytes,
  type KeyPair,
} from "@org/identity";
import { MessagingError } from "./messaging-error.js";
import type { Result } from "@org/identity";
import { err, ok } from "@org/identity";

const COMMA = 0x2c;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The fields of a remaphore message, as signed. */
export interface MessageFields {
  /** Destination pattern the message is for (`**`, `site.*.host1`, ... or empty for replies). */
  readonly destination: string;
  /** Send time in nanoseconds since the epoch (a signed 64-bit integer on the wire). */
  readonly time: bigint;
  /** The message id, up to 12 bytes. */
  readonly uuid: Uint8Array;
  readonly verb: string;
  /** Whether the sender waits for replies (flag `Q`). */
  readonly request: boolean;
  readonly payload: Uint8Array;
}

/** A decoded message: its fields, who claims to have sent it, and the signature to check. */
export interface DecodedMessage extends MessageFields {
  readonly sender: Uint8Array;
  readonly signature: Uint8Array;
  /** The sender's key as it appeared on the wire (base58). */
  readonly senderText: string;
  /** The exact bytes received. */
  readonly raw: Uint8Array;
}

/**
 * The signed part of a message: `destination,hex(time),hex(uuid),verb,flag,payload`, with time
 * and uuid in lowercase unpadded hex and the flag `Q` or `_`.
 */
export function preBytes(fields: MessageFields): Uint8Array {
  const head = encoder.encode(
    `${fields.destination},${fields.time.toString(16)},${Buffer.from(fields.uuid).toString("hex")},${fields.verb},${fields.request ? "Q" : "_"},`,
  );
  const out = new Uint8Array(head.length + fields.payload.length);
  out.set(head, 0);
  out.set(fields.payload, head.length);
  return out;
}

const publicKeyTexts = new WeakMap<Uint8Array, string>();

/** The base58 text of a key, encoded once per key array. */
function publicKeyText(publicKey: Uint8Array): string {
  let text = publicKeyTexts.get(publicKey);
  if (text === undefined) {
    text = encodeBase58(publicKey);
    publicKeyTexts.set(publicKey, text);
  }
  return text;
}

/** Encodes and signs a message: `base58(public key),base58(signature),PRE`. */
export function encodeMessage(fields: MessageFields, identity: KeyPair): Result<Uint8Array, MessagingError> {
  if (fields.destination.includes(",")) return err(new MessagingError("invalid_field", "a destination cannot contain ','"));
  if (fields.verb.includes(",")) return err(new MessagingError("invalid_field", "a verb cannot contain ','"));
  if (fields.time < INT64_MIN || fields.time > INT64_MAX) return err(new MessagingError("invalid_field", "the time does not fit in 64 bits"));
  const pre = preBytes(fields);
  const signature = signBytes(pre, identity.secretKey);
  const head = encoder.encode(`${publicKeyText(identity.publicKey)},${encodeBase58(signature)},`);
  const raw = new Uint8Array(head.length + pre.length);
  raw.set(head, 0);
  raw.set(pre, head.length);
  return ok(raw);
}

/** Go's `strconv.ParseInt(text, 16, 64)`: optional sign, any case, leading zeros, 64-bit range. */
function parseHexInt64(text: string): bigint | undefined {
  const match = /^([+-]?)([0-9a-fA-F]+)$/.exec(text);
  if (!match) return undefined;
  const magnitude = BigInt(`0x${match[2]!}`);
  const value = match[1] === "-" ? -magnitude : magnitude;
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}

function malformed(why: string): Result<never, MessagingError> {
  return err(new MessagingError("malformed_message", `message format corrupt: ${why}`));
}

/** Positions of a message's first seven commas, or undefined when it has fewer. */
export function messageCommas(raw: Uint8Array): number[] | undefined {
  const commas: number[] = [];
  let from = 0;
  while (commas.length < 7) {
    const at = raw.indexOf(COMMA, from);
    if (at === -1) return undefined;
    commas.push(at);
    from = at + 1;
  }
  return commas;
}

/**
 * Decodes a message as leniently as the original: upper-case and zero-padded hex, a `+` sign on the
 * time, and any flag other than `Q` (read as `_`). The payload is everything after the seventh
 * comma. The signature is not checked here: see {@link verifySignature}. `knownSender` is the key
 * the sender field's text is already known to stand for.
 */
export function decodeMessage(raw: Uint8Array, knownSender?: Uint8Array): Result<DecodedMessage, MessagingError> {
  const commas = messageCommas(raw);
  if (!commas) {
    let found = 0;
    for (const byte of raw) if (byte === COMMA) found++;
    return malformed(`expected 8 comma-separated fields, found ${found + 1}`);
  }
  return decodeFramedMessage(raw, commas, knownSender);
}

/** {@link decodeMessage} of a message whose seven commas are already found (see {@link messageCommas}). */
export function decodeFramedMessage(raw: Uint8Array, commas: readonly number[], knownSender?: Uint8Array): Result<DecodedMessage, MessagingError> {
  const field = (index: number): string => decoder.decode(raw.subarray(index === 0 ? 0 : commas[index - 1]! + 1, commas[index]));
  const senderText = field(0);
  // A receiver that found the sender's text among its peers already holds the key's bytes.
  const sender = knownSender === undefined ? decodeBase58PublicKey(senderText) : ok(knownSender);
  if (!sender.ok) return malformed(`sender key: ${sender.error.message}`);
  const signature = decodeBase58Signature(field(1));
  if (!signature.ok) return malformed(`signature: ${signature.error.message}`);
  const time = parseHexInt64(field(3));
  if (time === undefined) return malformed(`time is not a 64-bit hex number: ${JSON.stringify(field(3))}`);
  const uuidText = field(4);
  if (!/^([0-9a-fA-F]{2})*$/.test(uuidText)) return malformed(`uuid is not hex: ${JSON.stringify(uuidText)}`);
  return ok({
    sender: sender.value,
    senderText,
    signature: signature.value,
    destination: field(2),
    time,
    uuid: new Uint8Array(Buffer.from(uuidText, "hex")),
    verb: field(5),
    request: field(6) === "Q",
    payload: raw.subarray(commas[6]! + 1),
    raw,
  });
}

const DASH = 0x2d;
const ZERO = 0x30;

/** Whether bytes [start, end) are all ASCII: decoding and re-encoding them gives them back. */
function isAscii(raw: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (raw[i]! >= 0x80) return false;
  return true;
}

/** Whether bytes [start, end) are lowercase hex digits. */
function isLowerHex(raw: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = raw[i]!;
    if (!((byte >= ZERO && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66))) return false;
  }
  return true;
}

/**
 * The bytes the signature covers ({@link preBytes}) of a decoded message. A message written
 * canonically, as every sender writes it (ASCII destination and verb, lowercase hex without leading
 * zeros, flag `Q` or `_`), already holds them after its second comma: they are used in place
 * instead of being serialised again. Any other spelling is re-serialised.
 */
export function signedBytes(message: DecodedMessage, commas: readonly number[]): Uint8Array {
  const { raw } = message;
  const [, second, third, fourth, fifth, sixth, seventh] = commas as [number, number, number, number, number, number, number];
  const timeStart = raw[third + 1] === DASH ? third + 2 : third + 1;
  const canonical =
    isAscii(raw, second + 1, third) &&
    isAscii(raw, fifth + 1, sixth) &&
    // The time: "0", or hex digits not starting with 0, after an optional minus sign.
    timeStart < fourth &&
    isLowerHex(raw, timeStart, fourth) &&
    (raw[timeStart] !== ZERO || (fourth - timeStart === 1 && timeStart === third + 1)) &&
    isLowerHex(raw, fourth + 1, fifth) &&
    seventh - sixth === 2 &&
    (raw[sixth + 1] === 0x51 || raw[sixth + 1] === 0x5f);
  return canonical ? raw.subarray(second + 1) : preBytes(message);
}

/** Checks a decoded message's signature over its fields re-serialised canonically, as the original does. */
export function verifySignature(message: DecodedMessage): boolean {
  return verifyBytes(preBytes(message), message.signature, message.sender);
}

/** Lowercase hex sha256 of the raw message: names the subject its replies are sent to. */
export function messageDigest(raw: Uint8Array): string {
  return createHash("sha256").update(raw).digest("hex");
}

/** The subject replies to a request go to: `<subject>.<sha256 of the raw request>`. */
export function replySubject(subject: string, raw: Uint8Array): string {
  return `${subject}.${messageDigest(raw)}`;
}

/** The publish subject: `<subject>.all`, or `<subject>.<suffix>` for `-S suffix`. */
export function publishSubject(subject: string, suffix?: string): string {
  return `${subject}.${suffix && suffix !== "" ? suffix : "all"}`;
}

/**
 * The message id for `-u VALUE`: empty → 12 random bytes; up to 12 bytes → the bytes of VALUE;
 * longer → the first 12 bytes of sha256(VALUE).
 */
export function messageUuid(value: string | undefined, random: (length: number) => Uint8Array): Uint8Array {
  if (value === undefined || value === "") return random(12);
  const bytes = encoder.encode(value);
  if (bytes.length <= 12) return bytes;
  return new Uint8Array(createHash("sha256").update(bytes).digest().subarray(0, 12));
}
