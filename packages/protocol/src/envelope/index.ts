export { createAttachmentItem, createEnvelope, createItem, createJsonItem } from "./build-envelope.js";
export type { AttachmentInit, EnvelopeHeaderInit, ItemHeaderInit } from "./build-envelope.js";
export { EnvelopeError } from "./envelope-error.js";
export type { EnvelopeErrorCode } from "./envelope-error.js";
export { readEnvelopeHeaders } from "./envelope-meta.js";
export { EnvelopeParser } from "./envelope-parser.js";
export type { ParseEnvelopeOptions } from "./envelope-parser.js";
export type {
  Envelope,
  EnvelopeHeaders,
  EnvelopeItem,
  EnvelopeMeta,
  ItemHeaders,
  ItemTail,
  JsonObject,
  ParsedEnvelope,
  EnvelopeSdk,
  EnvelopeTrace,
} from "./envelope.js";
export { newEventId, normalizeEventId } from "./event-id.js";
export { itemCategory } from "./item-category.js";
export { EVENT_ITEM_TYPES, KNOWN_ITEM_TYPES, isKnownItemType } from "./item-type.js";
export type { ItemType, KnownItemType } from "./item-type.js";
export { parseEnvelope, parseEnvelopeStream } from "./parse-envelope.js";
export { serializeEnvelope } from "./serialize-envelope.js";
export { withSentAt } from "./sent-at.js";
export {
  LOG_CONTAINER_CONTENT_TYPE,
  SPAN_CONTAINER_CONTENT_TYPE,
  TRACE_METRIC_CONTAINER_CONTENT_TYPE,
  isContainerItem,
  itemRecordLimit,
  itemSizeLimit,
} from "./item-limits.js";
export type { ItemSizeLimit } from "./item-limits.js";
