// @module-tag e2e
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeUpstream, waitUntil, type FakeUpstream } from "@org/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { runRelayCommand, startRelayProcess, type RelayProcess } from "./relay-process.js";

const KEY = "0123456789abcdef0123456789abcdef";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A managed relay's folder (config and credentials) in front of a fake upstream that knows project 1. */
async function managedRelay(): Promise<{ dir: string; fake: FakeUpstream }> {
  const dir = mkdtempSync(join(tmpdir(), "relay-workers-"));
  cleanups.push(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const fake = await startFakeUpstream({
    projectConfigs: { [KEY]: { projectId: 1, slug: "app", disabled: false, publicKeys: [{ publicKey: KEY, isEnabled: true }], config: { allowedDomains: ["*"] } } },
  });
  cleanups.push(() => fake.close());
  mkdirSync(join(dir, ".relay"));
  expect((await runRelayCommand(dir, ["credentials", "generate"])).code).toBe(0);
  writeFileSync(join(dir, ".relay", "config.yml"), `relay:\n  mode: managed\n  upstream: ${fake.url}\nhttp:\n  max_retry_interval: 1\n  timeout: 600\nlimits:\n  shutdown_timeout: 20\n`);
  return { dir, fake };
}

async function start(dir: string, args: readonly string[] = ["run", "--port", "0", "--workers", "2"]): Promise<RelayProcess> {
  const relay = await startRelayProcess(dir, args);
  cleanups.push(() => relay.stop());
  await waitUntil(async () => (await fetch(`${relay.url}/api/relay/healthcheck/ready/`)).status === 200, "the relay to be ready", { everyMs: 50, detail: () => relay.output() });
  return relay;
}

/** The process ids of the ingest workers, as the relay printed them at start. */
function workerPids(relay: RelayProcess): number[] {
  const pids = /ingest workers:\s+\d+ processes on the same port \(pids ([\d, ]+)\)/.exec(relay.output())?.[1];
  return (pids ?? "").split(", ").filter(Boolean).map(Number);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Store requests from `lanes` clients (each on its own connections) until `signal` aborts; the ids answered 200 fill `accepted`. */
async function load(
  url: string,
  run: { readonly lanes: number; readonly signal: AbortSignal; readonly accepted: string[]; readonly total?: number },
): Promise<void> {
  const { lanes, signal, accepted, total = Number.POSITIVE_INFINITY } = run;
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (!signal.aborted && next < total) {
        const n = next++;
        try {
          const response = await fetch(`${url}/api/1/store/?sentry_key=${KEY}&sentry_version=7`, { method: "POST", body: JSON.stringify({ message: `event ${n}` }) });
          if (response.status === 200) accepted.push(((await response.json()) as { id: string }).id);
        } catch {
          // The connection went away with its worker: that event was never acknowledged.
        }
      }
    }),
  );
}

/** Waits until every id reached the upstream, and checks that none arrived twice. */
async function expectDeliveredOnce(fake: FakeUpstream, ids: readonly string[]): Promise<void> {
  await waitUntil(() => ids.every((id) => fake.eventIds.includes(id)), "every accepted event at the upstream", {
    detail: () => `${ids.filter((id) => !fake.eventIds.includes(id)).length} of ${ids.length} missing`,
  });
  const delivered = fake.eventIds.filter((id): id is string => id !== undefined);
  expect(new Set(delivered).size).toBe(delivered.length);
}

describe("relay.workers: 2", () => {
  it("takes events on one port from many connections, and each reaches the upstream once; only the primary registers", async () => {
    const { dir, fake } = await managedRelay();
    const relay = await start(dir);
    const pids = workerPids(relay);
    expect(pids).toHaveLength(2);
    expect(pids.every(alive)).toBe(true);
    const accepted: string[] = [];
    await load(relay.url, { lanes: 24, signal: new AbortController().signal, accepted, total: 600 });
    expect(accepted).toHaveLength(600);
    await expectDeliveredOnce(fake, accepted);
    // Events only (the relay's own client reports carry no event id), each once.
    expect(fake.eventIds.filter((id) => id !== undefined)).toHaveLength(600);
    // One identity upstream: the primary registered, the workers never did.
    expect(fake.registered.size).toBe(1);
    const registrations = fake.requests.filter((request) => request.url.startsWith("/api/0/relays/register/challenge/"));
    expect(registrations).toHaveLength(1);
    // Logs say which process wrote them.
    expect(relay.output()).toMatch(/"worker":"primary"/);
    expect(relay.output()).toMatch(/"worker":1,.*"msg":"ingest worker listening"|"worker":1\b/);
  });

  it("loses no acknowledged event when a worker is killed, and the primary replaces it", async () => {
    const { dir, fake } = await managedRelay();
    const relay = await start(dir);
    const [victim] = workerPids(relay);
    const stop = new AbortController();
    const accepted: string[] = [];
    const loading = load(relay.url, { lanes: 16, signal: stop.signal, accepted });
    await waitUntil(() => accepted.length >= 100, "events acknowledged under load");
    process.kill(victim!, "SIGKILL");
    await waitUntil(() => relay.output().includes("an ingest worker exited; starting another"), "the primary to notice the dead worker", { detail: () => relay.output() });
    const before = accepted.length;
    await waitUntil(() => accepted.length >= before + 100, "events acknowledged after the worker died");
    await waitUntil(() => (relay.output().match(/ingest worker listening/g) ?? []).length >= 3, "a replacement worker", { detail: () => relay.output() });
    stop.abort();
    await loading;
    expect(alive(victim!)).toBe(false);
    await waitUntil(async () => (await fetch(`${relay.url}/api/relay/healthcheck/ready/`)).status === 200, "the whole set ready again");
    await expectDeliveredOnce(fake, accepted);
  });

  it("drains on SIGTERM: workers finish, every acknowledged event is delivered or kept for the next start", async () => {
    const { dir, fake } = await managedRelay();
    const relay = await start(dir);
    const pids = workerPids(relay);
    const stop = new AbortController();
    const accepted: string[] = [];
    const loading = load(relay.url, { lanes: 16, signal: stop.signal, accepted });
    await waitUntil(() => accepted.length >= 200, "events acknowledged under load");
    const code = await relay.stop();
    stop.abort();
    await loading;
    expect(code).toBe(0);
    expect(relay.output()).toContain("ingest worker stopped");
    expect(relay.output()).toContain("relay stopped");
    expect(pids.some(alive)).toBe(false);
    // What was not delivered before the exit stays in the spool, and goes on the next start.
    const again = await start(dir, ["run", "--port", "0"]);
    expect(again.url).toBeTruthy();
    await expectDeliveredOnce(fake, accepted);
  });
});
