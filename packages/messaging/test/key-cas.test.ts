// @module-tag e2e
import { DEADLINE_MS, startNatsCluster, startNatsServer, type NatsCluster } from "@org/testkit";
import { connect, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyCas } from "../src/key-cas.js";

describe("KeyCas on a three-server JetStream cluster", () => {
  let cluster: NatsCluster | undefined;
  const connections: NatsConnection[] = [];

  beforeAll(async () => {
    cluster = await startNatsCluster(3);
  });

  afterAll(async () => {
    await Promise.all(connections.map((nc) => nc.close()));
    await cluster?.stop();
  });

  it("lets exactly one of the writers that read a revision write on top of it, while another key moves the stream", async () => {
    const writers = 6;
    const rounds = 40;
    // A busy machine can make a cluster's answer slow: the test's deadline is the only timeout.
    const jetstream = (nc: NatsConnection) => nc.jetstream({ timeout: DEADLINE_MS });
    const urls = cluster!.urls;
    for (let i = 0; i < writers + 1; i++) connections.push(await connect({ servers: [urls[i % 3]!, ...urls] }));
    const kv = await jetstream(connections[writers]!).views.kv("cas", { history: 1, replicas: 3, timeout: DEADLINE_MS });
    await kv.put("counter", new TextEncoder().encode("0"));
    // Each writer adds one to the counter `rounds` times, reading it and writing it back with a
    // compare-and-set, and then writes another key of the bucket, so that the stream moves under
    // the other writers for a key that is not theirs. Every landed write must sit on the revision
    // its writer read: a write that landed on a revision somebody else had already written on top
    // of is a lost update.
    const landed: { read: number; wrote: number }[] = [];
    let others = 0;
    await Promise.all(
      connections.slice(0, writers).map(async (nc) => {
        const own = await jetstream(nc).views.kv("cas", { timeout: DEADLINE_MS });
        const cas = new KeyCas({ js: jetstream(nc), bucket: "cas", key: "counter" });
        for (let done = 0; done < rounds; ) {
          const entry = (await own.get("counter"))!;
          const next = Number(new TextDecoder().decode(entry.value)) + 1;
          const wrote = await cas.write(new TextEncoder().encode(String(next)), entry.revision);
          if (wrote === undefined) continue;
          landed.push({ read: entry.revision, wrote });
          done += 1;
          await own.put("other", new TextEncoder().encode(String(++others)));
        }
      }),
    );
    const reads = landed.map((write) => write.read);
    expect(new Set(reads).size).toBe(reads.length);
    // Read from the stream's leader: a replica answering a direct get may not have the last write yet.
    const jsm = await jetstream(connections[writers]!).jetstreamManager(false);
    const last = await jsm.streams.getMessage("KV_cas", { last_by_subj: "$KV.cas.counter" });
    expect(new TextDecoder().decode(last.data)).toBe(String(writers * rounds));
    expect(others).toBe(writers * rounds);
  });
});

describe("KeyCas on one server", () => {
  it("writes on top of the key's revision after other keys moved the stream, and never on a key it took for absent", async () => {
    const server = await startNatsServer({ jetstream: true });
    const nc = await connect({ servers: server.url });
    try {
      const kv = await nc.jetstream().views.kv("one", { history: 1 });
      const text = (value: string): Uint8Array => new TextEncoder().encode(value);
      const first = await kv.put("counter", text("1"));
      await kv.put("other", text("x"));
      const cas = new KeyCas({ js: nc.jetstream(), bucket: "one", key: "counter" });
      // The key exists: a write that expects it absent is refused, whatever the stream did.
      expect(await cas.write(text("from nothing"), 0)).toBeUndefined();
      expect(new TextDecoder().decode((await kv.get("counter"))!.value)).toBe("1");
      // At its revision it lands, though another key was written after it.
      const second = await cas.write(text("2"), first);
      expect(second).toBeGreaterThan(first);
      await kv.put("other", text("y"));
      // A stale revision is refused; the current one lands again.
      expect(await cas.write(text("stale"), first)).toBeUndefined();
      expect(await cas.write(text("3"), second!)).toBeGreaterThan(second!);
      expect(new TextDecoder().decode((await kv.get("counter"))!.value)).toBe("3");
      // An absent key is created from revision 0 in a stream that holds other keys.
      const fresh = new KeyCas({ js: nc.jetstream(), bucket: "one", key: "fresh" });
      expect(await fresh.write(text("new"), 0)).toBeGreaterThan(0);
      expect(await fresh.write(text("again"), 0)).toBeUndefined();
    } finally {
      await nc.close();
      await server.stop();
    }
  });
});
