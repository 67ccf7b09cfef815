import { generateKeyPair, encodeBase58, type KeyPair } from "@org/identity";
import { DEADLINE_MS, startNatsServer, waitUntil, type NatsServer } from "@org/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodeMessage, publishSubject } from "../src/message-codec.js";
import { parseRemaphoreConfig, type RemaphoreConfig } from "../src/remaphore-config.js";
import { connectRemaphore, type Received, type RemaphoreClient } from "../src/remaphore-client.js";

interface Node {
  readonly name: string;
  readonly pair: KeyPair;
  readonly key: string;
}

function node(name: string): Node {
  const pair = generateKeyPair();
  return { name, pair, key: encodeBase58(pair.publicKey) };
}

function configFor(self: Node, url: string, peers: readonly Node[]): RemaphoreConfig {
  const text = [
    `server: ${url}`,
    "credentials: /unused/in/these/tests",
    `destination: ${self.name}`,
    "allow_skew: 2s",
    "[ Identities ]",
    `${self.key} ${encodeBase58(self.pair.secretKey)} [*]`,
    "[ Peers ]",
    ...peers.map((peer) => `${peer.name} ${peer.key} [ping, upload]`),
  ].join("\n");
  const parsed = parseRemaphoreConfig(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
}

/** Collects what a receiver yields until `count` items or `ms` (the shared deadline) pass. */
async function collect(iterator: AsyncGenerator<Received>, count: number, ms = DEADLINE_MS): Promise<Received[]> {
  const out: Received[] = [];
  const deadline = Date.now() + ms;
  while (out.length < count && Date.now() < deadline) {
    const next = await Promise.race([iterator.next(), new Promise<undefined>((resolve) => setTimeout(() => { resolve(undefined); }, deadline - Date.now()))]);
    if (!next || next.done) break;
    out.push(next.value);
  }
  return out;
}

describe("remaphore over a real nats-server", () => {
  let server: NatsServer;
  const clients: RemaphoreClient[] = [];
  const a = node("site.a.host1");
  const b = node("site.b.host1");
  const c = node("site.c.host1");
  const stranger = node("site.x.host1");

  const connectAs = async (self: Node, peers: readonly Node[], now?: () => number): Promise<RemaphoreClient> => {
    const client = await connectRemaphore(configFor(self, server.url, peers), { useCredentials: false, connectDeadlineMs: DEADLINE_MS, now });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  afterAll(async () => {
    await server.stop();
  });

  it("delivers a signed message to a receiver whose destination matches", async () => {
    const receiver = await connectAs(b, [a]);
    const sender = await connectAs(a, [b]);
    const inbox = receiver.receive();
    const pending = collect(inbox, 1);
    // The receiver's subscription has reached the server once its connection is flushed.
    await receiver.flush();
    await sender.send({ destination: "site.*.host1", verb: "upload", payload: "hello, world" });
    const [got] = await pending;
    expect(got?.accepted).toBe(true);
    if (got?.accepted) {
      expect(Buffer.from(got.message.payload).toString()).toBe("hello, world");
      expect(got.message.verb).toBe("upload");
      expect(got.message.peer.destination).toBe("site.a.host1");
    }
    await inbox.return(undefined);
  });

  it("drops, with reasons, a stranger, a tampered message, a replay and a skewed clock", async () => {
    const receiver = await connectAs(b, [a]);
    const inbox = receiver.receive();
    const pending = collect(inbox, 5);
    await receiver.flush();
    const publisher = await connectAs(a, [b]);
    const raw = (fields: { time?: bigint; payload?: string }, pair: KeyPair): Uint8Array => {
      const result = encodeMessage(
        { destination: "**", time: fields.time ?? BigInt(Date.now()) * 1_000_000n, uuid: new Uint8Array(12), verb: "ping", request: false, payload: Buffer.from(fields.payload ?? "x") },
        pair,
      );
      if (!result.ok) throw result.error;
      return result.value;
    };
    const nc = (publisher as unknown as { nc: { publish(subject: string, data: Uint8Array): void; flush(): Promise<void> } }).nc;
    const subject = publishSubject("remaphore");
    nc.publish(subject, raw({}, stranger.pair));
    const tampered = Buffer.from(raw({ payload: "original" }, a.pair));
    tampered[tampered.length - 1] = "X".charCodeAt(0);
    nc.publish(subject, tampered);
    const good = raw({ payload: "once" }, a.pair);
    nc.publish(subject, good);
    nc.publish(subject, good);
    nc.publish(subject, raw({ time: BigInt(Date.now() - 60_000) * 1_000_000n }, a.pair));
    await nc.flush();
    const results = await pending;
    expect(results.map((r) => (r.accepted ? "accepted" : r.rejection.reason))).toEqual(["unknown_sender", "bad_signature", "accepted", "replay", "skew"]);
    await inbox.return(undefined);
  });

  it("collects the replies of every suspected responder of a request", async () => {
    const responders = await Promise.all([connectAs(b, [a]), connectAs(c, [a])]);
    const loops = responders.map(async (client) => {
      for await (const item of client.receive()) {
        if (item.accepted && item.message.request) {
          await client.reply(item.message, `0,pong from ${client.config.destination}`);
          return;
        }
      }
    });
    await Promise.all(responders.map((client) => client.flush()));
    const requester = await connectAs(a, [b, c]);
    const result = await requester.request({ destination: "site.*.host1", verb: "ping", payload: "x", timeoutMs: DEADLINE_MS });
    expect(result.missing).toEqual([]);
    expect(result.replies.map((r) => `${r.destination},${Buffer.from(r.message.payload).toString()}`).sort()).toEqual([
      "site.b.host1,0,pong from site.b.host1",
      "site.c.host1,0,pong from site.c.host1",
    ]);
    await Promise.all(loops);
  });

  it("gives up on a responder that never answers at the deadline, naming it", async () => {
    const requester = await connectAs(a, [b]);
    const result = await requester.request({ destination: "site.b.host1", timeoutMs: 300 });
    expect(result.replies).toEqual([]);
    expect(result.missing.map((peer) => peer.destination)).toEqual(["site.b.host1"]);
  });

  it("refuses a request nobody is configured to answer", async () => {
    const requester = await connectAs(a, [b]);
    await expect(requester.request({ destination: "elsewhere.**" })).rejects.toMatchObject({ code: "no_known_receivers", message: "no known receivers" });
  });

  it("refuses to send with an identity that may not send the verb", async () => {
    const sender = await connectRemaphore(
      parseOrThrow([`server: ${server.url}`, "credentials: /x", "destination: a", "[ Identities ]", `${a.key} ${encodeBase58(a.pair.secretKey)} [ping]`].join("\n")),
      { useCredentials: false },
    );
    clients.push(sender);
    await expect(sender.send({ verb: "upload" })).rejects.toMatchObject({ message: "no private key with sender permission found" });
  });

  it("keeps receiving across a server restart", async () => {
    const receiver = await connectAs(b, [a]);
    const sender = await connectAs(a, [b]);
    const inbox = receiver.receive();
    const first = collect(inbox, 1);
    await receiver.flush();
    await sender.send({ payload: "before" });
    expect((await first).length).toBe(1);
    await server.restart();
    const second = collect(inbox, 1);
    const state = { arrived: false };
    void second.then(() => (state.arrived = true));
    // Both clients reconnect every 200 ms, in either order; NATS delivers only to subscribers
    // connected at the time, so the sender repeats until the receiver is back and gets one.
    await waitUntil(
      async () => {
        if (!state.arrived) await sender.send({ payload: "after" }).catch(() => undefined);
        return state.arrived;
      },
      "a message sent after the restart to arrive",
      { everyMs: 200 },
    );
    const [got] = await second;
    expect(got?.accepted && Buffer.from(got.message.payload).toString()).toBe("after");
    await inbox.return(undefined);
  });

  it("connects without credentials to a plain nats-server when the config names none", async () => {
    const plain = (self: Node, peers: readonly Node[]): RemaphoreConfig =>
      parseOrThrow(
        [`server: ${server.url}`, "credentials:", `destination: ${self.name}`, "[ Identities ]", `${self.key} ${encodeBase58(self.pair.secretKey)} [*]`, "[ Peers ]", ...peers.map((peer) => `${peer.name} ${peer.key} [*]`)].join("\n"),
      );
    const receiver = await connectRemaphore(plain(b, [a]));
    clients.push(receiver);
    const sender = await connectRemaphore(plain(a, [b]));
    clients.push(sender);
    let arrived: (item: Received) => void = () => undefined;
    const got = new Promise<Received>((resolve) => (arrived = resolve));
    // listen resolves once the server has the subscription, so the message cannot be missed.
    const listener = await receiver.listen({}, (item) => {
      arrived(item);
    });
    await sender.send({ payload: "no credentials" });
    const item = await got;
    expect(item.accepted && Buffer.from(item.message.payload).toString()).toBe("no credentials");
    listener.stop();
  });

  it("fails with nats: timeout when no server is reachable by the deadline", async () => {
    const down = configFor(a, "nats://127.0.0.1:1", [b]);
    await expect(connectRemaphore(down, { useCredentials: false, connectDeadlineMs: 500 })).rejects.toMatchObject({ code: "timeout", message: "nats: timeout" });
  });
});

function parseOrThrow(text: string): RemaphoreConfig {
  const parsed = parseRemaphoreConfig(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
}
