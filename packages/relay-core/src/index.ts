export { buildRelay } from "./build-relay.js";
export type { RelayDeps } from "./build-relay.js";
export { DEFAULT_LIMITS } from "./relay-options.js";
export type { RelayLimits, RelayMode, RelayOptions } from "./relay-options.js";
export { RelayError } from "./relay-error.js";
export type { RelayErrorCode } from "./relay-error.js";
export { OutcomeCounter, expiredOutcomes } from "./outcomes.js";
export type { Outcome, OutcomeKind, OutcomeSink } from "./outcomes.js";
export { SpoolFullError } from "./spool/spool.js";
export type { ClaimedEnvelope, IngestContext, Spool, SpoolStats, SpooledEnvelope } from "./spool/spool.js";
export { openSqliteSpool } from "./spool/sqlite-spool.js";
export type { SqliteSpoolOptions } from "./spool/sqlite-spool.js";
export { PERMISSIVE_CONFIG, ProjectStateUnavailable, checkProjectAccess, permissiveProjectStates } from "./projects/project-state.js";
export type { DataScrubbingSettings, ProjectConfig, ProjectKey, ProjectState, ProjectStates } from "./projects/project-state.js";
export { loadStaticProjects, parseProjectConfig, parseProjectFile } from "./projects/static-projects.js";
export type { ProjectFileProblem, ProjectFileResult } from "./projects/static-projects.js";
export { openCaptureStore } from "./capture/capture-store.js";
export type { CaptureStore, CapturedEnvelope, CapturedSummary } from "./capture/capture-store.js";
export { captureDelivery } from "./capture/capture-delivery.js";
export type { CaptureListener } from "./capture/capture-store.js";
export { digestCapture } from "./capture/capture-digest.js";
export type { CaptureDigest } from "./capture/capture-digest.js";
export { logCaptures } from "./capture/capture-log.js";
export { defaultCaptureUiDir } from "./routes/capture-ui.js";
export { Pipeline, defaultRetryDelay } from "./pipeline/pipeline.js";
export type { Delivery, DeliveryResult, PipelineOptions, Processed, ReadyEnvelope } from "./pipeline/pipeline.js";
export { createEnvelopeProcessor } from "./pipeline/process-envelope.js";
export type { ProcessorOptions } from "./pipeline/process-envelope.js";
export {
  FILTERED,
  compilePiiConfig,
  compileScrubbing,
  convertScrubbingSettings,
  mergeScrubbingPolicies,
  scrubAttachment,
  scrubEvent,
  scrubEventInPlace,
  scrubItemPayload,
  ScrubPlanCache,
} from "./processing/scrub/index.js";
export type { CompiledPiiConfig, CompiledScrubbing, PiiConfigJson, PiiConfigProblem, ScrubItemError, ScrubPlan, ScrubResult, ScrubbingConfig, ScrubbingPolicy } from "./processing/scrub/index.js";
export { checkInboundFilters } from "./processing/filters/index.js";
export type { FilterReason, FilterSettings } from "./processing/filters/index.js";
export { NO_METRICS, metricTagNames } from "./metrics.js";
export type { MetricTags, RelayMetrics } from "./metrics.js";
export { UpstreamClient, UpstreamNetworkError, classifyNetworkError } from "./upstream/upstream-client.js";
export type { NetworkFailure, RelayCredentials, UpstreamClientOptions, UpstreamResponse } from "./upstream/upstream-client.js";
export { RegistrationError, RelayRegistration, registrationBackoff } from "./upstream/registration.js";
export { Readiness, type ReadinessReport, type ReadinessOptions } from "./health/readiness.js";
export type { RegistrationOptions, RegistrationState } from "./upstream/registration.js";
export { upstreamProjectStates } from "./upstream/upstream-projects.js";
export type { UpstreamProjectsOptions } from "./upstream/upstream-projects.js";
export { RateLimitCache } from "./upstream/rate-limit-cache.js";
export type { RateLimitAnswer } from "./upstream/rate-limit-cache.js";
export { upstreamDelivery, withSentAt } from "./upstream/upstream-delivery.js";
export type { UpstreamDelivery, UpstreamDeliveryOptions } from "./upstream/upstream-delivery.js";
export { envelopeEncoder, isLoopbackUpstream, resolveEncoding } from "./upstream/envelope-encoding.js";
export type { EncodedBody, EnvelopeEncodingOptions, UpstreamEncoding } from "./upstream/envelope-encoding.js";
export { HTTP_SHARE_OF_SHUTDOWN, createRelayService } from "./relay-service.js";
export type { RelayService, RelayServiceOptions, UpstreamSettings } from "./relay-service.js";
export { openWorkerSpool } from "./spool/worker-spool.js";
export type { WorkerSpoolOptions } from "./spool/worker-spool.js";
export { createWorkerProcessor } from "./pipeline/worker-processor.js";
export type { WorkerProcessor } from "./pipeline/worker-processor.js";
export { processEnvelope } from "./pipeline/process-envelope.js";
export type { ProcessedData, ProcessingInput } from "./pipeline/process-envelope.js";
export { openJetStreamSpool } from "./spool/jetstream-spool.js";
export type { JetStreamSpool, JetStreamSpoolOptions } from "./spool/jetstream-spool.js";
export { OutcomeAggregator, clientReportList } from "./outcomes/outcome-aggregator.js";
export type { AggregatedOutcome, ClientReportList, OutcomeAggregatorOptions, OutcomeSender } from "./outcomes/outcome-aggregator.js";
export { clientReportSender, signedOutcomeSender } from "./upstream/outcome-senders.js";
export { createIngestService } from "./cluster/ingest-service.js";
export type { IngestService, IngestServiceOptions } from "./cluster/ingest-service.js";
export { linkToPrimary } from "./cluster/worker-link.js";
export type { WorkerLink, WorkerLinkOptions } from "./cluster/worker-link.js";
export { PrimaryLink, SharedRateLimitCache } from "./cluster/primary-link.js";
export type { PrimaryParts, WorkerEvents } from "./cluster/primary-link.js";
export type { IpcChannel, PrimaryMessage, WorkerMessage } from "./cluster/cluster-messages.js";
