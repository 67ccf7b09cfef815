import { connect } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./relay-harness.js";

const KEY = "0123456789abcdef0123456789abcdef";
const AUTH = `X-Sentry-Auth: Sentry sentry_key=${KEY}, sentry_version=7`;

/**
 * A slowloris client: sends `head` (request line, headers and the start of the body), then one
 * byte every 100 ms. Resolves with what the relay answered once it closed the connection, and how
 * long that took.
 */
async function trickle(port: number, head: string, meanwhile?: () => Promise<void>): Promise<{ answer: string; ms: number }> {
  const socket = connect(port, "127.0.0.1");
  let answer = "";
  socket.on("data", (chunk: Buffer) => (answer += chunk.toString()));
  socket.on("error", () => undefined);
  const closed = new Promise<void>((resolve) => socket.once("close", () => { resolve(); }));
  socket.write(head);
  const timer = setInterval(() => {
    if (!socket.destroyed) socket.write(" ");
  }, 100);
  const started = Date.now();
  try {
    await meanwhile?.();
    await closed;
  } finally {
    clearInterval(timer);
    socket.destroy();
  }
  return { answer, ms: Date.now() - started };
}

describe("slow clients", () => {
  let harness: Harness;
  let port: number;

  beforeAll(async () => {
    harness = startHarness({ requestTimeoutMs: 1_000 });
    await harness.app.listen({ host: "127.0.0.1", port: 0 });
    port = (harness.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await harness.close();
  });

  it("answers 408 to a body trickling in a byte at a time, and serves others meanwhile", async () => {
    const head = `POST /api/1/store/ HTTP/1.1\r\nHost: 127.0.0.1\r\n${AUTH}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`;
    const { answer, ms } = await trickle(port, head, async () => {
      // A normal client is not held up by the slow one.
      const started = Date.now();
      const normal = await fetch(`http://127.0.0.1:${port}/api/1/store/`, {
        method: "POST",
        headers: { "x-sentry-auth": `Sentry sentry_key=${KEY}, sentry_version=7` },
        body: '{"message":"not held up"}',
      });
      expect(normal.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(1_000);
    });
    expect(ms).toBeLessThan(5_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("answers 408 to a multipart upload that trickles in", async () => {
    const head =
      `POST /api/1/events/${"c".repeat(32)}/attachments/ HTTP/1.1\r\nHost: 127.0.0.1\r\n${AUTH}\r\n` +
      `Content-Type: multipart/form-data; boundary=XYZ\r\nContent-Length: 5000\r\n\r\n--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n`;
    const { answer, ms } = await trickle(port, head);
    expect(ms).toBeLessThan(5_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });
});
