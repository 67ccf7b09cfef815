import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { ServerOptions as HttpsServerOptions } from "node:https";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { CaptureStore } from "./capture/capture-store.js";
import { corsHeaders, corsPreflightHeaders } from "./http/cors.js";
import type { OutcomeSink } from "./outcomes.js";
import type { RelayMetrics } from "./metrics.js";
import type { ProjectStates } from "./projects/project-state.js";
import { RelayError } from "./relay-error.js";
import type { RelayOptions } from "./relay-options.js";
import { registerCaptureRoutes } from "./routes/capture-events.js";
import { registerCaptureUi } from "./routes/capture-ui.js";
import { registerHealthRoutes } from "./routes/health.js";
import { registerIngestRoutes } from "./routes/ingest/register.js";
import type { Spool } from "./spool/spool.js";
import { registerUpstreamProxy } from "./routes/upstream-proxy.js";
import { registerRelayEndpoints, type RelayEndpointsOptions } from "./routes/relay-endpoints.js";
import type { DownstreamRelays } from "./downstream/downstream-relays.js";
import type { RateLimitCache } from "./upstream/rate-limit-cache.js";
import type { BodyBudget } from "./http/body-budget.js";
import { continueOnRead, DEFAULT_MAX_DISCARDED_BODY_BYTES, discardRefusedBody } from "./http/refused-body.js";
import type { ReadinessReport } from "./health/readiness.js";
import type { UpstreamClient } from "./upstream/upstream-client.js";

/** Everything the relay's HTTP app works with; nothing is created inside. */
export interface RelayDeps {
  readonly options: RelayOptions;
  readonly projects: ProjectStates;
  readonly spool: Spool;
  readonly logger: Logger;
  readonly outcomes: OutcomeSink;
  /** Capture mode only: where processed envelopes are kept for `GET /api/relay/events/`. */
  readonly captureStore?: CaptureStore | undefined;
  /** Capture mode only: the built web page served at `/` (default: `@org/capture-ui`'s `dist`). */
  readonly captureUiDir?: string | undefined;
  /** Called after each envelope is spooled, to wake the delivery pipeline. */
  readonly onAccepted?: (() => void) | undefined;
  /** Whether the relay can do its work (registered upstream, or always outside managed mode). */
  readonly isReady?: (() => boolean | ReadinessReport) | undefined;
  /** Clock in milliseconds since the epoch. */
  readonly now?: (() => number) | undefined;
  /** Where request counts and latencies go. */
  readonly metrics?: RelayMetrics | undefined;
  /** The cap on request bytes held in memory, shared by every app of one relay (HTTP and HTTPS). */
  readonly bodyBudget?: BodyBudget | undefined;
  /** Upstream rate limits: clients get 429 for limited data without the upstream being asked. */
  readonly rateLimits?: RateLimitCache | undefined;
  /** The upstream, when there is one: every other `/api/` request is forwarded to it. */
  readonly upstream?: UpstreamClient | undefined;
  /** Told about every unexpected error while handling a request (crash reporting). */
  readonly onInternalError?: ((error: unknown, request: { method: string; url: string; userAgent?: string | undefined }) => void) | undefined;
  /** Relays trusted downstream (`auth.static_relays`): their signed envelopes keep the client's address. */
  readonly downstreamRelays?: DownstreamRelays | undefined;
  /** Downstream relays: registration, project configs and public keys served by this relay. */
  readonly relayEndpoints?: RelayEndpointsOptions | undefined;
  /** Key and certificate (PEM pair or PKCS #12): the app serves HTTPS instead of plain HTTP. */
  readonly https?: HttpsServerOptions | undefined;
}

/** Folds repeated slashes and drops a path prefix before `/api/` (DSNs with a path prefix). */
function rewriteUrl(url: string): string {
  const queryAt = url.indexOf("?");
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = queryAt === -1 ? "" : url.slice(queryAt);
  let folded = path.replace(/\/{2,}/g, "/");
  const apiAt = folded.indexOf("/api/");
  if (apiAt > 0) folded = folded.slice(apiAt);
  if (!folded.endsWith("/")) folded += "/";
  return folded + query;
}

