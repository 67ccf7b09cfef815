import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type * as RelayCore from "../src/index.js";
import type { Spool, SpooledEnvelope } from "../src/index.js";

// The spool's worker thread runs compiled code, so the spools are taken from the build (types from the sources).
const { SpoolFullError, openSqliteSpool, openWorkerSpool } = (await import(new URL("../dist/index.js", import.meta.url).href)) as typeof RelayCore;

function envelope(id: string, size = 100, receivedAt = 1_000): SpooledEnvelope {
  return { id, projectId: "1", receivedAt, context: { publicKey: "a".repeat(32) }, payload: new Uint8Array(size).fill(1) };
}

/** One spool database, written by several connections (a relay's ingest workers) and drained by one (its primary). */
describe("a spool shared by several writers", () => {
  let dir: string;
  let clock: number;
  const now = (): number => clock;
  const opened: Spool[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "shared-spool-"));
    clock = 1_000;
  });
  afterEach(async () => {
    for (const spool of opened.splice(0)) await spool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const open = (maxBytes = 1_000_000): Spool => {
    const spool = openSqliteSpool({ path: join(dir, "envelopes.sqlite"), maxBytes, maxAgeMs: 3_600_000, now, shared: true, busyTimeoutMs: 30_000 });
    opened.push(spool);
    return spool;
  };

  it("gives the drainer every envelope the writers acknowledged, once, while they keep writing", async () => {
    const writers = [open(), open(), open()];
    const drainer = open();
    const written: string[] = [];
    const drained: string[] = [];
    for (let round = 0; round < 20; round++) {
      await Promise.all(
        writers.flatMap((writer, w) =>
          Array.from({ length: 5 }, (_, i) => {
            const id = `${round}-${w}-${i}`;
            return writer.enqueue(envelope(id)).then(() => written.push(id));
          }),
        ),
      );
      const claimed = await drainer.claim(7);
      drained.push(...claimed.map((each) => each.id));
      await drainer.ack(claimed.map((each) => each.handle));
    }
    for (let claimed = await drainer.claim(50); claimed.length > 0; claimed = await drainer.claim(50)) {
      drained.push(...claimed.map((each) => each.id));
      await drainer.ack(claimed.map((each) => each.handle));
    }
    expect(written).toHaveLength(300);
    expect(drained.sort()).toEqual([...written].sort());
  });

  it("sees what other connections added and removed once its counts are a second old", async () => {
    const writer = open(1000);
    const drainer = open(1000);
    for (let i = 0; i < 10; i++) await writer.enqueue(envelope(`e${i}`));
    await expect(writer.enqueue(envelope("over"))).rejects.toBeInstanceOf(SpoolFullError);
    const claimed = await drainer.claim(10);
    await drainer.ack(claimed.map((each) => each.handle));
    // Within the second the writer still counts a full spool; after it, it reads the database again.
    await expect(writer.enqueue(envelope("still full"))).rejects.toBeInstanceOf(SpoolFullError);
    clock += 1000;
    await writer.enqueue(envelope("room again"));
    expect(writer.stats()).toMatchObject({ depth: 1, bytes: 100 });
    clock += 1000;
    expect(drainer.stats()).toMatchObject({ depth: 1, bytes: 100 });
  });

  it("works the same with each connection in its own worker thread", async () => {
    const options = { path: join(dir, "envelopes.sqlite"), maxBytes: 1_000_000, maxAgeMs: 3_600_000, shared: true, busyTimeoutMs: 30_000 };
    const writers = await Promise.all([openWorkerSpool(options), openWorkerSpool(options)]);
    const drainer = await openWorkerSpool(options);
    opened.push(...writers, drainer);
    const ids = writers.flatMap((_, w) => Array.from({ length: 50 }, (__, i) => `${w}-${i}`));
    await Promise.all(ids.map((id) => writers[Number(id.split("-")[0])]!.enqueue(envelope(id, 100, Date.now()))));
    const claimed = await drainer.claim(1000);
    expect(claimed.map((each) => each.id).sort()).toEqual([...ids].sort());
  });
});
