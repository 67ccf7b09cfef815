import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { credentialsPublicKey, generateCredentials, signRequest, type Credentials } from "@org/identity";
import type { FakeUpstream } from "@org/testkit";
import { describe, expect, it } from "vitest";
import { loadStaticProjects } from "../src/projects/static-projects.js";
import { eventually, relayCredentials, type UpstreamHarness, upstreamTestbed } from "./upstream-harness.js";

const KEY = "a".repeat(32);
const { defer, upstream, relay } = upstreamTestbed();

/** A static-mode central relay trusting `edge`, with one project whose config names `filters`. */
async function central(fake: FakeUpstream, edge: Credentials, options: { internal?: boolean; now?: () => number; filters?: unknown; trusted?: boolean } = {}): Promise<UpstreamHarness> {
  const dir = mkdtempSync(join(tmpdir(), "relay-downstream-"));
  defer(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const config = { allowedDomains: ["*"], trustedRelays: options.trusted === false ? [] : [credentialsPublicKey(edge)], ...(options.filters ? { filterSettings: options.filters } : {}) };
  writeFileSync(join(dir, "1.json"), JSON.stringify({ slug: "app", publicKeys: [{ publicKey: KEY, isEnabled: true }], config }));
  const projects = await loadStaticProjects(dir, () => undefined);
  return relay("static", fake.url, {
    projects,
    downstream: { staticRelays: { [edge.id]: { publicKey: credentialsPublicKey(edge), internal: options.internal ?? false } }, signatureMaxAgeMs: 300_000, now: options.now },
  });
}

/** A request of {@link signed}: where to, what, and optionally when or with which signature and relay id. */
interface SignedRequest {
  readonly url: string;
  readonly path: string;
  readonly body: unknown;
  readonly at?: Date;
  readonly signature?: string;
  readonly relayId?: string;
}

/** A request signed as `who`, at `at` (default now). */
function signed(who: Credentials, options: SignedRequest): { send: () => Promise<Response>; signature: string } {
  const { url, path, body } = options;
  const text = JSON.stringify(body);
  const signature = options.signature ?? signRequest(text, who.keyPair.secretKey, options.at);
  return {
    signature,
    send: () =>
      fetch(`${url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-sentry-relay-id": options.relayId ?? who.id, "x-sentry-relay-signature": signature },
        body: text,
      }),
  };
}

describe("serving downstream relays from auth.static_relays", () => {
  it("registers a trusted relay by challenge and response, and answers project configs v3 and public keys", async () => {
    const fake = await upstream();
    const edge = generateCredentials();
    const harness = await central(fake, edge);
    const publicKey = credentialsPublicKey(edge);

    const challenge = await signed(edge, { url: harness.url, path: "/api/0/relays/register/challenge/", body: { relay_id: edge.id, public_key: publicKey, version: "25.1.0" } }).send();
    expect(challenge.status).toBe(200);
    const { token } = (await challenge.json()) as { token: string };
    const response = await signed(edge, { url: harness.url, path: "/api/0/relays/register/response/", body: { relay_id: edge.id, token, version: "25.1.0" } }).send();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ relay_id: edge.id });

    const configs = await signed(edge, { url: harness.url, path: "/api/0/relays/projectconfigs/?version=3", body: { publicKeys: [KEY, "b".repeat(32), "not a key"], global: true } }).send();
    expect(configs.status).toBe(200);
    const answer = (await configs.json()) as { configs: Record<string, { projectId: number; publicKeys: unknown[] }>; pending?: string[]; global?: unknown; globalStatus?: string };
    expect(Object.keys(answer.configs)).toEqual([KEY]);
    expect(answer.configs[KEY]!.projectId).toBe(1);
    expect(answer.pending).toBeUndefined();
    expect(answer).toMatchObject({ global: {}, globalStatus: "ready" });

    const keys = await signed(edge, { url: harness.url, path: "/api/0/relays/publickeys/", body: { relay_ids: [edge.id, "00000000-0000-4000-8000-000000000000"] } }).send();
    expect(await keys.json()).toEqual({ relays: { [edge.id]: { publicKey, internal: false }, "00000000-0000-4000-8000-000000000000": null } });
    // Nothing of this went to Sentry.
    expect(fake.requests).toEqual([]);
  });

  it("keeps a project's config from a relay the project does not trust, unless the relay is internal", async () => {
    const fake = await upstream();
    const edge = generateCredentials();
    const untrusted = await central(fake, edge, { trusted: false });
    const internal = await central(fake, edge, { trusted: false, internal: true });
    const ask = async (harness: UpstreamHarness): Promise<string[]> =>
      Object.keys(((await (await signed(edge, { url: harness.url, path: "/api/0/relays/projectconfigs/?version=3", body: { publicKeys: [KEY] } }).send()).json()) as { configs: object }).configs);
    expect(await ask(untrusted)).toEqual([]);
    expect(await ask(internal)).toEqual([KEY]);
  });

  it("refuses unknown relays, bad, stale and replayed signatures, and old versions, with 4xx and a reason", async () => {
    const fake = await upstream();
    const edge = generateCredentials();
    const stranger = generateCredentials();
    let now = Date.now();
    const harness = await central(fake, edge, { now: () => now });
    const path = "/api/0/relays/projectconfigs/?version=3";
    const body = { publicKeys: [KEY] };
    const detail = async (response: Response): Promise<[number, string]> => [response.status, ((await response.json()) as { detail: string }).detail];

    expect(await detail(await signed(stranger, { url: harness.url, path, body }).send())).toEqual([401, "unknown relay id"]);
    expect(
      await detail(await signed(stranger, { url: harness.url, path: "/api/0/relays/register/challenge/", body: { relay_id: stranger.id, public_key: credentialsPublicKey(stranger) } }).send()),
    ).toEqual([401, "unknown relay id"]);
    // The edge's id with another key's signature.
    expect(await detail(await signed(stranger, { url: harness.url, path, body, relayId: edge.id }).send())).toEqual([401, "invalid relay signature"]);
    expect((await signed(edge, { url: harness.url, path, body, signature: "garbage" }).send()).status).toBe(401);
    const missing = await fetch(`${harness.url}${path}`, { method: "POST", headers: { "x-sentry-relay-id": edge.id }, body: JSON.stringify(body) });
    expect(await detail(missing)).toEqual([401, "missing header: x-sentry-relay-signature"]);

    const old = signed(edge, { url: harness.url, path, body, at: new Date(now - 301_000) });
    const [status, why] = await detail(await old.send());
    expect(status).toBe(401);
    expect(why).toMatch(/^invalid relay signature: the signature is 301 s old/);

    const fresh = signed(edge, { url: harness.url, path, body });
    expect((await fresh.send()).status).toBe(200);
    expect(await detail(await fresh.send())).toEqual([401, "invalid relay signature: this signature was used before"]);
    // The same signature after its age is refused as stale, not accepted again.
    now += 400_000;
    expect((await fresh.send()).status).toBe(401);
    now -= 400_000;

    expect((await signed(edge, { url: harness.url, path: "/api/0/relays/projectconfigs/?version=2", body }).send()).status).toBe(400);
    expect((await signed(edge, { url: harness.url, path, body: { publicKeys: "all" } }).send()).status).toBe(400);
    const notJson = await fetch(`${harness.url}${path}`, {
      method: "POST",
      headers: { "x-sentry-relay-id": edge.id, "x-sentry-relay-signature": signRequest("{not json", edge.keyPair.secretKey) },
      body: "{not json",
    });
    expect(notJson.status).toBe(400);
    const badChallenge = await fetch(`${harness.url}/api/0/relays/register/challenge/`, { method: "POST", body: "[]" });
    expect(badChallenge.status).toBe(400);
    expect(fake.requests).toEqual([]);
  });

  it("answers 10,000 keys with a bounded lookup: one batch fetched upstream, the rest pending", async () => {
    const fake = await upstream();
    const downstream = generateCredentials();
    const mid = await relay("managed", fake.url, {
      settings: { batchSize: 500 },
      downstream: { staticRelays: { [downstream.id]: { publicKey: credentialsPublicKey(downstream), internal: true } }, signatureMaxAgeMs: 300_000 },
    });
    await mid.service.registration!.whenRegistered();
    const keys = Array.from({ length: 10_000 }, (_, i) => i.toString(16).padStart(32, "0"));
    const response = await signed(downstream, { url: mid.url, path: "/api/0/relays/projectconfigs/?version=3", body: { publicKeys: keys } }).send();
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { configs: object; pending: string[] };
    expect(Object.keys(answer.configs)).toEqual([]);
    expect(answer.pending).toHaveLength(10_000);
    const asked = (): string[] =>
      fake.requests.filter((r) => r.url.startsWith("/api/0/relays/projectconfigs/")).flatMap((r) => (JSON.parse(r.body.toString()) as { publicKeys: string[] }).publicKeys);
    await eventually(() => asked().length === 500, "one batch of project configs fetched");
    expect(new Set(asked())).toEqual(new Set(keys.slice(0, 500)));
  });

  it("takes a trusted relay's envelope with the client's original address, and refuses a forged one", async () => {
    const fake = await upstream();
    const edge = generateCredentials();
    // The project drops events from 203.0.113.9: only the original client address can match.
    const harness = await central(fake, edge, { filters: { clientIps: { blacklistedIps: ["203.0.113.9"] } } });
    const envelope = (message: string): Buffer =>
      Buffer.from(`{"dsn":"http://${KEY}@relay/1"}\n{"type":"event"}\n${JSON.stringify({ message })}\n`);
    const send = (payload: Buffer, headers: Record<string, string>): Promise<Response> =>
      fetch(`${harness.url}/api/1/envelope/`, {
        method: "POST",
        headers: { "content-type": "application/x-sentry-envelope", "content-encoding": "gzip", "x-sentry-auth": `Sentry sentry_key=${KEY}, sentry_version=7`, ...headers },
        body: gzipSync(payload),
      });
    const filtered = envelope("from the blocked client");
    expect((await send(filtered, { "x-forwarded-for": "203.0.113.9, 10.0.0.5", "x-sentry-relay-id": edge.id, "x-sentry-relay-signature": signRequest(filtered, edge.keyPair.secretKey) })).status).toBe(200);
    // Without the relay's signature the same header is just what a client claims: the peer address counts.
    const unsigned = envelope("unsigned");
    expect((await send(unsigned, { "x-forwarded-for": "203.0.113.9" })).status).toBe(200);
    const forged = envelope("forged");
    const forgedAnswer = await send(forged, { "x-forwarded-for": "203.0.113.9", "x-sentry-relay-id": edge.id, "x-sentry-relay-signature": signRequest(unsigned, edge.keyPair.secretKey) });
    expect(forgedAnswer.status).toBe(401);

    const [received] = await fake.waitForEnvelopes(1);
    expect((received!.items[0]!.payload as { message?: string; logentry?: { formatted: string } }).logentry?.formatted ?? (received!.items[0]!.payload as { message?: string }).message).toBe("unsigned");
    await eventually(() => harness.spool.stats().depth === 0, "the spool draining");
    expect(fake.envelopes).toHaveLength(1);
  });

  it("chains managed → managed: the central relay fetches from Sentry and serves the edge from its own cache", async () => {
    const fake = await upstream({
      projectConfigs: { [KEY]: { projectId: 1, slug: "app", disabled: false, publicKeys: [{ publicKey: KEY, isEnabled: true }], config: { allowedDomains: ["*"], trustedRelays: [] } } },
    });
    const edgeCredentials = generateCredentials();
    const centralRelay = await relay("managed", fake.url, {
      downstream: { staticRelays: { [edgeCredentials.id]: { publicKey: credentialsPublicKey(edgeCredentials), internal: true } }, signatureMaxAgeMs: 300_000 },
    });
    const edge = await relay("managed", centralRelay.url, { credentials: relayCredentials(edgeCredentials) });
    await edge.service.registration!.whenRegistered();
    const response = await fetch(`${edge.url}/api/1/store/`, {
      method: "POST",
      headers: { "x-sentry-auth": `Sentry sentry_key=${KEY}, sentry_version=7`, "content-type": "application/json" },
      body: JSON.stringify({ message: "managed all the way" }),
    });
    expect(response.status).toBe(200);
    const [received] = await fake.waitForEnvelopes(1);
    expect((received!.items[0]!.payload as { logentry: { formatted: string } }).logentry.formatted).toBe("managed all the way");
    // The edge registered with the central relay only, and Sentry saw the central relay's own requests.
    expect(fake.registered.has(edgeCredentials.id)).toBe(false);
    expect(fake.registered.has(centralRelay.credentials.relayId)).toBe(true);
    expect(String(received!.headers["x-sentry-relay-id"])).toBe(centralRelay.credentials.relayId);
  });
});