/**
 * Builds the relay's HTTP app (fastify), ready for `listen()` or `inject()`. The app answers
 * ingest requests once their envelope is durably spooled; processing and delivery happen in the
 * pipeline, off the request path.
 */
export function buildRelay(deps: RelayDeps): FastifyInstance {
  const app: FastifyInstance = Fastify<Server, IncomingMessage, ServerResponse, FastifyBaseLogger>({ // eslint-disable-line @typescript-eslint/no-unnecessary-type-arguments -- pino's Logger must not become the instance type
    loggerInstance: deps.logger,
    // One log line per request is too much for an ingestion service; failures are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: deps.options.trustProxy as boolean | string | string[] | undefined,
    requestTimeout: deps.options.requestTimeoutMs ?? 60_000,
    connectionTimeout: deps.options.requestTimeoutMs ?? 60_000,
    routerOptions: { maxParamLength: 200 },
    rewriteUrl: (request) => rewriteUrl(request.url ?? "/"),
    return503OnClosing: true,
    ...(deps.https ? { https: deps.https } : {}),
  });

  continueOnRead(app.server);
  // An answer sent before the body was read in full: the client still reads it (see discardRefusedBody).
  const maxDiscarded = deps.options.maxDiscardedBodyBytes ?? DEFAULT_MAX_DISCARDED_BODY_BYTES;
  // A callback hook (no promise per response) has Fastify's four parameters.
  // eslint-disable-next-line max-params
  app.addHook("onSend", (request, reply, _payload, done) => {
    discardRefusedBody(request.raw, reply.raw, maxDiscarded);
    done();
  });

  // Bodies are read by the handlers themselves, with the limits of each endpoint.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_request, payload, done) => {
    done(null, payload);
  });

  app.addHook("onRequest", (request, reply, done) => {
    if (request.url.startsWith("/api/")) void reply.headers(corsHeaders());
    done();
  });

  const metrics = deps.metrics;
  if (metrics) {
    app.addHook("onResponse", (request, reply, done) => {
      const tags = { route: request.routeOptions.url ?? "unknown", method: request.method, status: String(reply.statusCode) };
      metrics.increment("requests", 1, tags);
      metrics.timing("requests.duration", reply.elapsedTime, tags);
      done();
    });
  }

  app.options("/api/*", (_request, reply) => reply.code(200).headers(corsPreflightHeaders()).send());

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof RelayError) {
      if (error.status >= 500) request.log.warn({ code: error.code }, error.message);
      else request.log.debug({ code: error.code, causes: error.causes }, error.message);
      return reply
        .code(error.status)
        .headers({ ...error.headers, "x-sentry-error": error.message })
        .send(error.toBody());
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      const message = (error as Error).message;
      return reply.code(status).header("x-sentry-error", message).send({ detail: message, causes: [] });
    }
    request.log.error({ err: error }, "unexpected error while handling a request");
    deps.onInternalError?.(error, { method: request.method, url: request.url.split("?")[0] ?? "", userAgent: request.headers["user-agent"] });
    return reply.code(500).send({ detail: "internal error in the relay", causes: [] });
  });

  app.setNotFoundHandler((request, reply) => {
    const error = new RelayError("not_found", `no endpoint for ${request.method} ${request.url.split("?")[0] ?? ""}`);
    return reply.code(error.status).send(error.toBody());
  });

  registerHealthRoutes(app, deps.isReady ?? (() => deps.options.mode !== "managed"));
  registerIngestRoutes(app, deps);
  if (deps.captureStore) registerCaptureRoutes(app, deps.captureStore);
  if (deps.relayEndpoints) registerRelayEndpoints(app, deps.relayEndpoints);
  if (deps.captureStore) registerCaptureUi(app, deps.captureStore, deps.captureUiDir);
  if (deps.upstream) registerUpstreamProxy(app, deps.upstream);
  return app;
}
