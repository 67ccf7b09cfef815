import type { FastifyInstance } from "fastify";
import type { RelayDeps } from "../build-relay.js";
import { Readiness, type ReadinessReport } from "../health/readiness.js";
import { permissiveProjectStates, type ProjectStates } from "../projects/project-state.js";
import { relayApps } from "../relay-apps.js";
import type { RelayServiceOptions, UpstreamSettings } from "../relay-service.js";
import { createUpstreamClient } from "../upstream/upstream-client.js";
import type { WorkerLink } from "./worker-link.js";

/**
 * Options of {@link createIngestService}: those of a whole relay's HTTP side (`spool` is this
 * process's connection to the spool the primary drains), and the link to the primary.
 */
export interface IngestServiceOptions extends Pick<RelayServiceOptions, "http" | "spool" | "logger" | "metrics" | "downstream" | "onInternalError"> {
  /** The primary: project states (managed mode), rate limits, outcomes, readiness. */
  readonly link: WorkerLink;
  /** Static mode: the project files, read by this process too. Managed mode asks the primary; proxy takes any project. */
  readonly projects?: ProjectStates | undefined;
  /** The upstream, for requests passed through as they are (relay chains, other `/api/` requests); never signed as this relay. */
  readonly upstream?: Pick<UpstreamSettings, "url" | "timeoutMs" | "connectTimeoutMs" | "maxConnections" | "version" | "proxy" | "batchSize"> | undefined;
}

/** The HTTP side of the relay in an ingest worker process. */
export interface IngestService {
  readonly app: FastifyInstance;
  /** Builds another HTTP app on the same parts (HTTPS on a second port). */
  buildApp(extra?: Partial<RelayDeps>): FastifyInstance;
  /** What `/api/relay/healthcheck/ready/` answers: this worker's spool and the primary's view of the whole relay. */
  readiness(): ReadinessReport;
  /** Stops accepting; requests in flight get `timeoutMs` to finish, then their connections are closed. Does not close the spool. */
  close(timeoutMs: number): Promise<void>;
}

/**
 * The ingest endpoints of a relay that runs as several processes: a worker answers clients and
 * spools what it accepts, exactly as a single relay does (the answer follows the durable write);
 * the primary process processes and delivers from the same spool, and alone talks to the upstream
 * as the relay.
 */
export function createIngestService(options: IngestServiceOptions): IngestService {
  const { http, spool, logger, link } = options;
  const projects = http.mode === "managed" ? link.projects : (options.projects ?? permissiveProjectStates());
  const local = new Readiness({ spool });
  let stopping = false;
  const readiness = (): ReadinessReport => {
    const reasons = new Set<string>();
    if (stopping) reasons.add("this ingest worker is shutting down");
    for (const report of [local.check(), link.readiness()]) if (!report.ready) for (const reason of report.reasons) reasons.add(reason);
    return reasons.size === 0 ? { ready: true } : { ready: false, reasons: [...reasons] };
  };
  const settings = options.upstream;
  const client =
    http.mode === "capture" || !settings
      ? undefined
      : createUpstreamClient(settings);
  const { app, buildApp, closeAll } = relayApps({
    options: http,
    projects,
    spool: local.watchSpool(spool),
    logger,
    outcomes: link.outcomes,
    onAccepted: () => {
      link.accepted();
    },
    isReady: readiness,
    metrics: options.metrics,
    rateLimits: link.rateLimits,
    upstream: client,
    onInternalError: options.onInternalError,
    downstream: options.downstream,
    batchSize: settings?.batchSize,
  });
  let closing: Promise<void> | undefined;
  return {
    app,
    buildApp,
    readiness,
    close(timeoutMs) {
      stopping = true;
      closing ??= (async () => {
        await closeAll(timeoutMs);
        projects.close();
        await client?.destroy();
      })();
      return closing;
    },
  };
}
