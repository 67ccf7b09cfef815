import { connect } from "node:net";
import type { AddressInfo } from "node:net";
import { waitUntil } from "@org/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./relay-harness.js";

const KEY = "0123456789abcdef0123456789abcdef";
const AUTH = `X-Sentry-Auth: Sentry sentry_key=${KEY}, sentry_version=7`;

/**
 * A slowloris client: sends `head` (request line, headers and the start of the body), then one
 * byte every 100 ms, and never the last byte of the body its Content-Length announces, so that
 * the body is never complete however the machine schedules it. Resolves with what the relay
 * answered once it closed the connection; `meanwhile` runs while the body trickles, and is told
 * what the relay has answered so far.
 */
async function trickle(port: number, head: string, meanwhile?: (answered: () => string) => Promise<void>): Promise<{ answer: string }> {
  const socket = connect(port, "127.0.0.1");
  let answer = "";
  socket.on("data", (chunk: Buffer) => (answer += chunk.toString()));
  socket.on("error", () => undefined);
  const closed = new Promise<void>((resolve) => socket.once("close", () => { resolve(); }));
  socket.write(head);
  const announced = Number(/\r\nContent-Length: (\d+)\r\n/i.exec(head)?.[1]);
  let missing = announced - Buffer.byteLength(head.slice(head.indexOf("\r\n\r\n") + 4));
  const timer = setInterval(() => {
    if (!socket.destroyed && missing > 1) {
      socket.write(" ");
      missing -= 1;
    }
  }, 100);
  try {
    if (meanwhile) await meanwhile(() => answer);
    else await closed;
  } finally {
    clearInterval(timer);
    socket.destroy();
  }
  return { answer };
}

const STORE_HEAD = `POST /api/1/store/ HTTP/1.1\r\nHost: 127.0.0.1\r\n${AUTH}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`;

async function listening(harness: Harness): Promise<number> {
  await harness.app.listen({ host: "127.0.0.1", port: 0 });
  return (harness.app.server.address() as AddressInfo).port;
}

describe("slow clients", () => {
  // A body that trickles and never completes gets 408 after its 2 s: the answer alone shows the
  // timeout fired, as the body was never complete.
  let strict: Harness;
  let strictPort: number;
  // The same relay with a timeout no test outlasts, to see it serve others while a body trickles.
  let patient: Harness;
  let patientPort: number;

  beforeAll(async () => {
    strict = startHarness({ requestTimeoutMs: 2_000 });
    strictPort = await listening(strict);
    patient = startHarness({ requestTimeoutMs: 600_000 });
    patientPort = await listening(patient);
  });
  afterAll(async () => {
    await strict.close();
    await patient.close();
  });

  it("answers 408 to a body trickling in a byte at a time", async () => {
    const { answer } = await trickle(strictPort, STORE_HEAD);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("serves other clients while a body trickles in", async () => {
    // With `Expect: 100-continue` the relay's HTTP server says when it has the request in hand.
    const head = STORE_HEAD.replace("Content-Length: 1000\r\n", "Content-Length: 1000\r\nExpect: 100-continue\r\n");
    const interim = "HTTP/1.1 100 Continue\r\n\r\n";
    await trickle(patientPort, head, async (answered) => {
      await waitUntil(() => answered() === interim, "the relay to take the slow request", { detail: answered });
      const normal = await fetch(`http://127.0.0.1:${patientPort}/api/1/store/`, {
        method: "POST",
        headers: { "x-sentry-auth": `Sentry sentry_key=${KEY}, sentry_version=7` },
        body: '{"message":"not held up"}',
      });
      expect(normal.status).toBe(200);
      // Served while the slow request is still waiting for its body.
      expect(answered()).toBe(interim);
    });
  });

  it("answers 408 to a multipart upload that trickles in", async () => {
    const head =
      `POST /api/1/events/${"c".repeat(32)}/attachments/ HTTP/1.1\r\nHost: 127.0.0.1\r\n${AUTH}\r\n` +
      `Content-Type: multipart/form-data; boundary=XYZ\r\nContent-Length: 5000\r\n\r\n--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n`;
    const { answer } = await trickle(strictPort, head);
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
      await waitUntil(
        async () => {
          if (refused.status === 503) return true;
          refused = await post(300_000);
          return refused.status === 503;
        },
        "the relay to refuse a body it has no room for",
        { everyMs: 100 },
      );
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("5");
      expect(((await refused.json()) as { detail: string }).detail).toMatch(/more data than it can hold/);
      socket.write("x".repeat(100_000));
      await waitUntil(() => answer !== "", "the answer to the held body");
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect((await post(300_000)).status).toBe(400);
    } finally {
      socket.destroy();
      await closed;
    }
  });
});
