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
    harness = startHarness({ requestTimeoutMs: 2_000 });
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
      // Well before the slow request's 2 s timeout: it never waited for it.
      expect(Date.now() - started).toBeLessThan(1_500);
    });
    expect(ms).toBeLessThan(6_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("answers 408 to a multipart upload that trickles in", async () => {
    const head =
      `POST /api/1/events/${"c".repeat(32)}/attachments/ HTTP/1.1\r\nHost: 127.0.0.1\r\n${AUTH}\r\n` +
      `Content-Type: multipart/form-data; boundary=XYZ\r\nContent-Length: 5000\r\n\r\n--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n`;
    const { answer, ms } = await trickle(port, head);
    expect(ms).toBeLessThan(6_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });
});

describe("many large bodies at once", () => {
  let harness: Harness;
  let port: number;

  beforeAll(async () => {
    harness = startHarness({ maxBufferedBodyBytes: 1024 * 1024 });
    await harness.app.listen({ host: "127.0.0.1", port: 0 });
    port = (harness.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await harness.close();
  });

  const post = (size: number): Promise<Response> =>
    fetch(`http://127.0.0.1:${port}/api/1/envelope/`, { method: "POST", headers: { "x-sentry-auth": `Sentry sentry_key=${KEY}, sentry_version=7` }, body: "x".repeat(size) });

  it("answers 503 while the relay holds its budget of request bytes, and recovers once they are done", async () => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString()));
    socket.on("error", () => undefined);
    const closed = new Promise<void>((resolve) => socket.once("close", () => { resolve(); }));
    try {
      socket.write(`POST /api/1/envelope/ HTTP/1.1\r\nHost: 127.0.0.1\r\n${AUTH}\r\nContent-Length: 900000\r\n\r\n${"x".repeat(800_000)}`);
      // Once the relay has read what was sent so far, there is no room for another 300 kB.
      let refused = await post(300_000);
      for (let i = 0; i < 50 && refused.status !== 503; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        refused = await post(300_000);
      }
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("5");
      expect(((await refused.json()) as { detail: string }).detail).toMatch(/more data than it can hold/);
      socket.write("x".repeat(100_000));
      for (let i = 0; i < 100 && answer === ""; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect((await post(300_000)).status).toBe(400);
    } finally {
      socket.destroy();
      await closed;
    }
  });
});
