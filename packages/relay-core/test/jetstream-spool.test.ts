// @module-tag e2e
import { startNatsServer, waitUntil, type NatsServer } from "@org/testkit";
import { describe, expect, it } from "vitest";
import { openJetStreamSpool, type JetStreamSpoolOptions } from "../src/spool/jetstream-spool.js";
import { SpoolFullError, type ClaimedEnvelope, type Spool, type SpooledEnvelope } from "../src/spool/spool.js";
import { cleanupAfterEach } from "./upstream-harness.js";

const defer = cleanupAfterEach();

function envelope(id: string, size = 10): SpooledEnvelope {
  return { id, projectId: "42", receivedAt: Date.now(), context: { publicKey: "a".repeat(32), clientIp: "127.0.0.1" }, payload: new Uint8Array(size).fill(id.charCodeAt(0)) };
}

async function nats(): Promise<NatsServer> {
  const server = await startNatsServer({ args: ["-js"] });
  defer(() => server.stop());
  return server;
}

async function open(server: NatsServer, extra: Partial<JetStreamSpoolOptions> = {}): Promise<Spool> {
  const spool = await openJetStreamSpool({ servers: server.url, stream: "RELAY", maxBytes: 1_000_000, maxAgeMs: 3_600_000, ...extra });
  defer(() => spool.close());
  return spool;
}

describe("JetStream spool", () => {
  it("hands each envelope to one claimer, byte for byte, and removes it on ack", async () => {
    const server = await nats();
    const spool = await open(server);
    await Promise.all(["a", "b", "c"].map((id) => spool.enqueue(envelope(id))));
    const first = await spool.claim(2);
    expect(first.map((e) => e.id)).toEqual(["a", "b"]);
    expect(Array.from(first[0]!.payload)).toEqual(Array.from(envelope("a").payload));
    expect(first[0]).toMatchObject({ projectId: "42", attempts: 0, context: envelope("a").context });
    expect((await spool.claim(10)).map((e) => e.id)).toEqual(["c"]);
    await spool.ack(first.map((e) => e.handle));
    expect(await spool.claim(10)).toEqual([]);
  });

  it("makes a retried envelope due again after the delay, counting attempts", async () => {
    const server = await nats();
    const spool = await open(server);
    await spool.enqueue(envelope("r"));
    const [claimed] = await spool.claim(1);
    await spool.retry([claimed!.handle], 2_000);
    expect(await spool.claim(1)).toEqual([]);
    let again: ClaimedEnvelope[] = [];
    await waitUntil(async () => (again = await spool.claim(1)).length > 0, "the retried envelope to be due again", { everyMs: 100 });
    expect(again[0]).toMatchObject({ id: "r", attempts: 1 });
  });

  it("drops a second envelope with the same id within the duplicate window", async () => {
    const server = await nats();
    const spool = await open(server);
    await spool.enqueue(envelope("d"));
    await spool.enqueue(envelope("d"));
    expect((await spool.claim(10)).map((e) => e.id)).toEqual(["d"]);
  });

  it("refuses with SpoolFullError when the stream is full", async () => {
    const server = await nats();
    const spool = await open(server, { maxBytes: 2_000 });
    let full: unknown;
    for (let i = 0; i < 100 && !full; i++) {
      await spool.enqueue(envelope(`e${i}`, 200)).catch((error: unknown) => (full = error));
    }
    expect(full).toBeInstanceOf(SpoolFullError);
  });

  it("gives what a crashed relay claimed to another after the ack wait, and survives a server restart", async () => {
    const server = await nats();
    const first = await openJetStreamSpool({ servers: server.url, stream: "RELAY", maxBytes: 1_000_000, maxAgeMs: 3_600_000, ackWaitMs: 1_000 });
    await Promise.all(["x", "y"].map((id) => first.enqueue(envelope(id))));
    expect(await first.claim(10)).toHaveLength(2);
    await server.restart();
    const second = await open(server, { ackWaitMs: 1_000 });
    // The first relay "crashed": it never acknowledges. After the ack wait the second gets both.
    const taken: ClaimedEnvelope[] = [];
    await waitUntil(async () => taken.push(...(await second.claim(10))) >= 2, "the second relay to get what the first claimed", { everyMs: 100 });
    expect(taken.map((e) => e.id).sort()).toEqual(["x", "y"]);
    expect(taken.every((e) => e.attempts === 1)).toBe(true);
    await second.ack(taken.map((e) => e.handle));
    await first.close().catch(() => undefined);
  });

  it("opens again with other stream limits and another ack wait, keeping what is stored", async () => {
    const server = await nats();
    const first = await openJetStreamSpool({ servers: server.url, stream: "RELAY", maxBytes: 1_000_000, maxAgeMs: 3_600_000, ackWaitMs: 60_000 });
    await first.enqueue(envelope("kept"));
    await first.close();
    const second = await open(server, { maxBytes: 2_000_000, ackWaitMs: 5_000 });
    expect((await second.claim(10)).map((e) => e.id)).toEqual(["kept"]);
  });

  it("makes the stream again when it has disappeared", async () => {
    const server = await nats();
    const spool = await open(server);
    await spool.enqueue(envelope("before"));
    const { connect } = await import("nats");
    const admin = await connect({ servers: server.url });
    await (await admin.jetstreamManager()).streams.delete("RELAY");
    await admin.close();
    await spool.enqueue(envelope("after"));
    expect((await spool.claim(10)).map((e) => e.id)).toEqual(["after"]);
  });

  it("explains a stream of the same name whose settings it cannot change, instead of using it", async () => {
    const server = await nats();
    const { connect, RetentionPolicy, StorageType } = await import("nats");
    const admin = await connect({ servers: server.url });
    defer(() => admin.close());
    await (await admin.jetstreamManager()).streams.add({ name: "RELAY", subjects: ["RELAY.envelopes"], storage: StorageType.Memory, retention: RetentionPolicy.Limits });
    const failed = openJetStreamSpool({ servers: server.url, stream: "RELAY", maxBytes: 1_000_000, maxAgeMs: 3_600_000 });
    await expect(failed).rejects.toThrow(/the JetStream stream RELAY exists with settings the spool cannot change in place/);
    await expect(failed).rejects.toThrow(/storage memory, retention limits/);
    await expect(failed).rejects.toThrow(/spool\.nats\.stream/);
  });
});
