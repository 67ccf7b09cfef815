import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitUntil } from "@org/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type * as RelayCore from "../src/index.js";
import type { ClaimedEnvelope, SpooledEnvelope } from "../src/index.js";

// The worker runs compiled code, so the spool is taken from the build (types from the sources).
const { SpoolFullError, openWorkerSpool } = (await import(new URL("../dist/index.js", import.meta.url).href)) as typeof RelayCore;

function envelope(id: string, size = 10, receivedAt = Date.now()): SpooledEnvelope {
  return { id, projectId: "42", receivedAt, context: { publicKey: "a".repeat(32), clientIp: "127.0.0.1" }, payload: new Uint8Array(size).fill(id.charCodeAt(0)) };
}

describe("openWorkerSpool", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "worker-spool-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const open = (extra: { maxBytes?: number; maxAgeMs?: number; onExpired?: (envelopes: readonly SpooledEnvelope[]) => void } = {}) =>
    openWorkerSpool({ path: join(dir, "spool", "db.sqlite"), maxBytes: 1_000_000, maxAgeMs: 60_000, ...extra });

  it("keeps envelopes across a reopen, hands each to one claimer, removes it on ack", async () => {
    const first = await open();
    await Promise.all(["a", "b", "c"].map((id) => first.enqueue(envelope(id))));
    expect(first.stats()).toEqual({ depth: 3, bytes: 30, claimed: 0 });
    await first.close();

    const second = await open();
    expect(second.stats().depth).toBe(3);
    const claimed = await second.claim(2);
    expect(claimed.map((e) => e.id)).toEqual(["a", "b"]);
    expect(Array.from(claimed[1]!.payload)).toEqual(Array.from(envelope("b").payload));
    expect(claimed[0]!.context).toEqual(envelope("a").context);
    expect((await second.claim(10)).map((e) => e.id)).toEqual(["c"]);
    await second.ack([claimed[0]!.handle]);
    expect(second.stats()).toEqual({ depth: 2, bytes: 20, claimed: 2 });
    await second.retry([claimed[1]!.handle], 50);
    expect(await second.claim(10)).toEqual([]);
    let again: ClaimedEnvelope[] = [];
    await waitUntil(async () => (again = await second.claim(10)).length > 0, "the retried envelope to be due again");
    expect(again.map((e) => [e.id, e.attempts])).toEqual([["b", 1]]);
    await second.close();
  });

  it("rejects with SpoolFullError beyond maxBytes", async () => {
    const spool = await open({ maxBytes: 25 });
    await spool.enqueue(envelope("a"));
    await spool.enqueue(envelope("b"));
    await expect(spool.enqueue(envelope("c"))).rejects.toBeInstanceOf(SpoolFullError);
    await spool.close();
  });

  it("answers each envelope of a turn on its own: a full spool refuses the one that does not fit", async () => {
    const spool = await open({ maxBytes: 25 });
    // Made in one turn, these cross to the worker together.
    const results = await Promise.allSettled([spool.enqueue(envelope("a")), spool.enqueue(envelope("b")), spool.enqueue(envelope("c")), spool.enqueue(envelope("d", 5))]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(SpoolFullError);
    expect(spool.stats()).toEqual({ depth: 3, bytes: 25, claimed: 0 });
    const claimed = await spool.claim(10);
    expect(claimed.map((e) => e.id)).toEqual(["a", "b", "d"]);
    // Acknowledgements of one turn are grouped too.
    await Promise.all(claimed.map((e) => spool.ack([e.handle])));
    expect(spool.stats()).toEqual({ depth: 0, bytes: 0, claimed: 0 });
    await spool.close();
    await expect(spool.enqueue(envelope("e"))).rejects.toThrow(/closed/);
  });

  it("hands what it enqueues to its own claims without reading it back, once it claims, and only while nothing older waits", async () => {
    const spool = await open();
    // A spool that is never claimed from (an ingest process) holds nothing back.
    await spool.enqueue(envelope("a"));
    expect(spool.stats()).toEqual({ depth: 1, bytes: 10, claimed: 0 });
    const [a] = await spool.claim(10);
    expect(a?.id).toBe("a");
    // Claiming now: the next envelope is claimed as it is stored, and handed out from memory.
    const sent = envelope("b", 12);
    await spool.enqueue(sent);
    expect(spool.stats()).toEqual({ depth: 2, bytes: 22, claimed: 2 });
    const [b] = await spool.claim(10);
    expect(b).toMatchObject({ id: "b", attempts: 0, context: sent.context });
    expect(b?.payload).toBe(sent.payload);
    expect(await spool.claim(10)).toEqual([]);
    // Its handle works like any other: acknowledged, it is gone for good.
    await spool.ack([b!.handle, a!.handle]);
    expect(spool.stats()).toEqual({ depth: 0, bytes: 0, claimed: 0 });
    // Retried, it comes back from the database.
    await spool.enqueue(envelope("c"));
    const [c] = await spool.claim(10);
    await spool.retry([c!.handle], 0);
    let again: ClaimedEnvelope[] = [];
    await waitUntil(async () => (again = await spool.claim(10)).length > 0, "the retried envelope to be due again");
    expect(again.map((e) => [e.id, e.attempts])).toEqual([["c", 1]]);
    await spool.close();
    const reopened = await open();
    expect((await reopened.claim(10)).map((e) => e.id)).toEqual(["c"]);
    await reopened.close();
  });

  it("removes on close what was acknowledged but not yet removed", async () => {
    const spool = await open();
    await Promise.all(["a", "b", "c"].map((id) => spool.enqueue(envelope(id))));
    const claimed = await spool.claim(10);
    // Acknowledgements wait for others before they cross to the worker; close sends them first.
    const removed = spool.ack(claimed.slice(0, 2).map((e) => e.handle));
    await spool.close();
    await removed;
    const reopened = await open();
    expect(reopened.stats()).toMatchObject({ depth: 1 });
    expect((await reopened.claim(10)).map((e) => e.id)).toEqual(["c"]);
    await reopened.close();
  });

  it("reports envelopes that outlived maxAge", async () => {
    const expired: string[] = [];
    // The worker's spool reads the real clock: "new" stays young for an hour, longer than any test runs.
    const spool = await open({ maxAgeMs: 3_600_000, onExpired: (envelopes) => expired.push(...envelopes.map((e) => e.id)) });
    await spool.enqueue(envelope("old", 10, Date.now() - 2 * 3_600_000));
    await spool.enqueue(envelope("new"));
    expect((await spool.claim(10)).map((e) => e.id)).toEqual(["new"]);
    expect(expired).toEqual(["old"]);
    await spool.close();
  });

  it("fails to open with the database's own error", async () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "not a folder");
    await expect(openWorkerSpool({ path: join(file, "db.sqlite"), maxBytes: 1, maxAgeMs: 1 })).rejects.toThrow(/EEXIST|ENOTDIR/);
  });

  it("refuses calls after close", async () => {
    const spool = await open();
    await spool.close();
    await expect(spool.enqueue(envelope("a"))).rejects.toThrow("the spool is closed");
  });
});
