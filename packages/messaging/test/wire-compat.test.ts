import { decodeBase58SecretKey, decodeBase58Signature, encodeBase58, keyPairFromSecretKey, type KeyPair } from "@org/identity";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkMessage } from "../src/check-message.js";
import {
  decodeMessage,
  encodeMessage,
  messageCommas,
  messageDigest,
  messageUuid,
  preBytes,
  replySubject,
  signedBytes,
  verifySignature,
} from "../src/message-codec.js";
import { parseRemaphoreConfig, type RemaphoreConfig } from "../src/remaphore-config.js";
import { ReplayCache } from "../src/replay-cache.js";
import { vectors, type WireVector } from "./vectors.js";

const enc = (text: string): Uint8Array => new TextEncoder().encode(text);

function keyPair(name: "A" | "B"): KeyPair {
  const secret = decodeBase58SecretKey(vectors.keys[name].priv58);
  if (!secret.ok) throw secret.error;
  const pair = keyPairFromSecretKey(secret.value);
  if (!pair.ok) throw pair.error;
  return pair.value;
}

function config(name: "A.conf" | "B.conf"): RemaphoreConfig {
  const parsed = parseRemaphoreConfig(vectors.configs[name]);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
}

/** Milliseconds of a captured message's own send time: replays are checked "as if now". */
function sentAt(raw: string): number {
  const decoded = decodeMessage(enc(raw));
  if (!decoded.ok) throw decoded.error;
  return Number(decoded.value.time / 1_000_000n);
}

const sent: WireVector[] = [vectors.go_send.wire, ...vectors.sender_variants.wire];

describe("messages captured from the original tool", () => {
  it.each(sent.map((v) => [v.raw.slice(-12), v] as const))("decodes and verifies …%s", (_tail, vector) => {
    const decoded = decodeMessage(enc(vector.raw));
    if (!decoded.ok) throw decoded.error;
    const fields = vector.fields!;
    expect(decoded.value.senderText).toBe(fields.pub58);
    expect(decoded.value.destination).toBe(fields.dest);
    expect(decoded.value.time.toString(16)).toBe(fields.time_hex);
    expect(Buffer.from(decoded.value.uuid).toString("hex")).toBe(fields.uuid_hex);
    expect(decoded.value.verb).toBe(fields.verb);
    expect(Buffer.from(decoded.value.payload).toString()).toBe(fields.payload);
    expect(verifySignature(decoded.value)).toBe(true);
    expect(messageDigest(enc(vector.raw))).toBe(fields.sha256_hex);
  });

  it.each(sent.map((v) => [v.raw.slice(-12), v] as const))("is reproduced byte for byte by our encoder …%s", (_tail, vector) => {
    const fields = vector.fields!;
    const raw = encodeMessage(
      {
        destination: fields.dest,
        time: BigInt(`0x${fields.time_hex}`),
        uuid: new Uint8Array(Buffer.from(fields.uuid_hex, "hex")),
        verb: fields.verb,
        request: fields.flag === "Q",
        payload: enc(fields.payload),
      },
      keyPair("A"),
    );
    expect(raw.ok && Buffer.from(raw.value).toString()).toBe(vector.raw);
  });

  it("derives message ids like the original's -u", () => {
    const random = (): Uint8Array => new Uint8Array(12).fill(7);
    expect(Buffer.from(messageUuid("short-uuid", random)).toString("hex")).toBe("73686f72742d75756964");
    expect(Buffer.from(messageUuid("a-very-long-uuid-value", random)).toString("hex")).toBe("ce61cfc60b3e84c6feca55be");
    expect(Buffer.from(messageUuid("123456789012", random)).toString("hex")).toBe("313233343536373839303132");
    expect(messageUuid(undefined, random)).toEqual(new Uint8Array(12).fill(7));
  });

  it("names the reply subject after the raw request, as the original's requester expects", () => {
    const exchange = vectors.request_reply[0] as { request: { raw: string }; reply: { subject: string; raw: string } };
    expect(replySubject("remaphore", enc(exchange.request.raw))).toBe(exchange.reply.subject);
    const reply = checkMessage(enc(exchange.reply.raw), { config: config("A.conf"), now: sentAt(exchange.reply.raw), kind: "reply" });
    expect(reply.ok && reply.value.peer.destination).toBe("site.b.host1");
    expect(reply.ok && Buffer.from(reply.value.payload).toString()).toBe("0,pong ping x\n");
  });

  it("refuses commas in destination and verb when sending", () => {
    const base = { destination: "a", time: 1n, uuid: new Uint8Array(), verb: "ping", request: false, payload: new Uint8Array() };
    expect(encodeMessage({ ...base, destination: "a,b" }, keyPair("A")).ok).toBe(false);
    expect(encodeMessage({ ...base, verb: "pi,ng" }, keyPair("A")).ok).toBe(false);
  });
});

