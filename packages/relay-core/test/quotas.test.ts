import { describe, expect, it } from "vitest";
import { RateLimitCache } from "../src/upstream/rate-limit-cache.js";
import { eventually, upstreamTestbed } from "./upstream-harness.js";

const KEY = "a".repeat(32);
const OTHER_KEY = "b".repeat(32);
const THIRD_KEY = "c".repeat(32);
const { upstream, relay } = upstreamTestbed();

/** A project and the key clients send to it with. */
interface ProjectKey {
  readonly projectId: number;
  readonly key: string;
}
const FIRST: ProjectKey = { projectId: 1, key: KEY };
const SECOND: ProjectKey = { projectId: 2, key: OTHER_KEY };
const THIRD: ProjectKey = { projectId: 3, key: THIRD_KEY };

function projectConfig(project: ProjectKey, organizationId: number, config: Record<string, unknown> = {}): Record<string, unknown> {
  const { projectId, key } = project;
  return { projectId, organizationId, slug: `p${projectId}`, disabled: false, publicKeys: [{ publicKey: key, isEnabled: true, numericId: projectId * 10 }], config: { allowedDomains: ["*"], trustedRelays: [], ...config } };
}

function send(url: string, project: ProjectKey, body: string): Promise<Response> {
  const { projectId, key } = project;
  return fetch(`${url}/api/${projectId}/envelope/`, { method: "POST", headers: { "x-sentry-auth": `Sentry sentry_key=${key}, sentry_version=7` }, body });
}

const hex = (n: number): string => n.toString(16).padStart(32, "0");
const event = (n: number, extra = ""): string => `{"event_id":"${hex(n)}"}\n{"type":"event"}\n{"message":"event ${n}"}\n${extra}`;
const attachment = (bytes: number): string => `{"type":"attachment","length":${bytes},"filename":"a.bin"}\n${"x".repeat(bytes)}\n`;

describe("rate limits at their scope", () => {
  it("keeps key, project, organization and global limits at their scope", () => {
    let now = 1_000_000;
    const cache = new RateLimitCache(() => now);
    cache.noteOrganization("1", "7");
    cache.noteOrganization("2", "7");
    cache.noteOrganization("3", "8");
    cache.record("1", KEY, [{ until: now + 60_000, categories: ["error"], scope: "organization" }]);
    cache.record("1", KEY, [{ until: now + 60_000, categories: ["transaction"], scope: "key" }]);
    cache.record("3", THIRD_KEY, [{ until: now + 60_000, categories: ["session"], scope: "project" }]);
    expect(cache.check("2", OTHER_KEY, ["error"])?.retryAfter).toBe(60);
    expect(cache.check("3", THIRD_KEY, ["error"])).toBeUndefined();
    expect(cache.check("1", KEY, ["transaction"])).toBeDefined();
    expect(cache.check("1", OTHER_KEY, ["transaction"])).toBeUndefined();
    expect(cache.check("3", OTHER_KEY, ["session"])).toBeDefined();
    expect(cache.check("1", KEY, ["session"])).toBeUndefined();
    cache.record("1", KEY, [{ until: now + 10_000, categories: ["replay"], scope: "global" }]);
    expect(cache.check("3", THIRD_KEY, ["replay"])).toBeDefined();
    now += 60_001;
    expect(cache.check("2", OTHER_KEY, ["error", "replay"])).toBeUndefined();
  });

  it("applies an organization-wide limit from the upstream to every project of the organization", async () => {
    const fake = await upstream({
      projectConfigs: { [KEY]: projectConfig(FIRST, 7), [OTHER_KEY]: projectConfig(SECOND, 7), [THIRD_KEY]: projectConfig(THIRD, 8) },
    });
    const harness = await relay("managed", fake.url);
    await harness.service.registration!.whenRegistered();
    // Project 2 is seen first, so that the relay knows its organization.
    expect((await send(harness.url, SECOND, event(1))).status).toBe(200);
    await fake.waitForEnvelopes(1);
    fake.intake({ kind: "status", status: 429, headers: { "x-sentry-rate-limits": "60:error:organization:org_quota" } });
    expect((await send(harness.url, FIRST, event(2))).status).toBe(200);
    await eventually(() => harness.spool.stats().depth === 0 && harness.service.rateLimits.check("1", KEY, ["error"]) !== undefined, "the limit to be learned");
    fake.intake({ kind: "accept" });
    expect((await send(harness.url, SECOND, event(3))).status).toBe(429);
    expect((await send(harness.url, THIRD, event(4))).status).toBe(200);
    await eventually(() => fake.eventIds.includes(hex(4)), "the other organization's event");
    expect(fake.eventIds).not.toContain(hex(3));
  });
});

