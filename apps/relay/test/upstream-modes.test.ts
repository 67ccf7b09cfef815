// @module-tag e2e
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { startFakeUpstream, waitUntil, type FakeUpstream } from "@org/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { APP_DIR, runRelayCommand, startRelayProcess, type RelayProcess } from "./relay-process.js";

const KEY = "0123456789abcdef0123456789abcdef";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "relay-upstream-"));
  cleanups.push(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

async function upstream(options: Parameters<typeof startFakeUpstream>[0] = {}): Promise<FakeUpstream> {
  const fake = await startFakeUpstream({ projectConfigs: { [KEY]: projectConfig(KEY) }, ...options });
  cleanups.push(() => fake.close());
  return fake;
}

function projectConfig(key: string): Record<string, unknown> {
  return { projectId: 1, slug: "app", disabled: false, publicKeys: [{ publicKey: key, isEnabled: true }], config: { allowedDomains: ["*"] } };
}

async function relay(dir: string, args: readonly string[] = ["run", "--port", "0"]): Promise<RelayProcess> {
  const process = await startRelayProcess(dir, args);
  cleanups.push(() => process.stop());
  return process;
}

function writeConfig(dir: string, yaml: string): void {
  mkdirSync(join(dir, ".relay"), { recursive: true });
  writeFileSync(join(dir, ".relay", "config.yml"), yaml);
}

async function ready(url: string): Promise<boolean> {
  return (await fetch(`${url}/api/relay/healthcheck/ready/`)).status === 200;
}

async function waitReady(url: string): Promise<void> {
  await waitUntil(() => ready(url), `the relay at ${url} to become ready`, { everyMs: 50 });
}

/**
 * Listens on a stopped upstream's port and cuts off every connection: the upstream stays down,
 * and the relay's attempts to reach it are counted.
 */
async function blackhole(port: number): Promise<{ attempts(): number; close(): Promise<void> }> {
  let attempts = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    attempts++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return {
    attempts: () => attempts,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => { resolve(); }));
    },
  };
}

async function storeEvent(url: string, message: string): Promise<string | undefined> {
  try {
    const response = await fetch(`${url}/api/1/store/?sentry_key=${KEY}&sentry_version=7`, { method: "POST", body: JSON.stringify({ message }) });
    if (response.status !== 200) return undefined;
    return ((await response.json()) as { id: string }).id;
  } catch {
    return undefined;
  }
}

/** Sends `count` events, `concurrency` at a time; returns the ids answered 200. */
async function sendMany(url: string, count: number, options: { readonly concurrency?: number; readonly prefix?: string } = {}): Promise<string[]> {
  const { concurrency = 16, prefix = "event" } = options;
  const accepted: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const id = await storeEvent(url, `${prefix} ${next++}`);
        if (id) accepted.push(id);
      }
    }),
  );
  return accepted;
}

function managedConfig(fake: FakeUpstream, extra = ""): string {
  return `relay:\n  mode: managed\n  upstream: ${fake.url}\nhttp:\n  max_retry_interval: 1\n${extra}`;
}