describe("the original's lenient decoding and its rejections (receiver B)", () => {
  const expected: Record<string, string> = {
    "01-upper-time": "accepted",
    "02-zeropad-time": "accepted",
    "03-plus-time": "accepted",
    "04-upper-uuid": "accepted",
    "05-flag-X-signed-underscore": "accepted",
    "06-upper-time-signed-as-sent": "bad_signature",
    "07-skew-past-10s": "skew",
    "08-skew-future-4s": "accepted",
    "09-verb-PING": "verb_not_allowed",
    "10-bad-sig": "bad_signature",
    "11-empty-verb": "verb_not_allowed",
    "12-empty-uuid": "accepted",
    "13-dest-nomatch": "destination",
    "14-dest-star-segment": "accepted",
    "15-unknown": "unknown_sender",
    "16-garbage": "malformed",
  };

  it.each(vectors.lenient_and_rejects.cases.map((c) => [c.label!, c] as const))("%s", (label, vector) => {
    // The skew cases were published 10 s late and 4 s early; every other case is checked at its own time.
    const decoded = decodeMessage(enc(vector.raw));
    const offset = label.startsWith("07") ? 10_000 : label.startsWith("08") ? -4_000 : 0;
    const now = decoded.ok ? Number(decoded.value.time / 1_000_000n) + offset : Date.now();
    const result = checkMessage(enc(vector.raw), { config: config("B.conf"), now, kind: "message", destinationFilter: { kind: "match", destination: "site.b.host1" } });
    expect(result.ok ? "accepted" : result.error.reason).toBe(expected[label]);
    if (label === "05-flag-X-signed-underscore") expect(result.ok && result.value.request).toBe(false);
  });

  it("does not crash on the pattern that crashes the original", () => {
    const result = checkMessage(enc(vectors.matcher_crash.raw), {
      config: config("B.conf"),
      now: sentAt(vectors.matcher_crash.raw),
      kind: "message",
      destinationFilter: { kind: "match", destination: vectors.matcher_crash.receiver_destination },
    });
    expect(result.ok ? "accepted" : result.error.reason).toBe("destination");
  });

  it("drops a replayed message the original would run twice", () => {
    const cache = new ReplayCache(10_000);
    const now = sentAt(vectors.replay.raw);
    const check = (): string => {
      const result = checkMessage(enc(vectors.replay.raw), { config: config("B.conf"), now, kind: "message", replayCache: cache });
      return result.ok ? "accepted" : result.error.reason;
    };
    expect(check()).toBe("accepted");
    expect(check()).toBe("replay");
  });

  it("drops a replay whose signature was made to look new by adding the group order to its scalar", () => {
    const cache = new ReplayCache(10_000);
    const now = sentAt(vectors.replay.raw);
    const check = (raw: string): string => {
      const result = checkMessage(enc(raw), { config: config("B.conf"), now, kind: "message", replayCache: cache });
      return result.ok ? "accepted" : result.error.reason;
    };
    const [sender, signature, ...rest] = vectors.replay.raw.split(",");
    const decoded = decodeBase58Signature(signature!);
    if (!decoded.ok) throw decoded.error;
    const bytes = decoded.value;
    const s = BigInt(`0x${Buffer.from(bytes.subarray(32)).reverse().toString("hex")}`);
    const pushed = s + 2n ** 252n + 27742317777372353535851937790883648493n;
    const altered = new Uint8Array(bytes);
    altered.set(Buffer.from(pushed.toString(16).padStart(64, "0"), "hex").reverse(), 32);
    expect(check(vectors.replay.raw)).toBe("accepted");
    expect(check([sender, encodeBase58(altered), ...rest].join(","))).toBe("bad_signature");
  });
});

