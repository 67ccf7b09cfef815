// @module-tag e2e
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ReceivedEnvelope } from "@org/testkit";
import { describe, expect, it } from "vitest";
import { eventually, upstreamTestbed, type UpstreamHarness } from "./upstream-harness.js";

const KEY = "c".repeat(32);
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CARD = "4571234567890111";
const FIREFOX_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

const { defer, upstream, relay } = upstreamTestbed();

/** A managed relay whose project drops CSP reports about `http://evil.example`, registered with a fake upstream. */
async function relayWithCspFilter(): Promise<{ harness: UpstreamHarness; envelopes: () => readonly ReceivedEnvelope[]; waitForEnvelopes: (count: number) => Promise<ReceivedEnvelope[]> }> {
  const fake = await upstream({
    projectConfigs: {
      [KEY]: {
        projectId: 1,
        slug: "web",
        disabled: false,
        publicKeys: [{ publicKey: KEY, isEnabled: true, numericId: 7 }],
        config: { allowedDomains: ["*"], trustedRelays: [], filterSettings: { csp: { disallowedSources: ["http://evil.example"] } } },
      },
    },
  });
  const harness = await relay("managed", fake.url);
  await harness.service.registration!.whenRegistered();
  return { harness, envelopes: () => fake.envelopes, waitForEnvelopes: (count) => fake.waitForEnvelopes(count) };
}

/** The security endpoint's URL with the DSN key, release and environment in the query string. */
function reportUri(harness: UpstreamHarness, path = "security"): string {
  return `${harness.url}/api/1/${path}/?sentry_key=${KEY}&sentry_release=web%401.4.0&sentry_environment=production`;
}

/** Waits until everything the relay accepted was processed and delivered or dropped. */
async function drained(harness: UpstreamHarness): Promise<void> {
  await eventually(() => harness.spool.stats().depth === 0, "the relay's spool to drain");
}

interface SecurityEvent {
  type: string;
  logentry: { formatted: string };
  culprit: string;
  logger: string;
  release: string;
  environment: string;
  user: { ip_address: string };
  tags: [string, string][];
  contexts: Record<string, unknown>;
  request: { url?: string; headers: [string, string][] };
  csp: Record<string, unknown>;
}

/** The one item of a received envelope: its type and event. */
function securityItem(envelope: ReceivedEnvelope): { type: string; event: SecurityEvent } {
  expect(envelope.items).toHaveLength(1);
  const [item] = envelope.items;
  return { type: item!.type, event: item!.payload as SecurityEvent };
}

