import { createServer, request as httpRequest, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { brotliDecompressSync, inflateSync } from "node:zlib";
import { DEADLINE_MS } from "@org/testkit";
import { describe, expect, it } from "vitest";
import { eventually, testClock, upstreamTestbed } from "./upstream-harness.js";

const KEY = "a".repeat(32);
const OTHER_KEY = "b".repeat(32);

const { defer, upstream, relay } = upstreamTestbed();

function projectConfig(projectId: number, key: string, config: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    projectId,
    slug: `project-${projectId}`,
    disabled: false,
    publicKeys: [{ publicKey: key, isEnabled: true, numericId: 7 }],
    config: { allowedDomains: ["*"], trustedRelays: [], ...config },
  };
}

async function store(
  url: string,
  event: Record<string, unknown>,
  options: { key?: string; project?: number; headers?: Record<string, string> } = {},
): Promise<Response> {
  return fetch(`${url}/api/${options.project ?? 1}/store/`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-sentry-auth": `Sentry sentry_key=${options.key ?? KEY}, sentry_version=7, sentry_client=test-sdk/1.0`,
      ...options.headers,
    },
    body: JSON.stringify(event),
  });
}

describe("forwarding in proxy mode", () => {
  it("sends each event gzip'd (http.encoding: gzip) to the upstream envelope endpoint with the client's details", async () => {
    const fake = await upstream();
    const clock = testClock();
    const harness = await relay("proxy", fake.url, { now: clock.now, settings: { encoding: "gzip" } });
    const response = await store(harness.url, { message: "hello upstream", extra: { password: "hunter2" } }, {
      headers: { "user-agent": "my-app/2.0", origin: "https://app.example" },
    });
    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: string };
    const [received] = await fake.waitForEnvelopes(1);
    expect(received!.projectId).toBe("1");
    expect(received!.headers["content-encoding"]).toBe("gzip");
    expect(received!.headers["x-sentry-auth"]).toBe(`Sentry sentry_key=${KEY}, sentry_version=7, sentry_client=test-sdk/1.0`);
    expect(received!.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(received!.headers["user-agent"]).toBe("my-app/2.0");
    expect(received!.headers.origin).toBe("https://app.example");
    expect(received!.eventId).toBe(id);
    // Stamped when it was sent, on the relay's clock.
    expect(received!.envelopeHeader.sent_at).toBe(new Date(clock.now()).toISOString());
    const event = received!.items[0]!.payload as { logentry?: { formatted?: string }; extra: Record<string, unknown> };
    expect(received!.items[0]!.type).toBe("event");
    expect(event.extra.password).toBe("[Filtered]");
  });

  it.each([
    ["auto", undefined],
    ["identity", undefined],
    ["deflate", "deflate"],
    ["br", "br"],
  ] as const)("with http.encoding %s to a loopback upstream, sends envelopes with Content-Encoding %s", async (encoding, contentEncoding) => {
    const fake = await upstream();
    const harness = await relay("proxy", fake.url, { settings: { encoding, compressionLevel: 1 } });
    // About 100 kB, in values under Relay's 16 KiB limit for one value of `extra`, so none is trimmed.
    const blobs = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`blob${i}`, String(i).repeat(12_000)]));
    const event = { message: `encoded as ${encoding}`, extra: blobs };
    const response = await store(harness.url, event);
    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: string };
    await eventually(() => fake.requests.some((request) => request.url === "/api/1/envelope/"));
    const request = fake.requests.find((seen) => seen.url === "/api/1/envelope/")!;
    expect(request.headers["content-encoding"]).toBe(contentEncoding);
    // The body decodes to the envelope, the large event whole (compressed off the event loop).
    const text = (contentEncoding === "br" ? brotliDecompressSync(request.body) : contentEncoding === "deflate" ? inflateSync(request.body) : request.body).toString("utf8");
    expect(text).toContain(`"event_id":"${id}"`);
    for (const blob of Object.values(blobs)) expect(text).toContain(blob);
  });

  it("sends the client's X-Forwarded-For chain on, with the address the request came from", async () => {
    const fake = await upstream();
    const harness = await relay("proxy", fake.url);
    const response = await store(harness.url, { message: "behind a balancer" }, { headers: { "x-forwarded-for": "203.0.113.7, 198.51.100.2" } });
    expect(response.status).toBe(200);
    const [received] = await fake.waitForEnvelopes(1);
    expect(received!.headers["x-forwarded-for"]).toBe("203.0.113.7, 198.51.100.2, 127.0.0.1");
  });

  it("keeps everything during an outage and delivers it exactly once afterwards", async () => {
    const fake = await upstream();
    const harness = await relay("proxy", fake.url);
    await fake.stop();
    const ids = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const response = await store(harness.url, { message: `during outage ${i}` });
      expect(response.status).toBe(200);
      ids.add(((await response.json()) as { id: string }).id);
    }
    await eventually(() => harness.service.delivery.available?.() !== undefined, "the outage to be noticed");
    expect(harness.spool.stats().depth).toBe(200);
    await fake.start();
    const received = await fake.waitForEnvelopes(200);
    await eventually(() => harness.spool.stats().depth === 0, "the spool to drain");
    // Stopped, with its deliveries in flight finished: nothing more can reach the upstream.
    await harness.service.close(DEADLINE_MS);
    expect(fake.envelopes).toHaveLength(200);
    expect(new Set(received.map((envelope) => envelope.eventId))).toEqual(ids);
    expect(harness.logs.some((line) => String(line.msg).includes("the upstream is back"))).toBe(true);
  });

  it("treats 503 as an outage and 400 as final", async () => {
    const fake = await upstream();
    const harness = await relay("proxy", fake.url);
    fake.intake({ kind: "status", status: 503 });
    await store(harness.url, { message: "retried" });
    await eventually(() => fake.requests.some((r) => r.url === "/api/0/relays/live/"), "a live poll");
    expect(harness.spool.stats().depth).toBe(1);
    fake.intake({ kind: "status", status: 400 });
    await eventually(() => harness.spool.stats().depth === 0, "the envelope to be dropped");
    expect(harness.outcomes.get("rejected_upstream:error:upstream answered 400: answered 400 on purpose")).toBe(1);
  });

  it("honours a 429 with Retry-After: clients are refused without asking the upstream, then let through", async () => {
    const fake = await upstream();
    const clock = testClock();
    const harness = await relay("proxy", fake.url, { now: clock.now });
    fake.intake({ kind: "status", status: 429, headers: { "retry-after": "2" } });
    await store(harness.url, { message: "limited" });
    await eventually(() => harness.outcomes.get("rate_limited:error:rate_limited") === 1);
    const intakeRequests = fake.requests.filter((r) => r.url.endsWith("/envelope/")).length;
    const refused = await store(harness.url, { message: "refused at the door" });
    expect(refused.status).toBe(429);
    // Refused at the door or by the upstream, it is counted once as rate limited.
    expect(harness.outcomes.get("rate_limited:error:rate_limited")).toBe(2);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get("x-sentry-rate-limits")).toMatch(/^\d+::/);
    // Another key of another project is not limited.
    expect((await store(harness.url, { message: "other project" }, { key: OTHER_KEY, project: 2 })).status).toBe(200);
    fake.intake({ kind: "accept" });
    // Still limited until the Retry-After has passed, on the relay's clock.
    clock.advance(1_000);
    expect((await store(harness.url, { message: "still limited" })).status).toBe(429);
    clock.advance(1_100);
    expect((await store(harness.url, { message: "after the limit" })).status).toBe(200);
    await eventually(() => fake.envelopes.length === 2);
    expect(fake.envelopes.map((e) => (e.items[0]!.payload as { logentry: { formatted: string } }).logentry.formatted).sort()).toEqual([
      "after the limit",
      "other project",
    ]);
    expect(fake.requests.filter((r) => r.url.endsWith("/envelope/")).length).toBe(intakeRequests + 2);
  });

  it("remembers category limits from X-Sentry-Rate-Limits on a successful answer", async () => {
    const fake = await upstream();
    const harness = await relay("proxy", fake.url);
    fake.intake({ kind: "status", status: 200, headers: { "x-sentry-rate-limits": "60:transaction:key" } });
    await store(harness.url, { message: "first" });
    await fake.waitForEnvelopes(0);
    await eventually(() => harness.spool.stats().depth === 0);
    const transaction = `{"event_id":"${"c".repeat(32)}"}\n{"type":"transaction"}\n{"type":"transaction","transaction":"/x","start_timestamp":1,"timestamp":2}\n`;
    const refused = await fetch(`${harness.url}/api/1/envelope/`, {
      method: "POST",
      headers: { "x-sentry-auth": `Sentry sentry_key=${KEY}, sentry_version=7` },
      body: transaction,
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("x-sentry-rate-limits")).toMatch(/^\d+:transaction:key$/);
    const passing = await store(harness.url, { message: "errors still pass" });
    expect(passing.status).toBe(200);
    expect(passing.headers.get("x-sentry-rate-limits")).toBeNull();
    fake.intake({ kind: "accept" });
    // A transaction with an attachment: accepted, and the client learns of the limit.
    const mixed = `{"event_id":"${"d".repeat(32)}"}\n{"type":"transaction"}\n{"type":"transaction","transaction":"/y","start_timestamp":1,"timestamp":2}\n{"type":"attachment","length":5,"filename":"a.txt"}\nhello\n`;
    const partly = await fetch(`${harness.url}/api/1/envelope/`, {
      method: "POST",
      headers: { "x-sentry-auth": `Sentry sentry_key=${KEY}, sentry_version=7` },
      body: mixed,
    });
    expect(partly.status).toBe(200);
    expect(partly.headers.get("x-sentry-rate-limits")).toMatch(/^\d+:transaction:key$/);
    await eventually(() => harness.spool.stats().depth === 0);
    // The attachment belongs to the limited transaction: dropped with it, as Sentry's Relay does.
    expect(fake.envelopes.some((envelope) => envelope.eventId === "d".repeat(32))).toBe(false);
    expect(harness.outcomes.get("rate_limited:attachment")).toBe(1);
  });
});

