import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SpooledEnvelope } from "./spool.js";
import { SpoolFullError } from "./spool.js";
import { openSqliteSpool } from "./sqlite-spool.js";

function envelope(id: string, size = 10, receivedAt = 1_000): SpooledEnvelope {
  return {
    id,
    projectId: "42",
    receivedAt,
    context: { publicKey: "a".repeat(32), clientIp: "127.0.0.1" },
    payload: new Uint8Array(size).fill(id.charCodeAt(0)),
  };
}

describe("openSqliteSpool", () => {
  let dir: string;
  let clock: number;
  const now = (): number => clock;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "spool-"));
    clock = 1_000;
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const open = (extra: { maxBytes?: number; maxAgeMs?: number; onExpired?: (e: readonly SpooledEnvelope[]) => void } = {}) =>
    openSqliteSpool({ path: join(dir, "spool", "db.sqlite"), maxBytes: 1_000_000, maxAgeMs: 60_000, now, ...extra });

  it("keeps enqueued envelopes across a reopen, in order, byte for byte", async () => {
    const first = open();
    await Promise.all(["a", "b", "c"].map((id) => first.enqueue(envelope(id))));
    expect(first.stats()).toEqual({ depth: 3, bytes: 30, claimed: 0 });
    await first.close();

    const second = open();
    expect(second.stats()).toEqual({ depth: 3, bytes: 30, claimed: 0 });
    const claimed = await second.claim(10);
    expect(claimed.map((e) => e.id)).toEqual(["a", "b", "c"]);
    expect(Array.from(claimed[1]!.payload)).toEqual(Array.from(envelope("b").payload));
    expect(claimed[0]!.context).toEqual(envelope("a").context);
    await second.close();
  });

  it("hands an envelope to one claimer at a time and removes it on ack", async () => {
    const spool = open();
    await spool.enqueue(envelope("a"));
    await spool.enqueue(envelope("b"));
    const one = await spool.claim(1);
    const two = await spool.claim(5);
    expect(one.map((e) => e.id)).toEqual(["a"]);
    expect(two.map((e) => e.id)).toEqual(["b"]);
    await spool.ack([one[0]!.handle]);
    expect(spool.stats()).toEqual({ depth: 1, bytes: 10, claimed: 1 });
    await spool.close();
  });

  it("commits the writes and acknowledgements of one turn together, and they hold after a reopen", async () => {
    const first = open();
    await Promise.all(["a", "b"].map((id) => first.enqueue(envelope(id))));
    const [a] = await first.claim(1);
    // Same turn: one acknowledgement and two writes, one transaction.
    const settled = Promise.all([first.ack([a!.handle]), first.enqueue(envelope("c")), first.enqueue(envelope("d", 5))]);
    expect(first.stats().depth).toBe(4);
    await settled;
    expect(first.stats()).toEqual({ depth: 3, bytes: 25, claimed: 0 });
    await first.close();

    const second = open();
    expect(second.stats()).toEqual({ depth: 3, bytes: 25, claimed: 0 });
    expect((await second.claim(10)).map((e) => e.id)).toEqual(["b", "c", "d"]);
    await second.close();
  });

  it("claims past envelopes already claimed, oldest due first", async () => {
    const spool = open();
    await Promise.all(["a", "b", "c", "d", "e"].map((id) => spool.enqueue(envelope(id))));
    const first = await spool.claim(2);
    await spool.retry([first[0]!.handle], 0);
    // "a" is due again (it went back with no delay); "b" is still claimed and is skipped.
    expect((await spool.claim(3)).map((e) => e.id)).toEqual(["a", "c", "d"]);
    expect((await spool.claim(3)).map((e) => e.id)).toEqual(["e"]);
    await spool.close();
  });

  it("makes a retried envelope due again only after the delay, counting attempts", async () => {
    const spool = open();
    await spool.enqueue(envelope("a"));
    const [claimed] = await spool.claim(1);
    await spool.retry([claimed!.handle], 5_000);
    expect(await spool.claim(1)).toEqual([]);
    clock += 5_000;
    const [again] = await spool.claim(1);
    expect(again?.id).toBe("a");
    expect(again?.attempts).toBe(1);
    await spool.close();
  });

  it("claims an envelope as it stores it only while nothing stored before it waits unclaimed", async () => {
    const spool = open();
    // An empty spool: held at once, and a claim does not hand it out again.
    const a = await spool.enqueueHeld(envelope("a"));
    expect(a).toBeTypeOf("number");
    expect(spool.stats()).toEqual({ depth: 1, bytes: 10, claimed: 1 });
    expect(await spool.claim(10)).toEqual([]);
    // One stored and unclaimed: the next is only stored, and claims take the oldest first.
    await spool.enqueue(envelope("b"));
    expect(await spool.enqueueHeld(envelope("c"))).toBeUndefined();
    expect((await spool.claim(10)).map((e) => e.id)).toEqual(["b", "c"]);
    // Everything claimed again: held once more, in the same commit as the acknowledgement of `a`.
    const [held] = await Promise.all([spool.enqueueHeld(envelope("d")), spool.ack([a!])]);
    expect(held).toBeTypeOf("number");
    // A retry waiting for its delay counts as waiting: nothing is held before it.
    await spool.retry([held!], 5_000);
    expect(await spool.enqueueHeld(envelope("e"))).toBeUndefined();
    await spool.close();
    // Held but never acknowledged: back after a restart, like any claim.
    const again = open();
    clock += 5_000;
    expect((await again.claim(10)).map((e) => e.id).sort()).toEqual(["b", "c", "d", "e"]);
    await again.close();
  });

  it("returns claimed but unacknowledged envelopes after a restart", async () => {
    const first = open();
    await first.enqueue(envelope("a"));
    expect(await first.claim(1)).toHaveLength(1);
    await first.close();
    const second = open();
    expect((await second.claim(1)).map((e) => e.id)).toEqual(["a"]);
    await second.close();
  });

  it("rejects with SpoolFullError beyond maxBytes, counting writes still pending", async () => {
    const spool = open({ maxBytes: 25 });
    const accepted = [spool.enqueue(envelope("a")), spool.enqueue(envelope("b"))];
    await expect(spool.enqueue(envelope("c"))).rejects.toBeInstanceOf(SpoolFullError);
    await Promise.all(accepted);
    const [claimed] = await spool.claim(1);
    await spool.ack([claimed!.handle]);
    await expect(spool.enqueue(envelope("c"))).resolves.toBeUndefined();
    await spool.close();
  });

  it("drops envelopes older than maxAge and reports them", async () => {
    const expired: string[] = [];
    const spool = open({ maxAgeMs: 1_000, onExpired: (list) => expired.push(...list.map((e) => e.id)) });
    await spool.enqueue(envelope("old", 10, 1_000));
    await spool.enqueue(envelope("new", 10, 2_500));
    clock = 3_000;
    expect((await spool.claim(10)).map((e) => e.id)).toEqual(["new"]);
    expect(expired).toEqual(["old"]);
    expect(spool.stats().depth).toBe(1);
    await spool.close();
  });

  it("keeps every acknowledged enqueue, and forgets every completed acknowledgement, when the process is killed right after", async () => {
    const path = join(dir, "killed.sqlite");
    // The child runs the built module: the process under test is plain Node, as in production.
    // Every other round it also claims and acknowledges 50 envelopes (oldest first, so the
    // acknowledged ids are always 0 .. acked - 1); it prints "<enqueued> <acked>" once both are done.
    const moduleUrl = new URL("../../dist/spool/sqlite-spool.js", import.meta.url).href;
    const script = `
      const { openSqliteSpool } = await import(${JSON.stringify(moduleUrl)});
      const spool = openSqliteSpool({ path: ${JSON.stringify(path)}, maxBytes: 1e9, maxAgeMs: 1e9 });
      let n = 0;
      let acked = 0;
      for (let round = 0; ; round++) {
        await Promise.all(Array.from({ length: 50 }, () => spool.enqueue({
          id: String(n++), projectId: "1", receivedAt: Date.now(), context: { publicKey: "k" },
          payload: new Uint8Array(100),
        })));
        if (round % 2 === 1) {
          const claimed = await spool.claim(50);
          await spool.ack(claimed.map((envelope) => envelope.handle));
          acked += claimed.length;
        }
        process.stdout.write(n + " " + acked + "\\n");
      }
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let enqueued = 0;
    let acked = 0;
    await new Promise<void>((resolve, reject) => {
      child.once("exit", (code) => {
        reject(new Error(`the writer exited early with code ${String(code)}`));
      });
      child.stdout.on("data", (chunk: Buffer) => {
        const lines = chunk.toString().trim().split("\n");
        [enqueued, acked] = lines.at(-1)!.split(" ").map(Number) as [number, number];
        if (enqueued >= 2_000) {
          child.kill("SIGKILL");
          resolve();
        }
      });
    });
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise((resolve) => child.once("exit", resolve));
    }
    expect(acked).toBeGreaterThan(0);
    const spool = openSqliteSpool({ path, maxBytes: 1e9, maxAgeMs: 1e9 });
    const ids = new Set((await spool.claim(1_000_000)).map((envelope) => Number(envelope.id)));
    // Everything acknowledged as enqueued and not acknowledged as delivered is there ...
    const missing = Array.from({ length: enqueued - acked }, (_, index) => acked + index).filter((id) => !ids.has(id));
    expect(missing).toEqual([]);
    // ... and nothing whose acknowledgement completed came back.
    expect([...ids].filter((id) => id < acked)).toEqual([]);
    await spool.close();
  });
});
