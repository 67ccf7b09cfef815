import { waitUntil, type FakeUpstream } from "@org/testkit";
import { describe, expect, it } from "vitest";
import type { MetricTags, RelayMetrics } from "../src/metrics.js";
import { ProjectStateUnavailable } from "../src/projects/project-state.js";
import { RelayRegistration } from "../src/upstream/registration.js";
import { UpstreamClient } from "../src/upstream/upstream-client.js";
import { upstreamProjectStates } from "../src/upstream/upstream-projects.js";
import { cleanupAfterEach, recordingLogger, relayCredentials, fakeUpstream } from "./upstream-harness.js";

const KEY = "a".repeat(32);

const defer = cleanupAfterEach();

function config(projectId: number, slug: string): Record<string, unknown> {
  return { projectId, slug, publicKeys: [{ publicKey: KEY, isEnabled: true }], config: {} };
}

/** Project states against a fake upstream, with a clock the test moves. */
async function setup(metrics?: RelayMetrics): Promise<{ fake: FakeUpstream; projects: ReturnType<typeof upstreamProjectStates>; clock: { now: number }; fetches: () => number }> {
  const fake = await fakeUpstream(defer, { projectConfigs: { [KEY]: config(1, "first") } });
  const { logger } = recordingLogger();
  const credentials = relayCredentials();
  const client = new UpstreamClient({ upstream: fake.url, timeoutMs: 30_000, connectTimeoutMs: 10_000, maxConnections: 4, userAgent: "test" });
  const registration = new RelayRegistration({ client, credentials, version: "1.0.0", logger, authIntervalMs: 600_000, maxRetryIntervalMs: 100 });
  registration.start();
  await registration.whenRegistered();
  const clock = { now: 1_000_000 };
  const projects = upstreamProjectStates({
    client,
    credentials,
    registration,
    logger,
    expiryMs: 300_000,
    gracePeriodMs: 60_000,
    missExpiryMs: 60_000,
    batchIntervalMs: 10,
    batchSize: 2,
    lookupTimeoutMs: 30_000,
    now: () => clock.now,
    metrics,
  });
  defer(async () => {
    projects.close();
    registration.close();
    await client.destroy();
  });
  const fetches = (): number => fake.requests.filter((request) => request.url.startsWith("/api/0/relays/projectconfigs/")).length;
  return { fake, projects, clock, fetches };
}

describe("project configs from the upstream", () => {
  it("fetches a key once however many lookups wait for it", async () => {
    const { projects, fetches } = await setup();
    const states = await Promise.all(Array.from({ length: 50 }, () => projects.get("1", KEY)));
    expect(new Set(states.map((state) => state?.slug))).toEqual(new Set(["first"]));
    expect(fetches()).toBe(1);
  });

  it("splits batches at batch_size", async () => {
    const { projects, fetches, fake } = await setup();
    const keys = ["1", "2", "3", "4", "5"].map((digit) => digit.repeat(32));
    await Promise.all(keys.map((key) => projects.get("1", key)));
    expect(fetches()).toBe(3);
    const sizes = fake.requests
      .filter((request) => request.url.startsWith("/api/0/relays/projectconfigs/"))
      .map((request) => (JSON.parse(request.body.toString()) as { publicKeys: string[] }).publicKeys.length);
    expect(sizes.sort()).toEqual([1, 2, 2]);
  });

  it("serves a fresh config from the cache, a stale one during the grace period while refreshing, then the new one", async () => {
    const counted: { name: string; tags: MetricTags | undefined }[] = [];
    // A fetch's answer is timed and stored in one go: the second timing means the refresh landed.
    let answers = 0;
    const metrics: RelayMetrics = {
      increment: (name, _value, tags) => counted.push({ name, tags }),
      timing: (name) => {
        if (name === "project_configs.duration") answers++;
      },
      gauge: () => undefined,
    };
    const { projects, clock, fetches, fake } = await setup(metrics);
    expect((await projects.get("1", KEY))?.slug).toBe("first");
    fake.projectConfigs.set(KEY, config(1, "second"));
    clock.now += 299_000;
    expect((await projects.get("1", KEY))?.slug).toBe("first");
    expect(fetches()).toBe(1);
    clock.now += 2_000;
    // Expired but within the grace period: the old config at once, a refresh in the background.
    expect((await projects.get("1", KEY))?.slug).toBe("first");
    await waitUntil(() => answers >= 2, "the background refresh to land", { everyMs: 10 });
    expect((await projects.get("1", KEY))?.slug).toBe("second");
    expect(fetches()).toBe(2);
    // Hits carry the same tag names whether fresh or stale (Prometheus labels are fixed per metric).
    const hits = counted.filter((call) => call.name === "project_cache.hit").map((call) => call.tags);
    expect(hits).toEqual([{ stale: "false" }, { stale: "true" }, { stale: "false" }]);
    expect(counted.filter((call) => call.name === "project_cache.miss")).toHaveLength(1);
  });

  it("remembers unknown keys for the miss expiry", async () => {
    const { projects, clock, fetches } = await setup();
    const unknown = "f".repeat(32);
    expect(await projects.get("1", unknown)).toBeUndefined();
    expect(await projects.get("1", unknown)).toBeUndefined();
    expect(fetches()).toBe(1);
    clock.now += 61_000;
    expect(await projects.get("1", unknown)).toBeUndefined();
    expect(fetches()).toBe(2);
  });

  it("treats a key used for another project as unknown", async () => {
    const { projects } = await setup();
    expect(await projects.get("2", KEY)).toBeUndefined();
    expect((await projects.get("1", KEY))?.projectId).toBe("1");
  });

  it("reports a config it cannot get as unavailable, not as unknown", async () => {
    const { projects, fake } = await setup();
    await fake.stop();
    await expect(projects.get("1", KEY)).rejects.toBeInstanceOf(ProjectStateUnavailable);
  });
});