describe("forwarding other /api/ requests", () => {
  it("passes them through with X-Forwarded-For and without hop-by-hop headers", async () => {
    const fake = await upstream();
    const harness = await relay("proxy", fake.url);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        `${harness.url}/api/0/organizations/?cursor=1`,
        { headers: { "x-forwarded-for": "10.0.0.1", connection: "keep-alive, x-hop", "x-hop": "1", "x-kept": "2" } },
        (res) => {
          let body = "";
          res.on("data", (chunk: Buffer) => (body += chunk.toString()));
          res.on("end", () => { resolve({ status: res.statusCode ?? 0, body }); });
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ echo: true, method: "GET", url: "/api/0/organizations/?cursor=1", forwardedFor: "10.0.0.1, 127.0.0.1" });
    const seen = fake.requests.at(-1)!;
    expect(seen.headers["x-hop"]).toBeUndefined();
    expect(seen.headers["x-kept"]).toBe("2");
  });

  it("answers 502 when the upstream is down and 504 when it does not answer", async () => {
    const hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
    defer(() => closeServer(hanging));
    const harness = await relay("proxy", `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`, { settings: { timeoutMs: 300 } });
    const slow = await fetch(`${harness.url}/api/0/anything/`);
    expect(slow.status).toBe(504);
    expect(((await slow.json()) as { detail: string }).detail).toBe("the upstream did not answer in time");

    const fake = await upstream();
    await fake.stop();
    const down = await relay("proxy", fake.url);
    const refused = await fetch(`${down.url}/api/0/anything/`, { method: "POST", body: "{}" });
    expect(refused.status).toBe(502);
    expect(((await refused.json()) as { causes: string[] }).causes[0]).toMatch(/refused/);
  });
});

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => { resolve(); }));
}

