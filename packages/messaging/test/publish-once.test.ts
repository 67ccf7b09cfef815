import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEADLINE_MS, freePort, startNatsServer, type NatsServer } from "@org/testkit";
import { connect, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishOnce, PublishOnceUnsupported } from "../src/publish-once.js";

describe("publishOnce, a single publish without a NATS client library", () => {
  let server: NatsServer;
  let nc: NatsConnection;
  let dir: string;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    dir = mkdtempSync(join(tmpdir(), "publish-once-"));
  });

  afterAll(async () => {
    await nc.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("delivers the exact bytes, trying a server that is down first", async () => {
    const down = `nats://127.0.0.1:${await freePort()}`;
    const payload = Buffer.from("a,b\r\nPING\r\n\u0000\u00ff", "latin1");
    const sub = nc.subscribe("remaphore.all", { max: 1 });
    await nc.flush();
    await publishOnce([down, server.url], { subject: "remaphore.all", payload: payload }, { deadlineMs: DEADLINE_MS, shuffle: (servers) => servers });
    const received: Buffer[] = [];
    for await (const message of sub) received.push(Buffer.from(message.data));
    expect(received).toEqual([payload]);
  });

  it("gives up with nats: timeout when no server answers by the deadline", async () => {
    const down = `nats://127.0.0.1:${await freePort()}`;
    await expect(publishOnce([down], { subject: "remaphore.all", payload: Buffer.from("x") }, { deadlineMs: 500 })).rejects.toMatchObject({ code: "timeout", message: "nats: timeout" });
  });

  it("refuses a message larger than the server's max_payload", async () => {
    const conf = join(dir, "small.conf");
    writeFileSync(conf, "max_payload: 1024\n");
    const small = await startNatsServer({ args: ["-c", conf] });
    try {
      await expect(publishOnce([small.url], { subject: "remaphore.all", payload: Buffer.alloc(2000) }, { deadlineMs: DEADLINE_MS })).rejects.toMatchObject({ message: "nats: maximum payload exceeded" });
    } finally {
      await small.stop();
    }
  });

  it("hands over to the full client for servers that want authentication, or URLs it does not speak", async () => {
    const conf = join(dir, "auth.conf");
    writeFileSync(conf, 'authorization { user: a, password: b }\n');
    const guarded = await startNatsServer({ args: ["-c", conf] });
    try {
      await expect(publishOnce([guarded.url], { subject: "remaphore.all", payload: Buffer.from("x") }, { deadlineMs: DEADLINE_MS })).rejects.toBeInstanceOf(PublishOnceUnsupported);
    } finally {
      await guarded.stop();
    }
    await expect(publishOnce(["tls://127.0.0.1:4222"], { subject: "remaphore.all", payload: Buffer.from("x") }, { deadlineMs: DEADLINE_MS })).rejects.toBeInstanceOf(PublishOnceUnsupported);
    await expect(publishOnce(["nats://u:p@127.0.0.1:4222"], { subject: "remaphore.all", payload: Buffer.from("x") }, { deadlineMs: DEADLINE_MS })).rejects.toBeInstanceOf(PublishOnceUnsupported);
  });
});
