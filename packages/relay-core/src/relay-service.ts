import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { RelayDeps } from "./build-relay.js";
import { captureDelivery } from "./capture/capture-delivery.js";
import { Readiness } from "./health/readiness.js";
import type { CaptureStore } from "./capture/capture-store.js";
import type { RelayMetrics } from "./metrics.js";
import type { OutcomeSink } from "./outcomes.js";
import { OutcomeAggregator } from "./outcomes/outcome-aggregator.js";
import { clientReportSender, signedOutcomeSender } from "./upstream/outcome-senders.js";
import { Pipeline, type Delivery } from "./pipeline/pipeline.js";
import { createEnvelopeProcessor } from "./pipeline/process-envelope.js";
import { createWorkerProcessor, type WorkerProcessor } from "./pipeline/worker-processor.js";
import { permissiveProjectStates, type ProjectStates } from "./projects/project-state.js";
import type { ScrubbingPolicy } from "./processing/scrub/index.js";
import type { RelayOptions } from "./relay-options.js";
import type { ClaimedEnvelope, Spool } from "./spool/spool.js";
import { RateLimitCache } from "./upstream/rate-limit-cache.js";
import { QuotaCounter } from "./quotas/project-quotas.js";
import { RelayRegistration, type RegistrationState } from "./upstream/registration.js";
import { createUpstreamClient, type RelayCredentials, type UpstreamClient } from "./upstream/upstream-client.js";
import { upstreamDelivery, type UpstreamDelivery } from "./upstream/upstream-delivery.js";
import type { UpstreamEncoding } from "./upstream/envelope-encoding.js";
import { upstreamProjectStates } from "./upstream/upstream-projects.js";
import { relayApps } from "./relay-apps.js";

/** How the relay talks to its upstream. */
export interface UpstreamSettings {
  /** Origin of the upstream Sentry (or relay). */
  readonly url: string;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  /** Concurrent connections to the upstream at most. */
  readonly maxConnections: number;
  readonly maxRetryIntervalMs: number;
  readonly authIntervalMs: number;
  /** The relay's version, sent at registration and in `User-Agent`. */
  readonly version: string;
  /** Managed mode only. */
  readonly credentials?: RelayCredentials | undefined;
  /** Project config cache (managed mode). */
  readonly projectExpiryMs: number;
  readonly projectGracePeriodMs: number;
  readonly missExpiryMs: number;
  readonly batchIntervalMs: number;
  readonly batchSize: number;
  /** How forwarded envelopes are encoded; `auto` (the default): not compressed to a loopback upstream, gzip otherwise. */
  readonly encoding?: UpstreamEncoding | undefined;
  /** gzip level of forwarded envelopes, 1-9 (6 by default). */
  readonly compressionLevel?: number | undefined;
  /** Proxy settings instead of the environment's `HTTPS_PROXY` and friends. */
  readonly proxy?: { readonly httpProxy?: string; readonly httpsProxy?: string; readonly noProxy?: string } | undefined;
}

/** Options of {@link createRelayService}. */
export interface RelayServiceOptions {
  readonly http: RelayOptions;
  readonly spool: Spool;
  readonly logger: Logger;
  readonly outcomes: OutcomeSink;
  readonly globalScrubbing: ScrubbingPolicy;
  readonly metrics?: RelayMetrics | undefined;
  /** Capture mode: where processed envelopes are kept. */
  readonly captureStore?: CaptureStore | undefined;
  /** Static mode: the project files. Other modes make their own. */
  readonly projects?: ProjectStates | undefined;
  /** Managed, static and proxy modes. */
  readonly upstream?: UpstreamSettings | undefined;
  /** Where the upstream's rate limits are kept (a cache that also tells ingest workers, say); a new one by default. */
  readonly rateLimits?: RateLimitCache | undefined;
  /** The clock of rate limits and upstream outages (tests pass their own); `Date.now` by default. */
  readonly now?: (() => number) | undefined;
  /** Envelopes processed and delivered at the same time. */
  readonly concurrency?: number | undefined;
  /** Worker threads for processing (0: on the event loop that answers clients). */
  readonly processingThreads?: number | undefined;
  readonly idleMs?: number | undefined;
  /** Told about unexpected errors (crash reporting). */
  readonly onPipelineError?: ((error: unknown, envelope: ClaimedEnvelope) => void) | undefined;
  readonly onInternalError?: RelayDeps["onInternalError"];
  /**
   * Outcomes of lost data sent upstream (not in capture mode): `client_reports` as the relay's own
   * `client_report` items, `signed` to the relay outcomes endpoint (managed mode), `off` not at all.
   * Default: client reports every 120 s.
   */
  readonly outcomeReports?: { readonly mode: "client_reports" | "signed" | "off"; readonly flushIntervalMs: number } | undefined;
  /** Downstream relays trusted without asking the upstream (`auth.static_relays`), and how old their signatures may be. */
  readonly downstream?: { readonly staticRelays: Readonly<Record<string, { readonly publicKey: string; readonly internal?: boolean }>>; readonly signatureMaxAgeMs: number; readonly now?: () => number } | undefined;
  /** When the relay stops being ready (Relay's `auth.ready` and `http.outage_grace_period`), and its clock. */
  readonly readiness?: { readonly authReady?: "authenticated" | "always"; readonly outageGraceMs?: number; readonly now?: () => number } | undefined;
}

