import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeBase58, generateKeyPair } from "@org/identity";
import { DEADLINE_MS, startOperatorNatsServer, waitUntil, type OperatorNatsServer } from "@org/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRemaphoreConfig, type RemaphoreConfig } from "../src/remaphore-config.js";
import { connectRemaphore } from "../src/remaphore-client.js";

describe("NATS credentials files against a server in operator (JWT) mode", () => {
  let server: OperatorNatsServer;
  let dir: string;
  const a = generateKeyPair();
  const b = generateKeyPair();

  const config = (keys: { readonly self: typeof a; readonly peer: typeof b }, destination: string, credentials: string): RemaphoreConfig => {
    const { self, peer } = keys;
    const parsed = parseRemaphoreConfig(
      [
        `server: ${server.url}`,
        `credentials: ${credentials}`,
        `destination: ${destination}`,
        "[ Identities ]",
        `${encodeBase58(self.publicKey)} ${encodeBase58(self.secretKey)} [*]`,
        "[ Peers ]",
        `peer ${encodeBase58(peer.publicKey)} [*]`,
      ].join("\n"),
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    return parsed.value;
  };

  beforeAll(async () => {
    server = await startOperatorNatsServer();
    dir = mkdtempSync(join(tmpdir(), "remaphore-creds-"));
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("connects with a user's credentials file and exchanges messages", async () => {
    const creds = join(dir, "user.creds");
    await server.writeUserCredentials(creds);
    const receiver = await connectRemaphore(config({ self: b, peer: a }, "peer", creds), { connectDeadlineMs: DEADLINE_MS });
    const sender = await connectRemaphore(config({ self: a, peer: b }, "sender", creds), { connectDeadlineMs: DEADLINE_MS });
    const inbox = receiver.receive({ destinationFilter: { kind: "none" } });
    const next = inbox.next();
    await receiver.flush();
    await sender.send({ payload: "with credentials" });
    const got = await next;
    expect(!got.done && got.value.accepted && Buffer.from(got.value.message.payload).toString()).toBe("with credentials");
    await sender.close();
    await receiver.close();
  });

  it("reconnects with a rotated credentials file after its old credentials are revoked", async () => {
    const creds = join(dir, "rotated.creds");
    const first = await server.writeUserCredentials(creds);
    const receiver = await connectRemaphore(config({ self: b, peer: a }, "peer", creds), { connectDeadlineMs: DEADLINE_MS });
    const sender = await connectRemaphore(config({ self: a, peer: b }, "sender", creds), { connectDeadlineMs: DEADLINE_MS });
    const inbox = receiver.receive({ destinationFilter: { kind: "none" } });
    // The subscription is made by the first `next()`; the flush makes sure the server has it.
    const before = inbox.next();
    await receiver.flush();
    await sender.send({ payload: "before the rotation" });
    const gotBefore = await before;
    expect(!gotBefore.done && gotBefore.value.accepted && Buffer.from(gotBefore.value.message.payload).toString()).toBe("before the rotation");

    // New credentials in the same file; the old user is revoked and the server restarts, so the
    // clients' reconnects succeed only if they read the file again.
    const old = join(dir, "old.creds");
    copyFileSync(creds, old);
    await server.writeUserCredentials(creds);
    await server.revokeUserAndRestart(first);
    const settled = (client: { flush(): Promise<void> }): Promise<void> =>
      waitUntil(
        () => client.flush().then(() => true, () => false),
        "the client to reconnect with the rotated credentials",
        { everyMs: 100 },
      );
    await Promise.all([settled(receiver), settled(sender)]);
    const after = inbox.next();
    await sender.send({ payload: "after the rotation" });
    const gotAfter = await after;
    expect(!gotAfter.done && gotAfter.value.accepted && Buffer.from(gotAfter.value.message.payload).toString()).toBe("after the rotation");
    // The old credentials are refused now: the clients are connected with the new ones.
    await expect(connectRemaphore(config({ self: a, peer: b }, "x", old), { connectDeadlineMs: DEADLINE_MS })).rejects.toMatchObject({
      code: "connection_failed",
      message: expect.stringContaining("Authorization Violation") as unknown,
    });
    await sender.close();
    await receiver.close();
  });

  it("is refused with credentials of an account the server does not trust", async () => {
    const creds = join(dir, "foreign.creds");
    await server.writeForeignCredentials(creds);
    await expect(connectRemaphore(config({ self: a, peer: b }, "x", creds), { connectDeadlineMs: DEADLINE_MS })).rejects.toMatchObject({
      code: "connection_failed",
      message: expect.stringContaining("Authorization Violation") as unknown,
    });
  });

  it("reports a file that is not a credentials file", async () => {
    const creds = join(dir, "broken.creds");
    writeFileSync(creds, "not a credentials file", { mode: 0o600 });
    await expect(connectRemaphore(config({ self: a, peer: b }, "x", creds), { connectDeadlineMs: DEADLINE_MS })).rejects.toMatchObject({ code: "connection_failed", message: "nats: BAD_CREDS" });
  });
});
