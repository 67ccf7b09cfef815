import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { envelopeEncoder, isLoopbackUpstream, resolveEncoding } from "./envelope-encoding.js";

describe("envelope encoding", () => {
  it.each([
    ["http://127.0.0.1:3000/", true],
    ["http://127.8.9.10/", true],
    ["http://localhost:9000", true],
    ["http://relay.localhost/", true],
    ["http://[::1]:3000/", true],
    ["https://sentry.io/", false],
    ["http://10.0.0.5:3000/", false],
    ["http://[2001:db8::1]/", false],
    ["http://127.example.com/", false],
  ])("knows whether %s is this machine: %s", (url, loopback) => {
    expect(isLoopbackUpstream(url)).toBe(loopback);
  });

  it("auto means identity to a loopback upstream and gzip to any other; explicit choices stand", () => {
    expect(resolveEncoding("auto", "http://127.0.0.1:3000/")).toBe("identity");
    expect(resolveEncoding(undefined, "https://sentry.io/")).toBe("gzip");
    expect(resolveEncoding("gzip", "http://127.0.0.1:3000/")).toBe("gzip");
    expect(resolveEncoding("identity", "https://sentry.io/")).toBe("identity");
  });

  it.each([100, 5_000, 70_000, 2_000_000])("gzips %d bytes (small on the calling thread, large on the pool) into what gunzips back", async (size) => {
    const payload = new TextEncoder().encode(`{"event_id":"${"a".repeat(32)}"}\n{"type":"event"}\n${"x".repeat(size)}`);
    for (const level of [1, 6, 9]) {
      const encoded = await envelopeEncoder("https://sentry.io/", { level })(payload);
      expect(encoded.contentEncoding).toBe("gzip");
      expect(Buffer.from(gunzipSync(encoded.body)).equals(Buffer.from(payload))).toBe(true);
    }
  });

  it("sends the very bytes without compression", async () => {
    const payload = new Uint8Array([1, 2, 3]);
    const encoded = await envelopeEncoder("http://127.0.0.1:1/")(payload);
    expect(encoded).toEqual({ body: payload });
  });
});
