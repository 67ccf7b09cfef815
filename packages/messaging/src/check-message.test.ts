import { encodeBase58, generateKeyPair, type KeyPair } from "@org/identity";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkMessage, type CheckOptions } from "./check-message.js";
import { encodeMessage } from "./message-codec.js";
import { parseRemaphoreConfig, type RemaphoreConfig } from "./remaphore-config.js";
import { ReplayCache } from "./replay-cache.js";

const self = generateKeyPair();
const peer = generateKeyPair();
const stranger = generateKeyPair();
const peerKey = encodeBase58(peer.publicKey);
const T = 1_800_000_000_000;

function configFor(): RemaphoreConfig {
  const parsed = parseRemaphoreConfig(
    [
      "server: nats://127.0.0.1:4222",
      "destination: site.b.host1",
      "[ Identities ]",
      `${encodeBase58(self.publicKey)} ${encodeBase58(self.secretKey)} [*]`,
      "[ Peers ]",
      `site.a.host1 ${peerKey} [ping]`,
    ].join("\n"),
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
}

const config = configFor();

function message(fields: { readonly destination?: string; readonly verb?: string; readonly timeMs?: number; readonly payload?: string }, pair: KeyPair = peer): Uint8Array {
  const raw = encodeMessage(
    {
      destination: fields.destination ?? "site.b.*",
      time: BigInt(fields.timeMs ?? T) * 1_000_000n,
      uuid: new Uint8Array(12),
      verb: fields.verb ?? "ping",
      request: false,
      payload: Buffer.from(fields.payload ?? "x"),
    },
    pair,
  );
  if (!raw.ok) throw raw.error;
  return raw.value;
}

/** The message with its signature field replaced by text that is not even base58. */
function withGarbageSignature(raw: Uint8Array): Uint8Array {
  const parts = Buffer.from(raw).toString("latin1").split(",");
  parts[1] = "not-a-signature!";
  return Buffer.from(parts.join(","), "latin1");
}

const options = (extra: Partial<CheckOptions> = {}): CheckOptions => ({
  config,
  now: T,
  kind: "message",
  destinationFilter: { kind: "match", destination: "site.b.host1" },
  ...extra,
});

const reason = (raw: Uint8Array, extra: Partial<CheckOptions> = {}): string => {
  const result = checkMessage(raw, options(extra));
  return result.ok ? "accepted" : result.error.reason;
};

describe("checkMessage", () => {
  it("accepts a signed message from a peer, for our destination, in time", () => {
    expect(reason(message({}))).toBe("accepted");
  });

  it("drops on the cheap checks before decoding or verifying anything", () => {
    // Each of these carries a signature that does not even decode: the cheap check answers first.
    expect(reason(withGarbageSignature(message({}, stranger)))).toBe("unknown_sender");
    expect(reason(withGarbageSignature(message({ verb: "delete" })))).toBe("verb_not_allowed");
    expect(reason(withGarbageSignature(message({ destination: "site.c.*" })))).toBe("destination");
    expect(reason(withGarbageSignature(message({})), { sender: encodeBase58(stranger.publicKey) })).toBe("other_sender");
    // Past the cheap checks, the same garbage is malformed.
    expect(reason(withGarbageSignature(message({})))).toBe("malformed");
  });

  it("judges skew against the arrival time it is given", () => {
    expect(reason(message({}), { now: T + 2_999 })).toBe("accepted");
    expect(reason(message({}), { now: T + 3_001 })).toBe("skew");
    expect(reason(message({}), { now: T - 3_001 })).toBe("skew");
  });

  it("drops a forged signature that carries a peer's key", () => {
    const forged = Buffer.from(message({}, stranger)).toString("latin1").split(",");
    forged[0] = peerKey;
    expect(reason(Buffer.from(forged.join(","), "latin1"))).toBe("bad_signature");
  });

  it("drops the second copy of an accepted message as a replay", () => {
    const cache = new ReplayCache(10_000);
    const raw = message({});
    expect(reason(raw, { replayCache: cache })).toBe("accepted");
    expect(reason(raw, { replayCache: cache, now: T + 1 })).toBe("replay");
  });

  it("never throws on arbitrary bytes after a peer's key", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (tail) => {
        const raw = Buffer.concat([Buffer.from(`${peerKey},`), tail]);
        return typeof checkMessage(raw, options()).ok === "boolean";
      }),
    );
  });
});
