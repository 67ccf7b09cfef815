import { encodeBase58, generateKeyPair } from "@org/identity";
import { startNatsServer, waitUntil, type NatsServer } from "@org/testkit";
import { connect, type KV, type NatsConnection } from "nats";
import { KeyCas } from "../src/key-cas.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRemaphoreConfig, type RemaphoreConfig } from "../src/remaphore-config.js";
import { recordLines, verifyRecord } from "../src/semaphore-state.js";
import { Semaphore } from "../src/semaphore.js";

const self = generateKeyPair();
const identity = { publicKeyText: encodeBase58(self.publicKey), keyPair: self, verbs: ["acquire:*"] };
const HOUR = 3_600_000;

/** The real bucket of a semaphore. */
function bucketOf(nc: NatsConnection, kv: KV): { kv: KV; cas: KeyCas } {
  return { kv, cas: new KeyCas({ js: nc.jetstream(), bucket: "semaphores", key: "sem.deploy" }) };
}

/** The real bucket, except that the answer to a write can be lost after the write landed. */
function losingAnswers(nc: NatsConnection, kv: KV): { bucket: { kv: KV; cas: KeyCas }; loseNextAnswer(): void } {
  let lose = false;
  const bucket = bucketOf(nc, kv);
  const write = bucket.cas.write.bind(bucket.cas);
  bucket.cas.write = async (value, revision) => {
    const written = await write(value, revision);
    if (!lose || written === undefined) return written;
    lose = false;
    throw new Error("TIMEOUT");
  };
  return { bucket, loseNextAnswer: () => (lose = true) };
}

describe("Semaphore on a real bucket", () => {
  let server: NatsServer;
  let nc: NatsConnection;
  let kv: KV;
  let config: RemaphoreConfig;
  /** Every value the key took, in order. */
  const history: Uint8Array[] = [];

  beforeAll(async () => {
    server = await startNatsServer({ jetstream: true });
    nc = await connect({ servers: server.url });
    kv = await nc.jetstream().views.kv("semaphores", { history: 1 });
    const parsed = parseRemaphoreConfig([`server: ${server.url}`, "destination: site.self", "[ Identities ]", `${identity.publicKeyText} ${encodeBase58(self.secretKey)} [acquire:*]`].join("\n"));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    config = parsed.value;
    const updates = await kv.watch({ key: "sem.deploy" });
    void (async () => {
      for await (const entry of updates) if (entry.operation === "PUT") history.push(entry.value);
    })();
  });

  afterAll(async () => {
    await nc.close();
    await server.stop();
  });

  it("takes back a hold whose answer was lost, and never signs two records with one seq", async () => {
    const holder = new Semaphore(bucketOf(nc, kv), { config, identity }, { name: "deploy", slots: 1, ttlMs: HOUR });
    expect((await holder.acquire()).acquired).toBe(true);
    const faulty = losingAnswers(nc, kv);
    const waiter = new Semaphore(faulty.bucket, { config, identity }, { name: "deploy", slots: 1, ttlMs: HOUR });
    const acquiring = waiter.acquire();
    const waiterLines = (): string[][] =>
      history.map((value) =>
        recordLines(value).flatMap((line) => {
          const verified = verifyRecord(line, { config, name: "deploy", now: Date.now() });
          return verified.ok && verified.record.id === waiter.acquisitionId ? [`${verified.record.kind} ${verified.record.seq}`] : [];
        }),
      );
    await waitUntil(() => waiterLines().some((lines) => lines.length > 0), "the waiter in line");
    // The waiter's hold lands, but its answer is lost: the list alone says the slot is taken.
    faulty.loseNextAnswer();
    await holder.release();
    const outcome = await acquiring;
    expect(outcome.acquired).toBe(true);
    expect(waiter.holding).toBe(true);
    const judged = await new Semaphore(bucketOf(nc, kv), { config, identity }, { name: "deploy", slots: 1, ttlMs: HOUR }).view();
    expect(judged.holders.map((record) => record.id)).toEqual([waiter.acquisitionId]);
    // Each record the waiter signed, once, in the order written: a lost answer costs no seq twice
    // (another host would take a reused seq for an old record) and no step back into line.
    const signed = [...new Set(waiterLines().flat())];
    expect(signed).toEqual(["wait 1", "hold 2"]);
    await waiter.release();
  });
});
