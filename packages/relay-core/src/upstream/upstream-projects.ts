import type { Logger } from "pino";
import { NO_METRICS, type RelayMetrics } from "../metrics.js";
import { ProjectStateUnavailable, type ProjectState, type ProjectStates } from "../projects/project-state.js";
import { parseProjectConfig } from "../projects/static-projects.js";
import type { RelayRegistration } from "./registration.js";
import { jsonOf, type RelayCredentials, type UpstreamClient } from "./upstream-client.js";

/** Options of {@link upstreamProjectStates}. */
export interface UpstreamProjectsOptions {
  readonly client: UpstreamClient;
  readonly credentials: RelayCredentials;
  readonly registration: RelayRegistration;
  readonly logger: Logger;
  readonly metrics?: RelayMetrics | undefined;
  /** A fetched config is fresh this long (Sentry: 300 s). */
  readonly expiryMs: number;
  /** After expiry, a config is still served (and refreshed in the background) this long. */
  readonly gracePeriodMs: number;
  /** An unknown key is remembered as unknown this long (Sentry: 60 s). */
  readonly missExpiryMs: number;
  /** Keys asked for within this window go out in one request. */
  readonly batchIntervalMs: number;
  /** Keys per request at most. */
  readonly batchSize: number;
  /** How long an ingest request waits for a config it does not have before accepting without it. */
  readonly lookupTimeoutMs: number;
  readonly now?: (() => number) | undefined;
}

interface Entry {
  /** `null`: the upstream does not know the key. */
  readonly state: ProjectState | null;
  readonly expiresAt: number;
  readonly staleUntil: number;
}

