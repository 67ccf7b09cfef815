export { PLATFORMS } from "./event-types.js";
export type {
  Breadcrumb,
  ExceptionValue,
  Frame,
  JsonValue,
  Level,
  LogEntry,
  RequestInfo,
  SdkInfo,
  SentryEvent,
  Stacktrace,
  User,
} from "./event-types.js";
export { EventError, normalizeEvent, parseTimestamp } from "./normalize-event.js";
export type { EventErrorCode, NormalizeOptions } from "./normalize-event.js";
export { normalizeRequest } from "./normalize-request.js";
export type { RequestRemark } from "./normalize-request.js";