describe("codec properties", () => {
  it("never throws on arbitrary bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => typeof decodeMessage(bytes).ok === "boolean"));
    fc.assert(fc.property(fc.array(fc.oneof(fc.constant(","), fc.string()), { maxLength: 12 }), (parts) => typeof decodeMessage(enc(parts.join(""))).ok === "boolean"));
  });

  it("decodes what it encodes, and the signature verifies", () => {
    const pair = keyPair("A");
    fc.assert(
      fc.property(
        fc.record({
          destination: fc.stringMatching(/^[a-z*.]{0,20}$/),
          time: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
          uuid: fc.uint8Array({ maxLength: 12 }),
          verb: fc.stringMatching(/^[a-z]{0,8}$/),
          request: fc.boolean(),
          payload: fc.uint8Array({ maxLength: 64 }),
        }),
        (fields) => {
          const { destination, time, request, payload } = fields;
          const raw = encodeMessage(fields, pair);
          if (!raw.ok) return false;
          const back = decodeMessage(raw.value);
          return (
            back.ok &&
            verifySignature(back.value) &&
            back.value.destination === destination &&
            back.value.time === time &&
            back.value.request === request &&
            Buffer.from(back.value.payload).equals(Buffer.from(payload))
          );
        },
      ),
      { numRuns: 50 },
    );
  });

  it("finds the signed bytes in place in a canonical message, and re-serialises any other spelling", () => {
    const pair = keyPair("A");
    /** Respellings the original's decoder accepts: the signed bytes stay the canonical ones. */
    const respell = (fields: string[], how: number): string[] => {
      const out = [...fields];
      if (how === 1) out[3] = out[3]!.replace(/^-?/, "$&0");
      if (how === 2) out[3] = out[3]!.startsWith("-") ? out[3]! : `+${out[3]!}`;
      if (how === 3) out[3] = out[3]!.toUpperCase();
      if (how === 4) out[4] = out[4]!.toUpperCase();
      if (how === 5) out[6] = "x";
      return out;
    };
    fc.assert(
      fc.property(
        fc.record({
          destination: fc.string({ unit: fc.constantFrom("a", "é", "*", ".", "\uFEFF", "z"), maxLength: 12 }),
          time: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
          uuid: fc.uint8Array({ maxLength: 12 }),
          verb: fc.stringMatching(/^[a-zé]{0,6}$/),
          request: fc.boolean(),
          payload: fc.uint8Array({ maxLength: 32 }),
        }),
        fc.integer({ min: 0, max: 5 }),
        (fields, how) => {
          const { destination, verb } = fields;
          const raw = encodeMessage(fields, pair);
          if (!raw.ok) return false;
          const head = Buffer.from(raw.value).toString("latin1").split(",", 7);
          const tail = raw.value.subarray(head.join(",").length + 1);
          const spelled = Buffer.concat([Buffer.from(respell(head, how).join(","), "latin1"), Buffer.from(","), tail]);
          const commas = messageCommas(spelled)!;
          const decoded = decodeMessage(spelled);
          if (!decoded.ok) return false;
          const signed = signedBytes(decoded.value, commas);
          const inPlace = signed.buffer === spelled.buffer && signed.byteOffset === spelled.byteOffset + commas[1]! + 1;
          // Every respelling is re-serialised (in place it would differ from preBytes); an
          // unchanged message with ASCII destination and verb is used in place.
          return Buffer.from(signed).equals(Buffer.from(preBytes(decoded.value))) && (inPlace || how !== 0 || !/^[\x20-\x7e]*$/.test(destination + verb));
        },
      ),
      { numRuns: 200 },
    );
  });
});
