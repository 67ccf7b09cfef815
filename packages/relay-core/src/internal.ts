// `@org/relay-core/internal`: the parts that `createRelayService` wires together, for this
// repository's tests and benchmarks. NOT covered by semver: any release may change or remove
// them. Programs use `@org/relay-core`.

export { buildRelay } from "./build-relay.js";
export type { RelayDeps } from "./build-relay.js";
export { Pipeline, defaultRetryDelay } from "./pipeline/pipeline.js";
export type { PipelineOptions, Processed } from "./pipeline/pipeline.js";
export { createEnvelopeProcessor, processEnvelope } from "./pipeline/process-envelope.js";
export type { ProcessedData, ProcessingInput, ProcessorOptions } from "./pipeline/process-envelope.js";
export { createWorkerProcessor, eventLoopBusy } from "./pipeline/worker-processor.js";
export type { LoopTimes, WorkerProcessor, WorkerProcessorOptions } from "./pipeline/worker-processor.js";
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
export type { CompiledPiiConfig, CompiledScrubbing, PiiConfigJson, PiiConfigProblem, ScrubItemError, ScrubPlan, ScrubResult, ScrubbingConfig } from "./processing/scrub/index.js";
export { checkInboundFilters } from "./processing/filters/index.js";
export type { FilterReason, FilterSettings } from "./processing/filters/index.js";
export { PERMISSIVE_CONFIG, checkProjectAccess } from "./projects/project-state.js";
export { parseProjectConfig, parseProjectFile } from "./projects/static-projects.js";
export type { ProjectFileError, ProjectFileResult } from "./projects/static-projects.js";
export { captureDelivery } from "./capture/capture-delivery.js";
export { digestCapture } from "./capture/capture-digest.js";
export { defaultCaptureUiDir } from "./routes/capture-ui.js";
export { Readiness } from "./health/readiness.js";
export type { ReadinessOptions } from "./health/readiness.js";
export { RateLimitCache } from "./upstream/rate-limit-cache.js";
export { registrationBackoff } from "./upstream/registration.js";
export { upstreamDelivery } from "./upstream/upstream-delivery.js";
export type { UpstreamDelivery, UpstreamDeliveryOptions } from "./upstream/upstream-delivery.js";
export { envelopeEncoder, isLoopbackUpstream, resolveEncoding } from "./upstream/envelope-encoding.js";
export type { EncodedBody, EnvelopeEncodingOptions } from "./upstream/envelope-encoding.js";
export { OutcomeAggregator, clientReportList } from "./outcomes/outcome-aggregator.js";
export type { AggregatedOutcome, ClientReportList, OutcomeAggregatorOptions, OutcomeSender } from "./outcomes/outcome-aggregator.js";
export { clientReportSender, signedOutcomeSender } from "./upstream/outcome-senders.js";