/** A relay's parts, wired together: the HTTP app, the pipeline, and the upstream connection. */
export interface RelayService {
  readonly app: FastifyInstance;
  readonly pipeline: Pipeline;
  readonly projects: ProjectStates;
  readonly registration: RelayRegistration | undefined;
  readonly delivery: Delivery;
  readonly rateLimits: RateLimitCache;
  /** Where outcomes go: the given sink, behind the aggregator that reports them upstream when there is one. */
  readonly outcomes: OutcomeSink;
  /** Sends the aggregated outcomes now (also done on its interval and at close). */
  flushOutcomes(): Promise<void>;
  /** What `/api/relay/healthcheck/ready/` answers. */
  readonly readiness: Readiness;
  /** Builds another HTTP app on the same parts (to listen on a second port, with TLS say). */
  buildApp(extra?: Partial<RelayDeps>): FastifyInstance;
  /** Starts registering (managed mode) and moving envelopes. */
  start(): void;
  /**
   * Stops within `timeoutMs`, in order: the HTTP apps stop accepting at once; requests in flight
   * get up to half of `timeoutMs` to finish, then their connections are closed unanswered (their
   * clients retry); in-flight deliveries get the rest of the time, everything else stays in the
   * spool. Does not close the spool.
   */
  close(timeoutMs: number): Promise<void>;
}

/**
 * The part of the shutdown timeout that requests in flight get to finish. A request that is
 * still running then (a client trickling a large body, say) has not been answered, so closing
 * its connection loses nothing: the client retries.
 */
export const HTTP_SHARE_OF_SHUTDOWN = 0.5;

