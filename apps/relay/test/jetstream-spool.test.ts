// @module-tag e2e
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeUpstream, startNatsCluster, startNatsServer, waitUntil } from "@org/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { startRelayProcess } from "./relay-process.js";

const KEY = "0123456789abcdef0123456789abcdef";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function relayDir(config: string): string {
  const dir = mkdtempSync(join(tmpdir(), "relay-js-"));
  mkdirSync(join(dir, ".relay"));
  writeFileSync(join(dir, ".relay", "config.yml"), config);
  cleanups.push(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

async function storeEvent(url: string, message: string): Promise<string | undefined> {
  try {
    const response = await fetch(`${url}/api/1/store/?sentry_key=${KEY}&sentry_version=7`, { method: "POST", body: JSON.stringify({ message }) });
    return response.status === 200 ? ((await response.json()) as { id: string }).id : undefined;
  } catch {
    return undefined;
  }
}

/** The ids of `accepted` not among `delivered` once all are, or once the shared deadline has passed. */
async function undelivered(delivered: readonly (string | undefined)[], accepted: readonly string[]): Promise<string[]> {
  const missing = (): string[] => {
    const seen = new Set(delivered);
    return [...new Set(accepted)].filter((id) => !seen.has(id));
  };
  await waitUntil(() => missing().length === 0, "every accepted event delivered", { everyMs: 200 }).catch(() => undefined);
  return missing();
}

describe("relays sharing a JetStream spool", () => {
  it("deliver everything either accepted when one is killed mid-load, and across a nats-server restart", async () => {
    const nats = await startNatsServer({ args: ["-js"] });
    cleanups.push(() => nats.stop());
    const fake = await startFakeUpstream({ idsOnly: true });
    cleanups.push(() => fake.close());
    const config = `relay:\n  mode: proxy\n  upstream: ${fake.url}\nhttp:\n  max_retry_interval: 1\nspool:\n  backend: jetstream\n  nats:\n    servers: ${nats.url}\n    stream: SHARED\n    ack_wait: 2\n`;
    const first = await startRelayProcess(relayDir(config), ["run", "--port", "0"]);
    cleanups.push(() => first.stop());
    const second = await startRelayProcess(relayDir(config), ["run", "--port", "0"]);
    cleanups.push(() => second.stop());

    const accepted: string[] = [];
    const load = async (url: string, prefix: string, until: () => boolean): Promise<void> => {
      for (let i = 0; !until(); i++) {
        const id = await storeEvent(url, `${prefix} ${i}`);
        if (id) accepted.push(id);
      }
    };
    const firstGone = (): boolean => first.child.exitCode !== null || first.child.signalCode !== null;
    let stopSecond = false;
    const loads = [
      ...Array.from({ length: 4 }, (_, n) => load(first.url, `first-${n}`, firstGone)),
      ...Array.from({ length: 4 }, (_, n) => load(second.url, `second-${n}`, () => stopSecond)),
    ];
    await waitUntil(() => accepted.length >= 100, "both relays to take events under load");
    first.child.kill("SIGKILL");
    // The second relay keeps taking events while the first is gone.
    const atKill = accepted.length;
    await waitUntil(() => accepted.length >= atKill + 20, "the second relay to take more events");
    stopSecond = true;
    await Promise.all(loads);
    expect(accepted.length).toBeGreaterThan(50);

    await nats.restart();
    let afterRestart = 0;
    for (let i = 0; i < 20; i++) {
      const id = await storeEvent(second.url, `after restart ${i}`);
      if (id) {
        accepted.push(id);
        afterRestart++;
      }
    }
    expect(afterRestart).toBeGreaterThan(10);

    expect(await undelivered(fake.eventIds, accepted)).toEqual([]);
  });

  it("deliver everything accepted when a node of a three-server JetStream cluster is killed mid-load", async () => {
    const cluster = await startNatsCluster(3);
    cleanups.push(() => cluster.stop());
    const fake = await startFakeUpstream({ idsOnly: true });
    cleanups.push(() => fake.close());
    const servers = cluster.urls.map((url) => `\n      - ${url}`).join("");
    const config = `relay:\n  mode: proxy\n  upstream: ${fake.url}\nhttp:\n  max_retry_interval: 1\nspool:\n  backend: jetstream\n  nats:\n    servers:${servers}\n    stream: CLUSTERED\n    replicas: 3\n    ack_wait: 2\n`;
    const relays = [await startRelayProcess(relayDir(config), ["run", "--port", "0"]), await startRelayProcess(relayDir(config), ["run", "--port", "0"])];
    for (const relay of relays) cleanups.push(() => relay.stop());

    const accepted: string[] = [];
    let stop = false;
    const load = async (url: string, prefix: string): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const id = await storeEvent(url, `${prefix} ${i}`);
        // Requests refused while the cluster fails over (503) were never accepted.
        if (id) accepted.push(id);
      }
    };
    const loads = relays.flatMap((relay, r) => Array.from({ length: 4 }, (_, n) => load(relay.url, `relay-${r}-${n}`)));
    await waitUntil(() => accepted.length > 50, "the relays to take events under load");
    const before = accepted.length;
    // A whole server goes away: the stream's other replicas keep what was acknowledged.
    await cluster.servers[0]!.stop();
    // Clients are served again once the remaining servers have taken over (stream leader elected).
    await waitUntil(() => accepted.length >= before + 100, "clients to be served again after the failover", { everyMs: 100 });
    stop = true;
    await Promise.all(loads);
    expect(before).toBeGreaterThan(50);
    expect(accepted.length).toBeGreaterThanOrEqual(before + 100);

    expect(await undelivered(fake.eventIds, accepted)).toEqual([]);
  });

  it("is not ready while its NATS servers are unreachable, and ready again after", async () => {
    const nats = await startNatsServer({ args: ["-js"] });
    cleanups.push(() => nats.stop());
    const fake = await startFakeUpstream({ idsOnly: true });
    cleanups.push(() => fake.close());
    const relay = await startRelayProcess(
      relayDir(`relay:\n  mode: proxy\n  upstream: ${fake.url}\nspool:\n  backend: jetstream\n  nats:\n    servers: ${nats.url}\n`),
      ["run", "--port", "0"],
    );
    cleanups.push(() => relay.stop());
    const ready = async (): Promise<number> => (await fetch(`${relay.url}/api/relay/healthcheck/ready/`)).status;
    const eventually = async (status: number): Promise<void> => {
      await waitUntil(async () => (await ready()) === status, `the readiness check to answer ${status}`, { everyMs: 50 });
      expect(await ready()).toBe(status);
    };
    await eventually(200);
    await nats.halt();
    await eventually(503);
    expect((await fetch(`${relay.url}/api/relay/healthcheck/live/`)).status).toBe(200);
    await nats.restart();
    await eventually(200);
    expect(await storeEvent(relay.url, "after the outage")).toBeDefined();
  });
});
