import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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
  const dir = mkdtempSync(join(tmpdir(), "relay-chain-"));
  cleanups.push(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

async function relay(dir: string): Promise<RelayProcess> {
  const process = await startRelayProcess(dir, ["run", "--port", "0"]);
  cleanups.push(() => process.stop());
  return process;
}

async function waitReady(url: string): Promise<void> {
  await waitUntil(async () => (await fetch(`${url}/api/relay/healthcheck/ready/`)).status === 200, `the relay at ${url} to be ready`, { everyMs: 50 });
}

/** Makes a managed relay's identity with `relay config init`; returns its id and public key. */
async function initManaged(dir: string, upstream: string): Promise<{ relayId: string; publicKey: string }> {
  const init = await runRelayCommand(dir, ["config", "init", "--non-interactive", "--mode", "managed", "--upstream", upstream, "--port", "0"]);
  expect(init.code).toBe(0);
  const shown = await runRelayCommand(dir, ["credentials", "show"]);
  const relayId = /relay id:\s+(\S+)/.exec(shown.stdout)?.[1];
  const publicKey = /public key:\s+(\S+)/.exec(shown.stdout)?.[1];
  if (!relayId || !publicKey) throw new Error(`no credentials shown:\n${shown.stdout}${shown.stderr}`);
  return { relayId, publicKey };
}

describe("a chain of relays: edge (managed) → central (static, auth.static_relays) → Sentry", () => {
  let fake: FakeUpstream;

  it("delivers an @sentry/node event upstream exactly once, with the project config served by the central relay", async () => {
    fake = await startFakeUpstream();
    cleanups.push(() => fake.close());
    const centralDir = tempDir();
    const edgeDir = tempDir();

    // The edge's identity first: the central relay is told to trust it.
    const edge = await initManaged(edgeDir, "http://127.0.0.1:1");
    mkdirSync(join(centralDir, ".relay", "projects"), { recursive: true });
    writeFileSync(
      join(centralDir, ".relay", "config.yml"),
      [
        "relay:",
        "  mode: static",
        `  upstream: ${fake.url}`,
        "auth:",
        "  static_relays:",
        `    ${edge.relayId}:`,
        `      public_key: ${edge.publicKey}`,
        "      internal: false",
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(centralDir, ".relay", "projects", "1.json"),
      JSON.stringify({ slug: "app", publicKeys: [{ publicKey: KEY, isEnabled: true }], config: { allowedDomains: ["*"], trustedRelays: [edge.publicKey] } }),
    );
    const central = await relay(centralDir);

    writeFileSync(join(edgeDir, ".relay", "config.yml"), `relay:\n  mode: managed\n  upstream: ${central.url}\n  port: 0\nhttp:\n  max_retry_interval: 1\n`);
    const edgeRelay = await relay(edgeDir);
    await waitReady(edgeRelay.url);

    const dsn = edgeRelay.url.replace("http://", `http://${KEY}@`) + "/1";
    const sdk = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import * as Sentry from "@sentry/node";
         Sentry.init({ dsn: ${JSON.stringify(dsn)}, defaultIntegrations: false });
         Sentry.captureException(new Error("through the chain"));
         await Sentry.close(5000);`,
      ],
      { cwd: APP_DIR, stdio: "inherit" },
    );
    expect(await new Promise((resolve) => sdk.once("exit", resolve))).toBe(0);

    const [received] = await fake.waitForEnvelopes(1).catch((error: unknown) => {
      throw new Error(`${String(error)}\n--- edge:\n${edgeRelay.output()}\n--- central:\n${central.output()}`);
    });
    const event = received!.items.find((item) => item.type === "event")!.payload as { exception: { values: { value: string }[] } };
    expect(event.exception.values[0]!.value).toBe("through the chain");
    // Only the central relay talks to Sentry: the edge registered with it, not with Sentry.
    expect(fake.registered.has(edge.relayId)).toBe(false);
    expect(fake.requests.filter((request) => request.url.startsWith("/api/0/relays/"))).toEqual([]);

    // Once: a later event is the only other envelope to arrive.
    const again = await fetch(`${edgeRelay.url}/api/1/store/?sentry_key=${KEY}&sentry_version=7`, { method: "POST", body: JSON.stringify({ message: "second" }) });
    expect(again.status).toBe(200);
    const both = await fake.waitForEnvelopes(2);
    expect(both.map((envelope) => envelope.eventId)).not.toContain(undefined);
    expect(new Set(fake.eventIds).size).toBe(fake.eventIds.length);
    expect(fake.eventIds).toHaveLength(2);
  });
});
