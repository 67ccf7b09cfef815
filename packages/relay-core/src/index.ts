// The relay as a library, for programs that compose it into a service (as `apps/relay` does): the
// service, its spools, project sources, options, and the errors and types they report. The parts
// the service wires together are in `./internal.ts` (`@org/relay-core/internal`), outside semver.

// The service and its options.
export { createRelayService, HTTP_SHARE_OF_SHUTDOWN } from "./relay-service.js";
export type { RelayService, RelayServiceOptions, UpstreamSettings } from "./relay-service.js";
export { DEFAULT_LIMITS } from "./relay-options.js";
export type { RelayLimits, RelayMode, RelayOptions } from "./relay-options.js";
export { RelayError } from "./relay-error.js";
export type { RelayErrorCode } from "./relay-error.js";
export type { ScrubbingPolicy } from "./processing/scrub/index.js";
export type { UpstreamEncoding } from "./upstream/envelope-encoding.js";
// The service's parts, by type: what `RelayService` hands out.
export type { Delivery, DeliveryResult, Pipeline, ReadyEnvelope } from "./pipeline/pipeline.js";
export type { Readiness, ReadinessReport } from "./health/readiness.js";
export type { RateLimitAnswer, RateLimitCache } from "./upstream/rate-limit-cache.js";

// Spools: where accepted envelopes are kept until they are delivered.
export { SpoolFullError } from "./spool/spool.js";
export type { ClaimedEnvelope, IngestContext, Spool, SpoolStats, SpooledEnvelope } from "./spool/spool.js";
export { openSqliteSpool } from "./spool/sqlite-spool.js";
export type { SqliteSpoolOptions } from "./spool/sqlite-spool.js";
export { openWorkerSpool } from "./spool/worker-spool.js";
export type { WorkerSpoolOptions } from "./spool/worker-spool.js";
export { openJetStreamSpool, probeJetStreamSpool } from "./spool/jetstream-spool.js";
export type { JetStreamSpool, JetStreamSpoolOptions } from "./spool/jetstream-spool.js";

// Project sources: where a project's config comes from.
export { ProjectStateUnavailable, permissiveProjectStates } from "./projects/project-state.js";
export type { DataScrubbingSettings, ProjectConfig, ProjectKey, ProjectState, ProjectStates } from "./projects/project-state.js";
export { loadStaticProjects } from "./projects/static-projects.js";
export type { ProjectFileProblem } from "./projects/static-projects.js";
export { upstreamProjectStates } from "./upstream/upstream-projects.js";
export type { UpstreamProjectsOptions } from "./upstream/upstream-projects.js";

// Capture mode.
export { openCaptureStore } from "./capture/capture-store.js";
export type { CaptureListener, CaptureStore, CapturedEnvelope, CapturedSummary } from "./capture/capture-store.js";
export type { CaptureDigest, CapturedDetail, CapturedItem } from "./capture/capture-api.js";
export { logCaptures } from "./capture/capture-log.js";

// Outcomes and metrics.
export { OutcomeCounter, expiredOutcomes } from "./outcomes.js";
export type { Outcome, OutcomeKind, OutcomeSink } from "./outcomes.js";
export { NO_METRICS, metricTagNames } from "./metrics.js";
export type { MetricTags, RelayMetrics } from "./metrics.js";

// The upstream: the relay's identity, registration, and why a request got no answer.
export { UpstreamClient, UpstreamNetworkError, classifyNetworkError, createUpstreamClient } from "./upstream/upstream-client.js";
export type { NetworkFailure, RelayCredentials, UpstreamClientOptions, UpstreamResponse } from "./upstream/upstream-client.js";
export { RegistrationError, RelayRegistration } from "./upstream/registration.js";
export type { RegistrationErrorCode, RegistrationOptions, RegistrationState } from "./upstream/registration.js";

// Several processes: ingest workers that share the primary's spool, projects and rate limits.
export { createIngestService } from "./cluster/ingest-service.js";
export type { IngestService, IngestServiceOptions } from "./cluster/ingest-service.js";
export { linkToPrimary } from "./cluster/worker-link.js";
export type { WorkerLink, WorkerLinkOptions } from "./cluster/worker-link.js";
export { PrimaryLink, SharedRateLimitCache } from "./cluster/primary-link.js";
export type { PrimaryParts, WorkerEvents } from "./cluster/primary-link.js";
export type { IpcChannel, PrimaryMessage, WorkerMessage } from "./cluster/cluster-messages.js";
