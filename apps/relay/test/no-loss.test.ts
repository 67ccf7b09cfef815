// @module-tag e2e
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeUpstream, waitUntil } from "@org/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRelayProcess } from "./relay-process.js";

/** Sends events until told to stop; returns the ids the relay answered 200 for (`accepted` fills as they come). */
async function load(url: string, key: string, run: { readonly signal: AbortSignal; readonly accepted: string[] }): Promise<string[]> {
  const { signal, accepted } = run;
  let n = 0;
  const worker = async (): Promise<void> => {
    while (!signal.aborted) {
      const i = n++;
      try {
        const response = await fetch(`${url}/api/1/store/?sentry_key=${key}&sentry_version=7`, { method: "POST", body: JSON.stringify({ message: `event ${i}` }) });
        if (response.status === 200) accepted.push(((await response.json()) as { id: string }).id);
      } catch {
        // The relay went away mid-request: that event was never acknowledged.
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return accepted;
}

async function capturedIds(url: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let offset = 0; ; offset += 1000) {
    const body = (await (await fetch(`${url}/api/relay/events/?limit=1000&offset=${offset}`)).json()) as { events: { event_id: string }[] };
    for (const event of body.events) ids.add(event.event_id);
    if (body.events.length < 1000) return ids;
  }
}

describe("nothing acknowledged is lost", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "relay-noloss-"));
    // Keep every captured event, so that none is trimmed before it is looked for.
    mkdirSync(join(dir, ".relay"));
    writeFileSync(join(dir, ".relay", "config.yml"), "relay:\n  mode: capture\ncapture:\n  max_events: 1000000\n");
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(["SIGTERM", "SIGKILL"] as const)("every event answered 200 is captured after a %s mid-load and a restart", async (signal) => {
    const first = await startRelayProcess(dir, ["run", "--port", "0"]);
    const key = /http:\/\/([0-9a-f]{32})@/.exec(first.dsn)![1]!;
    const stop = new AbortController();
    const soFar: string[] = [];
    const loading = load(first.url, key, { signal: stop.signal, accepted: soFar });
    // Mid-load: a good number of events acknowledged, more on the way.
    await waitUntil(() => soFar.length >= 50, "the relay to acknowledge events under load");
    first.child.kill(signal);
    stop.abort();
    const accepted = await loading;
    await first.stop();
    expect(accepted.length).toBeGreaterThan(10);

    const second = await startRelayProcess(dir, ["run", "--port", "0"]);
    let ids = new Set<string>();
    await waitUntil(
      async () => {
        ids = await capturedIds(second.url);
        return accepted.every((id) => ids.has(id));
      },
      "every acknowledged event to be captured",
      { everyMs: 100 },
    );
    expect(accepted.filter((id) => !ids.has(id))).toEqual([]);
    await second.stop();
  });
});

describe("nothing acknowledged is lost on the way upstream", () => {
  const KEY = "0123456789abcdef0123456789abcdef";

  it("after a SIGKILL mid-load and a restart, every event answered 200 reaches the upstream, and only those in flight twice", async () => {
    const upstream = await startFakeUpstream({ idsOnly: true });
    const dir = mkdtempSync(join(tmpdir(), "relay-noloss-static-"));
    try {
      mkdirSync(join(dir, ".relay", "projects"), { recursive: true });
      // Few upstream connections: at most 2 × 2 envelopes are in flight upstream when the relay is killed.
      writeFileSync(join(dir, ".relay", "config.yml"), `relay:\n  mode: static\n  upstream: ${upstream.url}\nhttp:\n  max_connections: 2\noutcomes:\n  emit_outcomes: false\n`);
      writeFileSync(join(dir, ".relay", "projects", "1.json"), JSON.stringify({ publicKeys: [{ publicKey: KEY }] }));
      const first = await startRelayProcess(dir, ["run", "--port", "0"]);
      const stop = new AbortController();
      const soFar: string[] = [];
      const loading = load(first.url, KEY, { signal: stop.signal, accepted: soFar });
      // Mid-load: events acknowledged and some of them forwarded, more on the way.
      await waitUntil(() => soFar.length >= 100 && upstream.eventIds.length >= 20, "the relay to acknowledge and forward events under load");
      first.child.kill("SIGKILL");
      stop.abort();
      const accepted = await loading;
      await first.stop();

      const second = await startRelayProcess(dir, ["run", "--port", "0"]);
      await waitUntil(() => {
        const delivered = new Set(upstream.eventIds);
        return accepted.every((id) => delivered.has(id));
      }, "every acknowledged event to reach the upstream");
      await second.stop();
      const delivered = new Set(upstream.eventIds);
      expect(accepted.filter((id) => !delivered.has(id))).toEqual([]);
      // An envelope delivered in the instant before the kill, its acknowledgement not yet
      // committed, goes again: only those can arrive twice.
      expect(upstream.eventIds.length - delivered.size).toBeLessThanOrEqual(4);
    } finally {
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
