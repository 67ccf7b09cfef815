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
export { parseDevice, parseOs, parseUserAgent } from "./user-agent.js";
export type { ParsedDevice, ParsedOs, ParsedUserAgent } from "./user-agent.js";
export { addUserAgentContexts, browserContextOf, deviceContextOf, formatVersion, osContextOf, userAgentInfoFromHeaders } from "./user-agent-contexts.js";
export type { UserAgentInfo } from "./user-agent-contexts.js";
