import { Readable } from "node:stream";
import { hang, startHttpRecorder, type HttpRecorder } from "@org/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UpstreamClient, UpstreamNetworkError } from "./upstream-client.js";

const client = (upstream: string): UpstreamClient =>
  new UpstreamClient({ upstream, timeoutMs: 30_000, connectTimeoutMs: 30_000, maxConnections: 4, userAgent: "relay-test/1" });

describe("UpstreamClient.send against a real HTTP server", () => {
  let recorder: HttpRecorder;
  let upstream: UpstreamClient;
  beforeEach(async () => {
    recorder = await startHttpRecorder();
    upstream = client(recorder.url);
  });
  afterEach(async () => {
    await upstream.destroy();
    await recorder.close();
  });

  it("sends the body and headers, and reads an answer written in several chunks, with its status and headers", async () => {
    const parts = ["first part, ", "x".repeat(70_000), ", last part"];
    recorder.respond((_request, response) => {
      response.writeHead(201, { "content-type": "text/plain", "x-sentry-rate-limits": "60:error", "set-cookie": ["a=1", "b=2"] });
      for (const part of parts) response.write(part);
      response.end();
    });
    const answer = await upstream.send({ method: "POST", path: "/api/1/envelope/?x=1", headers: { "x-sentry-auth": "Sentry sentry_key=k" }, body: new TextEncoder().encode("envelope bytes") });
    expect(answer.status).toBe(201);
    expect(answer.body.toString("utf8")).toBe(parts.join(""));
    expect(answer.headers["x-sentry-rate-limits"]).toBe("60:error");
    expect(answer.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
    const [request] = recorder.requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/api/1/envelope/?x=1");
    expect(request?.headers["user-agent"]).toBe("relay-test/1");
    expect(request?.headers["x-sentry-auth"]).toBe("Sentry sentry_key=k");
    expect(request?.body.toString("utf8")).toBe("envelope bytes");
  });

  it("sends a streamed body", async () => {
    const answer = await upstream.send({ method: "POST", path: "/stream/", body: Readable.from([Buffer.from("one "), Buffer.from("two")]) });
    expect(answer.status).toBe(200);
    expect(recorder.requests[0]?.body.toString("utf8")).toBe("one two");
  });

  it("refuses an answer longer than maxBodyBytes, and keeps working afterwards", async () => {
    recorder.respond((_request, response) => response.end("y".repeat(10_000)));
    const error = await upstream.send({ method: "GET", path: "/big/", maxBodyBytes: 1_000 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamNetworkError);
    expect((error as Error).message).toMatch(/larger than 1000 bytes/);
    recorder.respond((_request, response) => response.end("small"));
    expect((await upstream.send({ method: "GET", path: "/small/", maxBodyBytes: 1_000 })).body.toString("utf8")).toBe("small");
  });

  it("fails with the signal's reason when the request is aborted, before or while it waits", async () => {
    recorder.respond(hang);
    const before = new AbortController();
    const reason = new Error("stopped before sending");
    before.abort(reason);
    await expect(upstream.send({ method: "GET", path: "/never/", signal: before.signal })).rejects.toBe(reason);
    const during = new AbortController();
    const waiting = upstream.send({ method: "GET", path: "/hangs/", signal: during.signal });
    await recorder.waitFor(1);
    const later = new Error("stopped while waiting");
    during.abort(later);
    await expect(waiting).rejects.toBe(later);
  });
});

describe("UpstreamClient.send without a server", () => {
  it("classifies a refused connection", async () => {
    const recorder = await startHttpRecorder();
    const url = recorder.url;
    await recorder.close();
    const upstream = client(url);
    try {
      const error = await upstream.send({ method: "GET", path: "/" }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UpstreamNetworkError);
      expect((error as UpstreamNetworkError).code).toBe("refused");
    } finally {
      await upstream.destroy();
    }
  });
});