describe("managed mode", () => {
  it("registers, fetches project configs in batches, and enforces them", async () => {
    const fake = await upstream({
      projectConfigs: {
        [KEY]: projectConfig(1, KEY, { datascrubbingSettings: { scrubData: true, sensitiveFields: ["color"] } }),
        [OTHER_KEY]: { ...projectConfig(2, OTHER_KEY), disabled: true },
      },
    });
    // The five requests below name three keys: a batch of three, and a window no machine outlasts,
    // make them share one fetch however slowly they arrive.
    const harness = await relay("managed", fake.url, { settings: { batchSize: 3, batchIntervalMs: 600_000 } });
    await harness.service.registration!.whenRegistered();
    expect((await fetch(`${harness.url}/api/relay/healthcheck/ready/`)).status).toBe(200);

    const answers = await Promise.all([
      store(harness.url, { message: "one", extra: { color: "blue" } }),
      store(harness.url, { message: "two" }),
      store(harness.url, { message: "disabled" }, { key: OTHER_KEY, project: 2 }),
      store(harness.url, { message: "unknown key" }, { key: "c".repeat(32) }),
      store(harness.url, { message: "key of another project" }, { key: KEY, project: 2 }),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 403, 403, 403]);
    const fetches = fake.requests.filter((r) => r.url.startsWith("/api/0/relays/projectconfigs/"));
    expect(fetches).toHaveLength(1);
    expect(fetches[0]!.url).toBe("/api/0/relays/projectconfigs/?version=3");
    expect((JSON.parse(fetches[0]!.body.toString()) as { publicKeys: string[] }).publicKeys.sort()).toEqual([KEY, OTHER_KEY, "c".repeat(32)].sort());

    const received = await fake.waitForEnvelopes(2);
    const extras = received.map((e) => (e.items[0]!.payload as { extra?: { color?: string } }).extra?.color).filter(Boolean);
    expect(extras).toEqual(["[Filtered]"]);
    // Cached: more events, including for the unknown key, fetch nothing new.
    await store(harness.url, { message: "three" });
    expect((await store(harness.url, { message: "still unknown" }, { key: "c".repeat(32) })).status).toBe(403);
    expect(fake.requests.filter((r) => r.url.startsWith("/api/0/relays/projectconfigs/"))).toHaveLength(1);
  });

  it("takes a key with .flag suffixes as the project key itself", async () => {
    const fake = await upstream({ projectConfigs: { [KEY]: projectConfig(1, KEY) } });
    const harness = await relay("managed", fake.url);
    await harness.service.registration!.whenRegistered();
    expect((await store(harness.url, { message: "flagged key" }, { key: `${KEY}.no-cache` })).status).toBe(200);
    const [received] = await fake.waitForEnvelopes(1);
    expect(received!.headers["x-sentry-auth"]).toBe(`Sentry sentry_key=${KEY}, sentry_version=7, sentry_client=test-sdk/1.0`);
    const asked = fake.requests
      .filter((r) => r.url.startsWith("/api/0/relays/projectconfigs/"))
      .flatMap((r) => (JSON.parse(r.body.toString()) as { publicKeys: string[] }).publicKeys);
    expect(asked).toEqual([KEY]);
  });

  it("accepts events before registration completes and delivers them after it", async () => {
    const fake = await upstream({ allowedRelays: [], projectConfigs: { [KEY]: projectConfig(1, KEY) } });
    const harness = await relay("managed", fake.url);
    expect((await fetch(`${harness.url}/api/relay/healthcheck/ready/`)).status).toBe(503);
    for (let i = 0; i < 20; i++) expect((await store(harness.url, { message: `early ${i}` })).status).toBe(200);
    // The upstream has refused the relay (it names its key for the operator to allow): still nothing sent.
    await eventually(() => harness.logs.some((line) => String(line.msg).includes(harness.credentials.publicKey)), "the refused registration to be logged");
    expect(fake.envelopes).toHaveLength(0);
    fake.allowRelays([harness.credentials.publicKey]);
    await fake.waitForEnvelopes(20);
    expect((await fetch(`${harness.url}/api/relay/healthcheck/ready/`)).status).toBe(200);
  });

  it("chains: a relay registers and forwards through another relay", async () => {
    const fake = await upstream({ projectConfigs: { [KEY]: projectConfig(1, KEY) } });
    const first = await relay("managed", fake.url);
    const second = await relay("managed", first.url);
    await second.service.registration!.whenRegistered();
    expect(fake.registered.has(second.credentials.relayId)).toBe(true);
    expect(fake.registered.has(first.credentials.relayId)).toBe(true);
    expect((await store(second.url, { message: "through two relays" })).status).toBe(200);
    const [received] = await fake.waitForEnvelopes(1);
    expect((received!.items[0]!.payload as { logentry: { formatted: string } }).logentry.formatted).toBe("through two relays");
    // The client's address, then the downstream relay's (both on loopback here).
    expect(received!.headers["x-forwarded-for"]).toBe("127.0.0.1, 127.0.0.1");
  });
});