describe("project quotas enforced before forwarding", () => {
  it("counts events and attachment bytes against the project's quotas, and refuses at the door once exceeded", async () => {
    const quotas = [
      { id: "errors", categories: ["error"], scope: "project", limit: 2, window: 3600, reasonCode: "project_quota" },
      { id: "bytes", categories: ["attachment"], scope: "organization", limit: 100, window: 3600, reasonCode: "attachment_bytes" },
      { categories: ["replay"], scope: "key", limit: 0, reasonCode: "replays_off" },
    ];
    const fake = await upstream({ projectConfigs: { [KEY]: projectConfig(FIRST, 7, { quotas }) } });
    const harness = await relay("managed", fake.url);
    await harness.service.registration!.whenRegistered();

    expect((await send(harness.url, FIRST, event(1, attachment(60)))).status).toBe(200);
    await fake.waitForEnvelopes(1);
    // 60 + 60 bytes is over the 100-byte quota: the second attachment is dropped, its event is not.
    expect((await send(harness.url, FIRST, event(2, attachment(60)))).status).toBe(200);
    await fake.waitForEnvelopes(2);
    expect(fake.envelopes.map((envelope) => envelope.items.map((item) => item.type))).toEqual([["event", "attachment"], ["event"]]);

    // A third error is over the project's quota of two.
    expect((await send(harness.url, FIRST, event(3))).status).toBe(200);
    await eventually(() => harness.spool.stats().depth === 0, "the third event processed");
    expect(fake.eventIds).not.toContain(hex(3));
    const refused = await send(harness.url, FIRST, event(4));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("x-sentry-rate-limits")).toContain(":error:project:project_quota");

    // A quota of 0 refuses its category at once.
    const replay = `{"event_id":"${hex(5)}"}\n{"type":"replay_event"}\n{"type":"replay_event","replay_id":"${hex(5)}"}\n`;
    expect((await send(harness.url, FIRST, replay)).status).toBe(200);
    await eventually(() => harness.spool.stats().depth === 0, "the replay processed");
    expect(fake.eventIds).not.toContain(hex(5));
    expect(harness.outcomes.get("rate_limited:replay")).toBe(1);
  });

  it("drops an event's attachments with it when the event is rate limited, and keeps sessions", async () => {
    const fake = await upstream({ projectConfigs: { [KEY]: projectConfig(FIRST, 7) } });
    const harness = await relay("managed", fake.url);
    await harness.service.registration!.whenRegistered();
    fake.intake({ kind: "status", status: 200, headers: { "x-sentry-rate-limits": "60:error:key" } });
    expect((await send(harness.url, FIRST, event(1))).status).toBe(200);
    await eventually(() => harness.spool.stats().depth === 0 && harness.service.rateLimits.check("1", KEY, ["error"]) !== undefined, "the limit to be learned");
    fake.intake({ kind: "accept" });
    const session = `{"type":"session"}\n{"sid":"${hex(9)}","status":"ok","started":"2026-01-01T00:00:00Z","attrs":{"release":"1.0"}}\n`;
    const answer = await send(harness.url, FIRST, event(2, attachment(10) + session));
    expect(answer.status).toBe(200);
    expect(answer.headers.get("x-sentry-rate-limits")).toContain(":error:key");
    await eventually(() => harness.spool.stats().depth === 0, "the envelope processed");
    await fake.waitForEnvelopes(1);
    expect(fake.envelopes[0]!.items.map((item) => item.type)).toEqual(["session"]);
    expect(harness.outcomes.get("rate_limited:attachment")).toBe(1);
  });
});
