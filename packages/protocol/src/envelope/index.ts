export { EnvelopeError, normalizeEventId, parseEnvelope, serializeEnvelope } from "./envelope.js";
export type {
  Envelope,
  EnvelopeErrorCode,
  EnvelopeHeaders,
  EnvelopeItem,
  ItemHeaders,
  JsonObject,
  ParseEnvelopeOptions,
} from "./envelope.js";
export { EVENT_ITEM_TYPES, itemCategory } from "./item-category.js";
export type { KnownItemType } from "./item-category.js";
