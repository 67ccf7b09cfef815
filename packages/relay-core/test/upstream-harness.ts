import type { AddressInfo } from "node:net";
import { generateCredentials, credentialsPublicKey, type Credentials } from "@org/identity";
import { startFakeUpstream, waitUntil, type FakeUpstream, type FakeUpstreamOptions } from "@org/testkit";
import { pino, type Logger } from "pino";
import { afterEach } from "vitest";
import { OutcomeCounter } from "../src/outcomes.js";
import { createRelayService, type RelayService, type RelayServiceOptions, type UpstreamSettings } from "../src/relay-service.js";
import { DEFAULT_LIMITS, type RelayMode } from "../src/relay-options.js";
import { openSqliteSpool } from "../src/spool/sqlite-spool.js";
import type { Spool } from "../src/spool/spool.js";
import type { RelayCredentials } from "../src/upstream/upstream-client.js";

/** A relay in a forwarding mode, listening on 127.0.0.1, with an in-memory spool. */
export interface UpstreamHarness {
  readonly service: RelayService;
  readonly spool: Spool;
  readonly outcomes: OutcomeCounter;
  readonly url: string;
  readonly credentials: RelayCredentials;
  /** Log lines written by the relay (JSON objects). */
  readonly logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/** Relay credentials in the shape the upstream parts take. */
export function relayCredentials(credentials: Credentials = generateCredentials()): RelayCredentials {
  return { relayId: credentials.id, publicKey: credentialsPublicKey(credentials), secretKey: credentials.keyPair.secretKey };
}

/** A logger that keeps its lines, for assertions on what operators are told. */
export function recordingLogger(): { logger: Logger; logs: Record<string, unknown>[] } {
  const logs: Record<string, unknown>[] = [];
  const logger = pino(
    { level: "debug" },
    {
      write(line: string) {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );
  return { logger, logs };
}

/**
 * Upstream settings with short intervals, for tests; request timeouts are generous, as a loaded
 * machine can take seconds to answer (a test of timeouts sets its own).
 */
export function testUpstreamSettings(url: string, overrides: Partial<UpstreamSettings> = {}): UpstreamSettings {
  return {
    url,
    timeoutMs: 30_000,
    connectTimeoutMs: 10_000,
    maxConnections: 16,
    maxRetryIntervalMs: 1_000,
    authIntervalMs: 600_000,
    version: "25.1.0",
    projectExpiryMs: 300_000,
    projectGracePeriodMs: 60_000,
    missExpiryMs: 60_000,
    batchIntervalMs: 20,
    batchSize: 500,
    ...overrides,
  };
}

export async function startUpstreamHarness(
  mode: RelayMode,
  upstreamUrl: string,
  overrides: { credentials?: RelayCredentials; settings?: Partial<UpstreamSettings>; now?: () => number; outcomeReports?: RelayServiceOptions["outcomeReports"]; spoolMaxBytes?: number; readiness?: RelayServiceOptions["readiness"]; downstream?: RelayServiceOptions["downstream"]; projects?: RelayServiceOptions["projects"] } = {},
): Promise<UpstreamHarness> {
  const { logger, logs } = recordingLogger();
  const spool = openSqliteSpool({ path: ":memory:", maxBytes: overrides.spoolMaxBytes ?? 100 * 1024 * 1024, maxAgeMs: 3_600_000, synchronous: "normal" });
  const outcomes = new OutcomeCounter();
  const credentials = overrides.credentials ?? relayCredentials();
  const service = createRelayService({
    http: { mode, limits: DEFAULT_LIMITS },
    spool,
    logger,
    outcomes,
    globalScrubbing: { scrubData: true, scrubDefaults: true },
    upstream: testUpstreamSettings(upstreamUrl, { credentials: mode === "managed" ? credentials : undefined, ...overrides.settings }),
    concurrency: 8,
    idleMs: 20,
    now: overrides.now,
    outcomeReports: overrides.outcomeReports,
    readiness: overrides.readiness,
    downstream: overrides.downstream,
    projects: overrides.projects,
  });
  await service.app.listen({ host: "127.0.0.1", port: 0 });
  service.start();
  const { port } = service.app.server.address() as AddressInfo;
  return {
    service,
    spool,
    outcomes,
    url: `http://127.0.0.1:${port}`,
    credentials,
    logs,
    async close() {
      await service.close(1_000);
      await spool.close();
    },
  };
}

/** A clock for rate limits and outages that tests move forward instead of waiting. */
export interface TestClock {
  readonly now: () => number;
  advance(ms: number): void;
}

/** A clock that stands still (at the real time it was made) until the test moves it. */
export function testClock(): TestClock {
  let at = Date.now();
  return {
    now: () => at,
    advance(ms) {
      at += ms;
    },
  };
}

/** Polls `check` until it holds, or fails naming `what` after the one generous deadline. */
export function eventually(check: () => boolean, what = "the condition"): Promise<void> {
  return waitUntil(check, what);
}

/**
 * Cleanups run after each test of the calling file, last registered first; returns the function
 * that registers one.
 */
export function cleanupAfterEach(): (cleanup: () => unknown) => void {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return (cleanup) => {
    cleanups.push(cleanup);
  };
}

/** Starts a fake upstream that is closed after the test. */
export async function fakeUpstream(defer: (cleanup: () => unknown) => void, options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const fake = await startFakeUpstream(options);
  defer(() => fake.close());
  return fake;
}

/** What a file's tests start, each closed after its test: fake upstreams and relays in front of them. */
export interface UpstreamTestbed {
  /** Runs `cleanup` after the current test, last registered first. */
  readonly defer: (cleanup: () => unknown) => void;
  /** A fake upstream (testkit's), closed after the test. */
  readonly upstream: (options?: FakeUpstreamOptions) => Promise<FakeUpstream>;
  /** A relay in front of an upstream ({@link startUpstreamHarness}), closed after the test. */
  readonly relay: (...args: Parameters<typeof startUpstreamHarness>) => Promise<UpstreamHarness>;
}

/** The testbed of a test file: call it once, at the top of the file. */
export function upstreamTestbed(): UpstreamTestbed {
  const defer = cleanupAfterEach();
  return {
    defer,
    upstream: (options = {}) => fakeUpstream(defer, options),
    relay: async (...args) => {
      const harness = await startUpstreamHarness(...args);
      defer(() => harness.close());
      return harness;
    },
  };
}