/** Wires the relay for its mode: capture (keeps locally), or static/proxy/managed (forwards upstream). */
export function createRelayService(options: RelayServiceOptions): RelayService {
  const { http, spool, logger, metrics } = options;
  let outcomes: OutcomeSink = options.outcomes;
  let aggregator: OutcomeAggregator | undefined;
  const rateLimits = options.rateLimits ?? new RateLimitCache(options.now);
  let client: UpstreamClient | undefined;
  let registration: RelayRegistration | undefined;
  let projects: ProjectStates;
  let delivery: Delivery;
  let upstream: UpstreamDelivery | undefined;

  if (http.mode === "capture") {
    if (!options.captureStore) throw new Error("capture mode needs a capture store");
    projects = options.projects ?? permissiveProjectStates();
    delivery = captureDelivery(options.captureStore);
  } else {
    const settings = options.upstream;
    if (!settings) throw new Error(`${http.mode} mode needs an upstream`);
    client = createUpstreamClient(settings);
    if (http.mode === "managed") {
      if (!settings.credentials) throw new Error("managed mode needs the relay's credentials");
      const registrationState: Record<RegistrationState, number> = { unregistered: 0, registered: 1, renewing: 1, stopped: -1 };
      registration = new RelayRegistration({
        client,
        credentials: settings.credentials,
        version: settings.version,
        logger,
        authIntervalMs: settings.authIntervalMs,
        maxRetryIntervalMs: settings.maxRetryIntervalMs,
        onStateChange: (state) => metrics?.gauge("upstream.registered", registrationState[state]),
      });
      projects = upstreamProjectStates({
        client,
        credentials: settings.credentials,
        registration,
        logger,
        metrics,
        expiryMs: settings.projectExpiryMs,
        gracePeriodMs: settings.projectGracePeriodMs,
        missExpiryMs: settings.missExpiryMs,
        batchIntervalMs: settings.batchIntervalMs,
        batchSize: settings.batchSize,
        lookupTimeoutMs: settings.timeoutMs,
      });
    } else {
      projects = options.projects ?? permissiveProjectStates();
    }
    const reports = options.outcomeReports ?? { mode: "client_reports", flushIntervalMs: 120_000 };
    if (reports.mode !== "off") {
      const send = reports.mode === "signed" && settings.credentials ? signedOutcomeSender(client, settings.credentials) : clientReportSender(client, settings.version);
      aggregator = new OutcomeAggregator({
        next: options.outcomes,
        send,
        flushIntervalMs: reports.flushIntervalMs,
        onError: (error) => {
          logger.warn({ err: error }, "could not send outcomes upstream");
        },
      });
      outcomes = aggregator;
    }
    upstream = upstreamDelivery({
      client,
      logger,
      rateLimits,
      registration,
      metrics,
      maxRetryIntervalMs: settings.maxRetryIntervalMs,
      credentials: http.mode === "managed" ? settings.credentials : undefined,
      now: options.now,
      encoding: settings.encoding,
      compressionLevel: settings.compressionLevel,
    });
    delivery = upstream;
  }

  const onPiiProblems = (projectId: string, problems: readonly { rule: string; message: string }[]): void => {
    for (const problem of problems) logger.warn({ projectId, rule: problem.rule, problem: problem.message }, "a PII rule of the project cannot be used; its other rules still apply");
  };
  const processorOptions = {
    projects,
    globalScrubbing: options.globalScrubbing,
    outcomes,
    rateLimits,
    quotas: new QuotaCounter(),
    onPiiProblems,
    keepClientReports: http.mode === "capture",
  };
  const workerProcessor: WorkerProcessor | undefined =
    (options.processingThreads ?? 0) > 0 ? createWorkerProcessor({ ...processorOptions, threads: options.processingThreads, metrics }) : undefined;
  const pipeline = new Pipeline({
    spool,
    process: workerProcessor ? workerProcessor.process : createEnvelopeProcessor(processorOptions),
    delivery,
    outcomes,
    logger,
    concurrency: options.concurrency ?? 100,
    idleMs: options.idleMs ?? 500,
    onError: options.onPipelineError,
  });

  const readiness = new Readiness({ spool, registration, ...options.readiness });
  const isReady = (): ReturnType<Readiness["check"]> => readiness.check();
  const { app, buildApp, closeAll } = relayApps({
    options: http,
    projects,
    spool: readiness.watchSpool(spool),
    logger,
    outcomes,
    captureStore: options.captureStore,
    onAccepted: () => {
      pipeline.wake();
    },
    isReady,
    metrics,
    rateLimits,
    upstream: client,
    onInternalError: options.onInternalError,
    downstream: options.downstream,
    batchSize: options.upstream?.batchSize,
  });

  let closing: Promise<void> | undefined;
  return {
    app,
    pipeline,
    projects,
    registration,
    delivery,
    rateLimits,
    outcomes,
    flushOutcomes: () => aggregator?.flush() ?? Promise.resolve(),
    readiness,
    buildApp,
    start() {
      aggregator?.start();
      registration?.start();
      pipeline.start();
    },
    close(timeoutMs) {
      readiness.shutDown();
      closing ??= (async () => {
        const deadline = Date.now() + timeoutMs;
        await closeAll(timeoutMs * HTTP_SHARE_OF_SHUTDOWN);
        registration?.close();
        await pipeline.stop(Math.max(0, deadline - Date.now()));
        await workerProcessor?.close();
        await aggregator?.close();
        upstream?.close();
        projects.close();
        await client?.destroy();
      })();
      return closing;
    },
  };
}
