export { findRepoRoot, sharedDir } from "./shared-dir.js";
export { captureHeader, loadSdkCaptures, sdkCapturesDir } from "./sdk-captures.js";
export type { SdkCapture } from "./sdk-captures.js";
export { startNatsServer } from "./nats-server.js";
export type { NatsServer, NatsServerOptions } from "./nats-server.js";
export { hang, startHttpRecorder } from "./http-recorder.js";
export type { HttpRecorder, RecordedRequest, Responder } from "./http-recorder.js";
export { startOperatorNatsServer } from "./nats-operator.js";
export type { OperatorNatsServer } from "./nats-operator.js";