interface Waiter {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

function waiter(): Waiter {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A background refresh nobody waits for must not become an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

const PATH = "/api/0/relays/projectconfigs/?version=3";
/** How often a key the upstream reports `pending` is asked for again before giving up for now. */
const MAX_PENDING_POLLS = 20;

/**
 * Project states fetched from the upstream with signed, batched requests, cached with expiry and
 * a grace period, unknown keys cached too, and one fetch per key in flight at most.
 */
export function upstreamProjectStates(options: UpstreamProjectsOptions): ProjectStates & { readonly cached: number } {
  const { client, credentials, registration, logger } = options;
  const metrics = options.metrics ?? NO_METRICS;
  const now = options.now ?? Date.now;
  const cache = new Map<string, Entry>();
  const inFlight = new Map<string, Waiter>();
  let queue: string[] = [];
  const pendingPolls = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  function stateFor(entry: Entry, projectId: string): ProjectState | undefined {
    if (!entry.state) return undefined;
    // A key belongs to one project: using it for another is using an unknown key.
    if (entry.state.projectId !== "" && entry.state.projectId !== projectId) return undefined;
    return entry.state;
  }

  function store(key: string, value: unknown): void {
    const at = now();
    if (value === null || value === undefined) {
      cache.set(key, { state: null, expiresAt: at + options.missExpiryMs, staleUntil: at + options.missExpiryMs });
      return;
    }
    const projectId = (value as { projectId?: unknown }).projectId;
    const parsed = parseProjectConfig(typeof projectId === "number" || typeof projectId === "string" ? String(projectId) : "", value);
    if (!parsed.ok) {
      logger.warn({ publicKey: key, problem: parsed.error.message }, "the upstream sent a project config the relay cannot read; treating the key as unknown");
      cache.set(key, { state: null, expiresAt: at + options.missExpiryMs, staleUntil: at + options.missExpiryMs });
      return;
    }
    cache.set(key, { state: parsed.value, expiresAt: at + options.expiryMs, staleUntil: at + options.expiryMs + options.gracePeriodMs });
  }

  async function fetchBatch(keys: readonly string[]): Promise<void> {
    const started = now();
    let failure: Error | undefined;
    try {
      await registration.whenRegistered();
      const response = await client.signedJson(PATH, { publicKeys: keys }, { credentials });
      metrics.timing("project_configs.duration", now() - started, { status: String(response.status) });
      if (response.status === 401) registration.renew();
      const answer = jsonOf(response) as { configs?: unknown; pending?: unknown } | undefined;
      const configs = answer?.configs;
      if (response.status < 200 || response.status >= 300 || typeof configs !== "object" || configs === null) {
        failure = new ProjectStateUnavailable(`the upstream answered ${response.status} to a project config request`);
      } else {
        // Version 3: keys still being fetched upstream are `pending` and asked for again; a key
        // neither answered nor pending is unknown (or disabled) there.
        const pending = new Set(Array.isArray(answer?.pending) ? (answer.pending as unknown[]).filter((key) => typeof key === "string") : []);
        for (const key of keys) {
          if (pending.has(key)) {
            const polls = (pendingPolls.get(key) ?? 0) + 1;
            if (polls <= MAX_PENDING_POLLS && !closed) {
              pendingPolls.set(key, polls);
              setTimeout(() => {
                requeue(key);
              }, Math.max(options.batchIntervalMs, 100)).unref();
              continue;
            }
          }
          pendingPolls.delete(key);
          store(key, Object.hasOwn(configs, key) ? (configs as Record<string, unknown>)[key] : null);
        }
      }
    } catch (error) {
      failure = new ProjectStateUnavailable(`project configs could not be fetched: ${(error as Error).message}`, { cause: error });
    }
    if (failure) logger.warn({ keys: keys.length }, failure.message);
    for (const key of keys) {
      if (failure) pendingPolls.delete(key);
      else if (pendingPolls.has(key)) continue;
      const pending = inFlight.get(key);
      inFlight.delete(key);
      if (!pending) continue;
      if (cache.has(key) && !failure) pending.resolve();
      else pending.reject(failure ?? new ProjectStateUnavailable("the upstream has no answer for this key yet"));
    }
  }

  function flush(): void {
    timer = undefined;
    while (queue.length > 0) {
      const batch = queue.slice(0, options.batchSize);
      queue = queue.slice(options.batchSize);
      void fetchBatch(batch);
    }
  }

  function requeue(key: string): void {
    if (closed) return;
    queue.push(key);
    if (queue.length >= options.batchSize) flush();
    else if (!timer) {
      timer = setTimeout(flush, options.batchIntervalMs);
      timer.unref();
    }
  }

  function request(key: string): Promise<void> {
    const existing = inFlight.get(key);
    if (existing) return existing.promise;
    const pending = waiter();
    inFlight.set(key, pending);
    queue.push(key);
    if (queue.length >= options.batchSize) flush();
    else if (!timer && !closed) {
      timer = setTimeout(flush, options.batchIntervalMs);
      timer.unref();
    }
    return pending.promise;
  }

  return {
    get cached() {
      return cache.size;
    },
    async get(projectId, publicKey) {
      const key = publicKey;
      const entry = cache.get(key);
      const at = now();
      if (entry && at < entry.expiresAt) {
        metrics.increment("project_cache.hit", 1, { stale: "false" });
        return stateFor(entry, projectId);
      }
      if (entry && at < entry.staleUntil) {
        metrics.increment("project_cache.hit", 1, { stale: "true" });
        void request(key);
        return stateFor(entry, projectId);
      }
      metrics.increment("project_cache.miss");
      if (closed) throw new ProjectStateUnavailable("the relay is shutting down");
      if (!registration.isRegistered()) {
        void request(key);
        throw new ProjectStateUnavailable("the relay is not registered with the upstream yet");
      }
      let timeout: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          request(key),
          new Promise<never>((_resolve, reject) => {
            timeout = setTimeout(() => {
              reject(new ProjectStateUnavailable("the upstream did not send the project config in time"));
            }, options.lookupTimeoutMs);
          }),
        ]);
      } finally {
        clearTimeout(timeout);
      }
      const fetched = cache.get(key);
      if (!fetched) throw new ProjectStateUnavailable("the upstream has no answer for this key yet");
      return stateFor(fetched, projectId);
    },
    peekByKey(publicKey) {
      const entry = cache.get(publicKey);
      const at = now();
      if (!entry || at >= entry.expiresAt) {
        if (!closed) request(publicKey).catch(() => undefined);
        if (!entry || at >= entry.staleUntil) return undefined;
      }
      return entry.state;
    },
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
