// @module-tag e2e
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { describe, expect, it, vi } from "vitest";
import { RelayRegistration, registrationBackoff, type RegistrationError } from "../src/upstream/registration.js";
import { UpstreamClient } from "../src/upstream/upstream-client.js";
import { eventually, recordingLogger, relayCredentials, upstreamTestbed } from "./upstream-harness.js";

const { defer, upstream } = upstreamTestbed();

function registrationWith(url: string, credentials = relayCredentials(), overrides: { authIntervalMs?: number } = {}) {
  const { logger, logs } = recordingLogger();
  const client = new UpstreamClient({ upstream: url, timeoutMs: 30_000, connectTimeoutMs: 10_000, maxConnections: 4, userAgent: "test" });
  const registration = new RelayRegistration({
    client,
    credentials,
    version: "25.1.0",
    logger,
    authIntervalMs: overrides.authIntervalMs ?? 600_000,
    maxRetryIntervalMs: 200,
  });
  defer(async () => {
    registration.close();
    await client.destroy();
  });
  return { registration, logs, credentials, client };
}

async function failureOf(registration: RelayRegistration): Promise<RegistrationError> {
  try {
    await registration.register();
  } catch (error) {
    return error as RegistrationError;
  }
  throw new Error("registration succeeded");
}

describe("registration", () => {
  it("registers by challenge and response, signatures checked by an independent Ed25519", async () => {
    const fake = await upstream();
    const { registration, credentials } = registrationWith(fake.url);
    registration.start();
    await registration.whenRegistered();
    expect(registration.state).toBe("registered");
    expect(fake.registered.get(credentials.relayId)).toMatchObject({ publicKey: credentials.publicKey, version: "25.1.0" });
    const challenge = fake.requests.find((r) => r.url === "/api/0/relays/register/challenge/")!;
    expect(challenge.headers["x-sentry-relay-id"]).toBe(credentials.relayId);
    expect(challenge.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(challenge.body.toString())).toEqual({ relay_id: credentials.relayId, public_key: credentials.publicKey, version: "25.1.0" });
    const signature = String(challenge.headers["x-sentry-relay-signature"]);
    const header = JSON.parse(Buffer.from(signature.split(".")[1]!, "base64url").toString()) as { t: string };
    expect(header.t).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const response = fake.requests.find((r) => r.url === "/api/0/relays/register/response/")!;
    expect(Object.keys(JSON.parse(response.body.toString()) as object).sort()).toEqual(["relay_id", "token", "version"]);
  });

  it("explains a key the upstream does not allow, printing the key", async () => {
    const fake = await upstream({ allowedRelays: ["someone-else"] });
    const { registration, credentials } = registrationWith(fake.url);
    const error = await failureOf(registration);
    expect(error.code).toBe("refused");
    expect(error.message).toContain(credentials.publicKey);
    expect(error.message).toMatch(/Settings → Relays/);
  });

  it("blames the clock when the upstream's clock is far off and signatures expire", async () => {
    const fake = await upstream();
    fake.skewClock(-10 * 60_000);
    const { registration } = registrationWith(fake.url);
    const error = await failureOf(registration);
    expect(error.code).toBe("signature");
    expect(error.message).toMatch(/clock is 60[01] s ahead of the upstream.s/);
  });

  it("says when the URL is not a Sentry server", async () => {
    const server = createServer((_req, res) => res.writeHead(404, { "content-type": "text/html" }).end("<h1>Not Found</h1>"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    defer(() => new Promise<void>((resolve) => server.close(() => { resolve(); })));
    const { registration } = registrationWith(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const error = await failureOf(registration);
    expect(error.code).toBe("not_found");
    expect(error.message).toMatch(/relay\.upstream must be the origin of a Sentry server/);
  });

  it("says when the upstream is unreachable", async () => {
    const fake = await upstream();
    await fake.stop();
    const { registration } = registrationWith(fake.url);
    const error = await failureOf(registration);
    expect(error.code).toBe("network");
    expect(error.message).toMatch(/refused: is the upstream running/);
  });

  it("names a TLS problem as such", async () => {
    const dir = mkdtempSync(join(tmpdir(), "relay-tls-"));
    defer(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=localhost", "-days", "1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")], { stdio: "ignore" });
    const server = createHttpsServer({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) }, (_req, res) => res.end("{}"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    defer(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => { resolve(); }); }));
    const { registration } = registrationWith(`https://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const error = await failureOf(registration);
    expect(error.code).toBe("network");
    expect(error.message).toMatch(/TLS with 127\.0\.0\.1:\d+ failed \((DEPTH_ZERO_SELF_SIGNED_CERT|ERR_TLS_CERT_ALTNAME_INVALID)/);
    expect(error.message).toContain("NODE_EXTRA_CA_CERTS");
  });

  it("stops for good on 403 {relay: stop}", async () => {
    const fake = await upstream();
    fake.stopRelays(true);
    // The registration's timers are fake from the start: whatever it schedules, the test runs.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const { registration, logs, client } = registrationWith(fake.url);
      const stopped = new Promise<void>((resolve) => registration.onChange((state) => { if (state === "stopped") resolve(); }));
      registration.start();
      await vi.advanceTimersByTimeAsync(0);
      await stopped;
      const exchanges = vi.spyOn(client, "signedJson");
      // Neither a day of backoff nor being asked again brings another attempt.
      registration.start();
      registration.renew();
      await vi.advanceTimersByTimeAsync(24 * 3_600_000);
      expect(exchanges).not.toHaveBeenCalled();
      expect(registration.state).toBe("stopped");
      expect(logs.some((line) => line.level === 50 && String(line.msg).includes("refuses this relay for good"))).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it("retries with backoff until the key is allowed, logging each failure", async () => {
    const fake = await upstream({ allowedRelays: [] });
    const { registration, logs, credentials } = registrationWith(fake.url);
    registration.start();
    await eventually(() => fake.requests.length >= 3);
    expect(registration.isRegistered()).toBe(false);
    fake.allowRelays([credentials.publicKey]);
    await registration.whenRegistered();
    const warnings = logs.filter((line) => line.level === 40);
    expect(warnings.length).toBeGreaterThanOrEqual(3);
    expect(warnings[0]).toMatchObject({ reason: "refused", retryInSeconds: 0 });
    expect(warnings[1]).toMatchObject({ retryInSeconds: 0.2 });
  });

  it("re-authenticates every auth interval", async () => {
    const fake = await upstream();
    const { registration } = registrationWith(fake.url, relayCredentials(), { authIntervalMs: 100 });
    registration.start();
    await eventually(() => fake.requests.filter((r) => r.url.endsWith("/register/response/")).length >= 3);
    expect(registration.isRegistered()).toBe(true);
  });

  it("backs off 0 s, then 1 s growing by half, up to the maximum", () => {
    expect([0, 1, 2, 3, 4].map((n) => registrationBackoff(n, 60_000))).toEqual([0, 1000, 1500, 2250, 3375]);
    expect(registrationBackoff(30, 60_000)).toBe(60_000);
  });
});