describe("managed mode, as a process", () => {
  it("config init, credentials, registration, and an event from @sentry/node reaching the upstream", async () => {
    const dir = tempDir();
    const fake = await upstream({ allowedRelays: [] });
    const init = await runRelayCommand(dir, ["config", "init", "--non-interactive", "--mode", "managed", "--upstream", fake.url, "--port", "0"]);
    expect(init.code).toBe(0);
    const publicKey = /public key: (\S+)/.exec(init.stdout)?.[1];
    expect(publicKey).toBeDefined();
    fake.allowRelays([publicKey!]);
    const running = await relay(dir);
    expect(running.output()).toContain(`public key: ${publicKey!}`);
    await waitReady(running.url);

    const dsn = running.url.replace("http://", `http://${KEY}@`) + "/1";
    const sdk = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import * as Sentry from "@sentry/node";
         Sentry.init({ dsn: ${JSON.stringify(dsn)}, defaultIntegrations: false });
         Sentry.setUser({ id: "user-7" });
         Sentry.captureException(new Error("managed mode works"));
         await Sentry.close(60000);`,
      ],
      { cwd: APP_DIR, stdio: "inherit" },
    );
    expect(await new Promise((resolve) => sdk.once("exit", resolve))).toBe(0);
    const [received] = await fake.waitForEnvelopes(1);
    const event = received!.items.find((item) => item.type === "event")!.payload as { exception: { values: { value: string }[] }; user: { id: string } };
    expect(event.exception.values[0]!.value).toBe("managed mode works");
    expect(event.user.id).toBe("user-7");
    expect(String(received!.headers["x-sentry-auth"])).toContain(`sentry_key=${KEY}`);
  });

  it("refuses to start without credentials, saying what to do", async () => {
    const dir = tempDir();
    const fake = await upstream();
    writeConfig(dir, managedConfig(fake));
    const result = await runRelayCommand(dir, ["run", "--port", "0"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/credentials\.json does not exist: run relay credentials generate/);
  });

  it("takes its identity from RELAY_ID and RELAY_SECRET_KEY", async () => {
    const dir = tempDir();
    const fake = await upstream();
    writeConfig(dir, managedConfig(fake));
    const other = tempDir();
    expect((await runRelayCommand(other, ["credentials", "generate"])).code).toBe(0);
    const file = JSON.parse(readFileSync(join(other, ".relay", "credentials.json"), "utf8")) as { id: string; secret_key: string };
    const running = await startRelayProcess(dir, ["run", "--port", "0"], { RELAY_ID: file.id, RELAY_SECRET_KEY: file.secret_key });
    cleanups.push(() => running.stop());
    await waitReady(running.url);
    expect(fake.registered.has(file.id)).toBe(true);
    expect(running.output()).not.toContain(file.secret_key);
  });

  it("keeps 2 000 events through an upstream outage and delivers each exactly once", async () => {
    const dir = tempDir();
    const fake = await upstream();
    await runRelayCommand(dir, ["credentials", "generate"]);
    writeConfig(dir, managedConfig(fake));
    const running = await relay(dir);
    await waitReady(running.url);
    await fake.stop();
    const down = await blackhole(fake.port);
    cleanups.push(() => down.close());
    const accepted = await sendMany(running.url, 2000);
    expect(accepted).toHaveLength(2000);
    // The outage lasts through several of the relay's polls, its backoff grown to
    // max_retry_interval; hour-long outages run in virtual time in relay-core's upstream-delivery test.
    const seen = down.attempts();
    await waitUntil(() => down.attempts() >= seen + 5, "the relay to poll the upstream through the outage", {
      detail: () => `${down.attempts()} attempts\n${running.output()}`,
    });
    await down.close();
    expect(fake.envelopes).toHaveLength(0);
    await fake.start();
    const received = await fake.waitForEnvelopes(2000);
    // Stopped, with its deliveries in flight finished: nothing more can reach the upstream.
    expect(await running.stop()).toBe(0);
    expect(fake.envelopes).toHaveLength(2000);
    expect(new Set(received.map((envelope) => envelope.eventId))).toEqual(new Set(accepted));
  });

  it("delivers every acknowledged event after a SIGKILL mid-load and a restart", async () => {
    const dir = tempDir();
    const fake = await upstream();
    await runRelayCommand(dir, ["credentials", "generate"]);
    writeConfig(dir, managedConfig(fake));
    const first = await startRelayProcess(dir, ["run", "--port", "0"]);
    await waitReady(first.url);
    const accepted: string[] = [];
    const loading = (async () => {
      let i = 0;
      while (first.child.exitCode === null && first.child.signalCode === null) {
        const id = await storeEvent(first.url, `before kill ${i++}`);
        if (id) accepted.push(id);
      }
    })();
    // Mid-load: the relay has acknowledged a good number of events and is taking more.
    await waitUntil(() => accepted.length >= 200, "the relay to acknowledge events under load");
    first.child.kill("SIGKILL");
    await loading;
    await first.stop();
    expect(accepted.length).toBeGreaterThan(20);

    const second = await relay(dir);
    await waitReady(second.url);
    const wanted = new Set(accepted);
    const arrived = (): Set<string | undefined> => new Set(fake.envelopes.map((envelope) => envelope.eventId));
    await waitUntil(
      () => {
        const now = arrived();
        return [...wanted].every((id) => now.has(id));
      },
      "every acknowledged event to arrive",
      { everyMs: 100 },
    );
    const delivered = arrived();
    expect([...wanted].filter((id) => !delivered.has(id))).toEqual([]);
    // Only envelopes in flight at the kill can arrive twice: the upstream answered, the relay never heard it.
    expect(fake.envelopes.length - delivered.size).toBeLessThanOrEqual(64);
  });

  it("on SIGTERM leaves undelivered events in the spool within shutdown_timeout, and sends them on restart", async () => {
    const dir = tempDir();
    const fake = await upstream();
    await runRelayCommand(dir, ["credentials", "generate"]);
    // Upstream requests that would wait ten minutes for an answer: only shutdown_timeout can end them.
    writeConfig(dir, managedConfig(fake, "  timeout: 600\nlimits:\n  shutdown_timeout: 2\n"));
    const first = await startRelayProcess(dir, ["run", "--port", "0"]);
    await waitReady(first.url);
    fake.intake({ kind: "hang" });
    const accepted = await sendMany(first.url, 50, { concurrency: 8, prefix: "hanging" });
    expect(accepted).toHaveLength(50);
    await waitUntil(() => fake.requests.some((request) => request.url.endsWith("/envelope/")), "deliveries to hang at the upstream");
    expect(await first.stop()).toBe(0);
    fake.intake({ kind: "accept" });
    const second = await relay(dir);
    await waitReady(second.url);
    const received = await fake.waitForEnvelopes(50);
    expect(new Set(received.map((envelope) => envelope.eventId))).toEqual(new Set(accepted));
  });
});

describe("static and proxy modes, as processes", () => {
  it("static mode reads project files, is ready at once, and forwards", async () => {
    const dir = tempDir();
    const fake = await upstream();
    writeConfig(dir, `relay:\n  mode: static\n  upstream: ${fake.url}\n`);
    mkdirSync(join(dir, ".relay", "projects"));
    writeFileSync(join(dir, ".relay", "projects", "1.json"), JSON.stringify({ publicKeys: [{ publicKey: KEY, isEnabled: true }], config: {} }));
    const running = await relay(dir);
    // Ready as soon as it listens: nothing to wait for from the upstream.
    expect(await ready(running.url)).toBe(true);
    expect(await storeEvent(running.url, "static")).toBeDefined();
    const denied = await fetch(`${running.url}/api/1/store/?sentry_key=${"f".repeat(32)}&sentry_version=7`, { method: "POST", body: "{}" });
    expect(denied.status).toBe(403);
    await fake.waitForEnvelopes(1);
    expect(fake.registered.size).toBe(0);
  });

  it("proxy mode forwards any well-formed key without registering", async () => {
    const dir = tempDir();
    const fake = await upstream();
    const running = await relay(dir, ["run", "--port", "0", "--mode", "proxy", "--upstream", fake.url]);
    expect(await ready(running.url)).toBe(true);
    const response = await fetch(`${running.url}/api/9/store/?sentry_key=${"e".repeat(32)}&sentry_version=7`, { method: "POST", body: '{"message":"proxied"}' });
    expect(response.status).toBe(200);
    const [received] = await fake.waitForEnvelopes(1);
    expect(received!.projectId).toBe("9");
    expect(fake.requests.some((request) => request.url.includes("/register/"))).toBe(false);
  });
});