describe("outbound proxy", () => {
  it("sends upstream traffic through HTTPS_PROXY / HTTP_PROXY", async () => {
    const fake = await upstream();
    const tunnels: string[] = [];
    const proxy = createServer();
    proxy.on("connect", (req, client: Socket, head: Buffer) => {
      tunnels.push(String(req.url));
      const [host, port] = String(req.url).split(":");
      const target = connect(Number(port), host, () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        target.write(head);
        target.pipe(client);
        client.pipe(target);
      });
      target.on("error", () => client.destroy());
      client.on("error", () => target.destroy());
    });
    proxy.on("request", (req, res) => {
      // Plain forwarding of absolute-URI requests, for clients that do not tunnel.
      tunnels.push(String(req.url));
      const target = new URL(String(req.url));
      const forwarded = httpRequest({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(forwarded);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    defer(() => closeServer(proxy));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const harness = await relay("proxy", fake.url, { settings: { proxy: { httpProxy: proxyUrl, httpsProxy: proxyUrl, noProxy: "" } } });
    expect((await store(harness.url, { message: "via the proxy" })).status).toBe(200);
    await fake.waitForEnvelopes(1);
    expect(tunnels.length).toBeGreaterThan(0);
    expect(tunnels[0]).toContain(`127.0.0.1:${fake.port}`);
  });
});
