import { encodeBase58, generateKeyPair, type KeyPair } from "@org/identity";
import { describe, expect, it } from "vitest";
import { parseRemaphoreConfig, type RemaphoreConfig } from "./remaphore-config.js";
import { joinRecords, recordLines, rewriteRecords, signRecord, viewSemaphore, type Observations, type RecordKind } from "./semaphore-state.js";

const self = generateKeyPair();
const peer = generateKeyPair();
const stranger = generateKeyPair();
const pinger = generateKeyPair();

function configOf(): RemaphoreConfig {
  const parsed = parseRemaphoreConfig(
    [
      "server: nats://127.0.0.1:4222",
      "destination: site.self",
      "allow_skew: 5s",
      "[ Identities ]",
      `${encodeBase58(self.publicKey)} ${encodeBase58(self.secretKey)} [acquire:*]`,
      "[ Peers ]",
      `site.peer ${encodeBase58(peer.publicKey)} [acquire:restart*]`,
      `site.pinger ${encodeBase58(pinger.publicKey)} [ping]`,
    ].join("\n"),
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
}

const config = configOf();
const T0 = 1_800_000_000_000;

function record(pair: KeyPair, kind: RecordKind, options: { id?: number; seq?: number; ttlMs?: number; slots?: number; now?: number; name?: string } = {}): Uint8Array {
  const identity = { publicKeyText: encodeBase58(pair.publicKey), keyPair: pair, verbs: ["*"] };
  return signRecord(identity, options.name ?? "restart", {
    kind,
    id: new Uint8Array(12).fill(options.id ?? 1),
    seq: options.seq ?? 1,
    ttlMs: options.ttlMs ?? 10_000,
    slots: options.slots ?? 2,
    now: options.now ?? T0,
  });
}

function view(lines: readonly Uint8Array[], at: { now?: number; mono?: number; observations?: Observations } = {}) {
  return viewSemaphore(joinRecords(lines), { config, name: "restart", now: at.now ?? T0, mono: at.mono ?? 0, observations: at.observations ?? new Map(), slots: 5 });
}

describe("viewSemaphore", () => {
  it("counts holders and waiters in line order, the smallest -n as the limit", () => {
    const judged = view([record(self, "hold", { id: 1 }), record(peer, "wait", { id: 2, slots: 3 }), record(self, "wait", { id: 3 })]);
    expect(judged.holders.map((r) => r.id)).toEqual(["01".repeat(12)]);
    expect(judged.waiters.map((r) => r.id)).toEqual(["02".repeat(12), "03".repeat(12)]);
    expect(judged.limit).toBe(2);
    expect(judged.ignored).toEqual([]);
  });

  it("ignores records of unknown keys, of peers without the acquire verb, forged, of another name, and garbage", () => {
    const genuine = record(peer, "hold", { id: 9 });
    const forged = Buffer.from(genuine);
    // Flip one character of the payload (`hold 1 10000 2` → `hold 1 10000 9`): the signature no longer covers it.
    forged[forged.length - 1] = "9".charCodeAt(0);
    const judged = view([
      record(stranger, "hold", { id: 1 }),
      record(pinger, "hold", { id: 2 }),
      new Uint8Array(forged),
      record(peer, "hold", { id: 3, name: "deploy" }),
      new TextEncoder().encode("not,a,record"),
    ]);
    expect(judged.holders).toEqual([]);
    expect(judged.ignored.map((r) => r.reason)).toEqual(["unknown_sender", "verb_not_allowed", "bad_signature", "verb_not_allowed", "malformed"]);
  });

  it("ignores a record written back with a lower seq than seen before, and one released", () => {
    const observations: Observations = new Map();
    view([record(peer, "hold", { id: 1, seq: 5 })], { observations });
    const replayed = view([record(peer, "hold", { id: 1, seq: 4 })], { observations });
    expect(replayed.holders).toEqual([]);
    expect(replayed.ignored[0]?.reason).toBe("replay");
    // A host that never saw it still sees the release win over the old hold record.
    const released = view([record(peer, "hold", { id: 2, seq: 1 }), record(peer, "done", { id: 2, seq: 2 })]);
    expect(released.holders).toEqual([]);
    expect(released.released.map((r) => r.id)).toEqual(["02".repeat(12)]);
  });

  it("expires a record unchanged for its ttl on this host's clock, or signed longer ago than ttl + allow_skew", () => {
    const observations: Observations = new Map();
    const lines = [record(peer, "hold", { id: 1, ttlMs: 2000 })];
    expect(view(lines, { observations, mono: 100 }).holders).toHaveLength(1);
    // The host's wall clock may disagree; its own monotonic clock decides.
    const later = view(lines, { observations, mono: 2099, now: T0 + 2099 });
    expect(later.holders).toHaveLength(1);
    expect(later.nextExpiry).toBe(2100);
    expect(view(lines, { observations, mono: 2100, now: T0 + 2100 }).expired).toHaveLength(1);
    // A renewal (seq + 1) starts its time again.
    expect(view([record(peer, "hold", { id: 1, seq: 2, ttlMs: 2000, now: T0 + 2100 })], { observations, mono: 2100, now: T0 + 2100 }).holders).toHaveLength(1);
    // A host seeing an old record for the first time goes by its signed time.
    expect(view(lines, { mono: 0, now: T0 + 2000 + 5000 }).holders).toHaveLength(1);
    expect(view(lines, { mono: 0, now: T0 + 2000 + 5001 }).expired).toHaveLength(1);
  });
});

describe("rewriteRecords", () => {
  it("keeps the others' lines byte for byte, replaces ours in place, and drops what is expired or ignored", () => {
    const observations: Observations = new Map();
    const theirs = record(peer, "hold", { id: 1 });
    const mine = record(self, "wait", { id: 2 });
    const expiring = record(peer, "wait", { id: 3, ttlMs: 1000 });
    view([theirs, mine, expiring], { observations, mono: 0 });
    const judged = view([theirs, mine, expiring, record(stranger, "hold", { id: 4 })], { observations, mono: 1500, now: T0 + 1500 });
    const ours = record(self, "hold", { id: 2, seq: 2, now: T0 + 1500 });
    const lines = recordLines(rewriteRecords(judged, "02".repeat(12), ours));
    expect(lines.map((line) => Buffer.from(line).toString())).toEqual([Buffer.from(theirs).toString(), Buffer.from(ours).toString()]);
    expect(recordLines(rewriteRecords(judged, "02".repeat(12), undefined))).toHaveLength(1);
  });
});
