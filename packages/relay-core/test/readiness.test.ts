import { describe, expect, it } from "vitest";
import { eventually, upstreamTestbed } from "./upstream-harness.js";

const KEY = "a".repeat(32);
const { upstream, relay } = upstreamTestbed();

function store(url: string, message: string): Promise<Response> {
  return fetch(`${url}/api/1/store/`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-sentry-auth": `Sentry sentry_key=${KEY}, sentry_version=7, sentry_client=test-sdk/1.0` },
    body: JSON.stringify({ message, extra: { padding: "x".repeat(400) } }),
  });
}

async function ready(url: string): Promise<{ status: number; body: { is_healthy: boolean; reasons?: string[] } }> {
  const response = await fetch(`${url}/api/relay/healthcheck/ready/`);
  return { status: response.status, body: (await response.json()) as { is_healthy: boolean; reasons?: string[] } };
}

describe("/api/relay/healthcheck/ready/", () => {
  it("is not ready while the spool is full, and ready again once it drains; live stays up", async () => {
    const fake = await upstream();
    // The upstream is down: everything accepted stays in a spool with room for a few events.
    fake.intake({ kind: "status", status: 503 });
    const harness = await relay("proxy", fake.url, { spoolMaxBytes: 4_000 });
    expect(await ready(harness.url)).toEqual({ status: 200, body: { is_healthy: true } });

    let refused = 0;
    for (let i = 0; i < 50 && refused === 0; i++) if ((await store(harness.url, `event ${i}`)).status === 503) refused++;
    expect(refused).toBe(1);
    const full = await ready(harness.url);
    expect(full.status).toBe(503);
    expect(full.body).toEqual({ is_healthy: false, reasons: ["the spool is full (spool.max_disk_size)"] });
    expect((await fetch(`${harness.url}/api/relay/healthcheck/live/`)).status).toBe(200);

    fake.intake({ kind: "accept" });
    await eventually(() => harness.spool.stats().depth === 0, "the spool draining");
    expect((await ready(harness.url)).status).toBe(200);
  });

  it("stays ready through registration failures shorter than the grace, and says why after it", async () => {
    const fake = await upstream({ projectConfigs: {} });
    let now = Date.now();
    const harness = await relay("managed", fake.url, { readiness: { outageGraceMs: 10_000, now: () => now } });
    await harness.service.registration!.whenRegistered();
    expect((await ready(harness.url)).status).toBe(200);

    // The upstream stops accepting this relay: a re-registration fails.
    fake.allowRelays([]);
    const failed = new Promise<void>((resolve) => {
      const off = harness.service.registration!.onAttempt((succeeded) => {
        if (!succeeded) {
          off();
          resolve();
        }
      });
    });
    harness.service.registration!.renew();
    await failed;
    now += 5_000;
    expect((await ready(harness.url)).status).toBe(200);
    now += 6_000;
    const late = await ready(harness.url);
    expect(late.status).toBe(503);
    expect(late.body.reasons).toHaveLength(1);
    expect(late.body.reasons![0]).toMatch(/^registration with the upstream has failed for 11 s: the upstream refused this relay's public key/);

    fake.allowRelays(undefined);
    harness.service.registration!.renew();
    await eventually(() => harness.service.registration!.lastError === undefined && harness.service.registration!.isRegistered(), "re-registration");
    expect((await ready(harness.url)).status).toBe(200);
  });

  it("is not ready before the first registration unless auth.ready is always", async () => {
    const fake = await upstream({ allowedRelays: [] });
    const strict = await relay("managed", fake.url);
    const relaxed = await relay("managed", fake.url, { readiness: { authReady: "always" } });
    await eventually(() => strict.service.registration!.lastError !== undefined, "a failed registration");
    const notYet = await ready(strict.url);
    expect(notYet.status).toBe(503);
    expect(notYet.body.reasons![0]).toMatch(/^not registered with the upstream yet: /);
    expect((await ready(relaxed.url)).status).toBe(200);
  });

  it("is not ready once shutting down", async () => {
    const fake = await upstream();
    const harness = await relay("proxy", fake.url);
    expect(harness.service.readiness.check()).toEqual({ ready: true });
    const closed = harness.service.close(1_000);
    expect(harness.service.readiness.check()).toEqual({ ready: false, reasons: ["the relay is shutting down"] });
    const answer = await harness.service.app.inject({ method: "GET", url: "/api/relay/healthcheck/ready/" });
    expect(answer.statusCode).toBe(503);
    await closed;
  });
});
