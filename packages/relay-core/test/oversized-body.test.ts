import { Agent, request, type IncomingHttpHeaders } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./relay-harness.js";

const KEY = "0123456789abcdef0123456789abcdef";
const AUTH = `Sentry sentry_key=${KEY}, sentry_version=7`;
const MiB = 1024 * 1024;
/** How much of a refused body the relay reads and throws away before it closes the connection. */
const DISCARD_BOUND = 8 * MiB;

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A JSON document of about `size` bytes. */
function jsonOf(size: number): Buffer {
  return Buffer.from(JSON.stringify({ message: "big", pad: "x".repeat(size) }));
}

describe("request bodies over a limit (the store endpoint's 1 MiB)", () => {
  let harness: Harness;
  let port: number;

  beforeAll(async () => {
    harness = startHarness({ maxDiscardedBodyBytes: DISCARD_BOUND });
    await harness.app.listen({ host: "127.0.0.1", port: 0 });
    port = (harness.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await harness.close();
  });

  it("reads the rest of a refused body and serves the next request on the same connection", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    const send = (body: Buffer): Promise<Answer> =>
      new Promise<Answer>((resolve, reject) => {
        const outgoing = request({ host: "127.0.0.1", port, path: "/api/1/store/", method: "POST", agent, headers: { "x-sentry-auth": AUTH, "content-type": "application/json", "content-length": String(body.length) } }, (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") });
          });
        });
        outgoing.on("socket", (socket) => sockets.add(socket));
        outgoing.on("error", reject);
        outgoing.end(body);
      });
    try {
      expect((await send(jsonOf(3_000_000))).status).toBe(413);
      expect((await send(jsonOf(100))).status).toBe(200);
      expect(sockets.size).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  /** POSTs a store body with `Expect: 100-continue`, sending it only when the relay asks for it. */
  function postExpectingContinue(body: Buffer): Promise<Answer & { continued: boolean }> {
    return new Promise((resolve, reject) => {
      let continued = false;
      const outgoing = request(
        { host: "127.0.0.1", port, path: "/api/1/store/", method: "POST", headers: { "x-sentry-auth": AUTH, "content-type": "application/json", "content-length": String(body.length), expect: "100-continue" } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString("utf8"), continued });
          });
        },
      );
      outgoing.on("continue", () => {
        continued = true;
        outgoing.end(body);
      });
      outgoing.on("error", reject);
      outgoing.flushHeaders();
    });
  }

  it("answers 413 without asking for the body when the client sends Expect: 100-continue", async () => {
    const answer = await postExpectingContinue(jsonOf(3_000_000));
    expect(answer.continued).toBe(false);
    expect(answer.status).toBe(413);
    expect((JSON.parse(answer.body) as { detail: string }).detail).toMatch(/exceeds the size limit/);
  });

  it("asks for the body with 100 Continue when it fits, and takes it", async () => {
    const answer = await postExpectingContinue(jsonOf(1000));
    expect(answer.continued).toBe(true);
    expect(answer.status).toBe(200);
  });

  it("cuts off a client that sends an endless body once it has thrown away the bound", async () => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
    socket.on("error", () => undefined);
    const closed = new Promise<void>((resolve) => socket.once("close", () => { resolve(); }));
    let written = 0;
    socket.write(`POST /api/1/store/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Sentry-Auth: ${AUTH}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const chunk = Buffer.concat([Buffer.from(`${(64 * 1024).toString(16)}\r\n`), Buffer.alloc(64 * 1024, 0x20), Buffer.from("\r\n")]);
    // Writes as fast as the relay reads, for as long as the connection is open.
    while (!socket.destroyed) {
      written += chunk.length;
      if (!socket.write(chunk)) await new Promise<void>((resolve) => { socket.once("drain", resolve); socket.once("close", resolve); });
    }
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain("exceeds the size limit");
    // The relay read the limit and the bound, and kernel buffers took some more: nowhere near endless.
    expect(written).toBeGreaterThan(MiB + DISCARD_BOUND);
    expect(written).toBeLessThan(MiB + DISCARD_BOUND + 64 * MiB);
  });
});
