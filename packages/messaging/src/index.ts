export { err, ok } from "@org/identity";
export type { Err, Ok, Result } from "@org/identity";
export { MessagingError } from "./messaging-error.js";
export type { MessagingErrorCode } from "./messaging-error.js";
export {
  decodeMessage,
  encodeMessage,
  messageDigest,
  messageUuid,
  preBytes,
  publishSubject,
  replySubject,
  verifySignature,
} from "./message-codec.js";
export type { DecodedMessage, MessageFields } from "./message-codec.js";
export { matchDestination } from "./destination-pattern.js";
export { parseGoDuration } from "./go-duration.js";
export { DEFAULT_JETSTREAM_SETTINGS, exampleConfig, parseRemaphoreConfig, renderRemaphoreConfig } from "./remaphore-config.js";
export type { ConfigProblem, ConfigResult, Identity, JetStreamSettings, Peer, RemaphoreConfig, VerbList } from "./remaphore-config.js";
export { acquireVerb, findPeer, isVerbAllowed, senderIdentity, suspectedResponders } from "./authorization.js";
export { ReplayCache } from "./replay-cache.js";
export { checkMessage } from "./check-message.js";
export { peerIndex } from "./peer-index.js";
export type { CheckOptions, DestinationFilter, Rejection, RejectionReason, VerifiedMessage } from "./check-message.js";
export { RemaphoreClient, connectRemaphore } from "./remaphore-client.js";
export type { ConnectOptions, Listener, Received, ReceiveOptions, Reply, RequestResult, SendOptions } from "./remaphore-client.js";
export { loadRemaphoreConfig } from "./load-config.js";
export type { LoadConfigOptions, LoadedConfig } from "./load-config.js";
export { buildMessage } from "./build-message.js";
export { publishOnce, PublishOnceUnsupported } from "./publish-once.js";
export type { PublishOnceOptions } from "./publish-once.js";