describe("browser security reports", () => {
  it("turns Chromium's CSP reports into scrubbed csp events, and drops the one a disallowedSources filter names", async () => {
    const { harness, envelopes, waitForEnvelopes } = await relayWithCspFilter();
    // A checkout page whose policy blocks an image from evil.example and its own inline script.
    const page = createServer((_request, response) => {
      response.setHeader("content-type", "text/html");
      response.setHeader("content-security-policy", `default-src 'self'; script-src 'self'; img-src 'self'; report-uri ${reportUri(harness)}`);
      response.end('<!doctype html><title>checkout</title><img src="http://evil.example/pixel.png"><script>document.title = "paid";</script>');
    });
    await new Promise<void>((resolve) => page.listen(0, "127.0.0.1", resolve));
    defer(() => new Promise<void>((resolve) => { page.closeAllConnections(); page.close(() => { resolve(); }); }));
    const pageOrigin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
    const pageUrl = `${pageOrigin}/checkout?card=${CARD}`;

    const profile = mkdtempSync(join(tmpdir(), "csp-chromium-"));
    // In a process group of its own, so that its helper processes stop with it.
    const browser = spawn(CHROMIUM, ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", `--user-data-dir=${profile}`, pageUrl], { stdio: "ignore", detached: true });
    const exited = new Promise<void>((resolve) => browser.once("exit", () => { resolve(); }));
    defer(async () => {
      if (browser.pid !== undefined && browser.exitCode === null && browser.signalCode === null) process.kill(-browser.pid, "SIGKILL");
      await exited;
      // A helper may still be writing as it dies: removal retries until the profile is quiet.
      rmSync(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 });
    });

    const [received] = await waitForEnvelopes(1);
    await eventually(() => harness.outcomes.get("filtered:security:invalid-csp") === 1, "the evil.example report to be filtered");
    await drained(harness);
    expect(envelopes()).toHaveLength(1);

    const { type, event } = securityItem(received!);
    expect(type).toBe("security");
    expect(event.type).toBe("csp");
    expect(event.logentry.formatted).toBe("Blocked 'script' from 'inline:'");
    expect(event.culprit).toBe("script-src-elem");
    expect(event.logger).toBe("csp");
    expect([event.release, event.environment]).toEqual(["web@1.4.0", "production"]);
    expect(event.user.ip_address).toBe("127.0.0.1");
    expect(event.tags).toEqual(expect.arrayContaining([["effective-directive", "script-src-elem"], ["blocked-uri", "inline"]]));
    expect(event.csp).toMatchObject({ effective_directive: "script-src-elem", blocked_uri: "inline", violated_directive: "script-src-elem", disposition: "enforce" });
    const headers = Object.fromEntries(event.request.headers);
    expect(headers["User-Agent"]).toMatch(/Chrome\//);
    expect(headers.Origin).toBe(`${pageOrigin}/`);
    // Chromium's client hints come along as Relay's normalization adds them.
    expect(headers["SEC-CH-UA"]).toMatch(/Chromium/);
    expect(headers["SEC-CH-UA-Platform"]).toMatch(/^".+"$/);
    // The card number in the page's address is scrubbed wherever the report carried it.
    expect(JSON.stringify(event)).not.toContain(CARD);
    expect(String(event.csp.document_uri)).toContain("[Filtered]");
    expect(harness.outcomes.get("accepted:security")).toBe(1);
  });

  it("reads Firefox's level 2 report (no effective-directive) at the older csp-report path, its origin from the Referer", async () => {
    const { harness, waitForEnvelopes } = await relayWithCspFilter();
    const report = {
      "csp-report": {
        "blocked-uri": "https://cdn.tracker.example/t.js",
        "document-uri": "https://shop.example/orders",
        referrer: `https://shop.example/pay?card=${CARD}`,
        "original-policy": "script-src 'self'; report-uri https://sentry.example/api/1/csp-report/",
        "violated-directive": "script-src 'self' https://shop.example",
        disposition: "enforce",
        "source-file": "https://shop.example/orders",
        "line-number": 12,
        "column-number": 5,
      },
    };
    const response = await fetch(reportUri(harness, "csp-report"), {
      method: "POST",
      headers: { "content-type": "application/csp-report", "user-agent": FIREFOX_UA, referer: "https://shop.example/orders" },
      body: JSON.stringify(report),
    });
    expect(response.status).toBe(200);
    const [received] = await waitForEnvelopes(1);
    const { type, event } = securityItem(received!);
    expect(type).toBe("security");
    expect(event.type).toBe("csp");
    expect(event.logentry.formatted).toBe("Blocked 'script' from 'cdn.tracker.example'");
    expect(event.culprit).toBe("script-src 'self' 'self'");
    expect(event.tags).toEqual(expect.arrayContaining([["effective-directive", "script-src"], ["blocked-host", "cdn.tracker.example"]]));
    expect(event.request.url).toBe("https://shop.example/orders");
    const headers = Object.fromEntries(event.request.headers);
    expect(headers["User-Agent"]).toBe(FIREFOX_UA);
    expect(headers.Origin).toBe("https://shop.example/orders");
    expect(headers.Referer).toContain("[Filtered]");
    expect(Object.keys(headers)).toEqual(["Referer", "Origin", "User-Agent"]);
    // The browser and its OS, read from the report's User-Agent as Relay reads them.
    expect(event.contexts.browser).toEqual({ name: "Firefox", version: "133.0", type: "browser" });
    expect(event.contexts.client_os).toEqual({ name: "Linux", type: "os" });
    expect(JSON.stringify(event)).not.toContain(CARD);
  });

  it("takes a Reporting API batch report by report, and drops the ones that are not CSP violations with Relay's outcomes", async () => {
    const { harness, envelopes, waitForEnvelopes } = await relayWithCspFilter();
    const violation = (blocked: string, directive: string): unknown => ({
      age: 2,
      type: "csp-violation",
      url: "https://shop.example/",
      user_agent: "Mozilla/5.0",
      body: { documentURL: "https://shop.example/", blockedURL: blocked, effectiveDirective: directive, disposition: "enforce", originalPolicy: "default-src 'self'", statusCode: 200 },
    });
    const batch = [
      violation("https://fonts.example/a.woff2", "font-src"),
      violation("eval", "script-src"),
      violation("http://evil.example/x.js", "script-src-elem"),
      { age: 1, type: "deprecation", url: "https://shop.example/", body: { id: "x", message: "old API" } },
      { "expect-ct-report": { hostname: "shop.example", port: 443 } },
    ];
    const response = await fetch(reportUri(harness), { method: "POST", headers: { "content-type": "application/reports+json" }, body: JSON.stringify(batch) });
    expect(response.status).toBe(200);
    await waitForEnvelopes(2);
    await eventually(() => harness.outcomes.get("filtered:security:invalid-csp") === 2, "the deprecation and evil.example reports to be filtered");
    await eventually(() => harness.outcomes.get("invalid:security:security_report_type") === 1, "the Expect-CT report to be dropped");
    await drained(harness);
    const messages = envelopes().map((envelope) => securityItem(envelope).event.logentry.formatted).sort();
    expect(messages).toEqual(["Blocked 'font' from 'fonts.example'", "Blocked unsafe eval() 'script'"]);
  });

  it("answers 415 to media types that are not reports, and 400 to an empty body", async () => {
    const { harness } = await relayWithCspFilter();
    const plain = await fetch(reportUri(harness), { method: "POST", headers: { "content-type": "text/plain" }, body: "{}" });
    expect(plain.status).toBe(415);
    const empty = await fetch(reportUri(harness), { method: "POST", headers: { "content-type": "application/csp-report" }, body: "" });
    expect(empty.status).toBe(400);
  });
});
