import { decodeBody, parseJsonObject, unwrapStoreBody, type BodyError } from "@org/protocol/body";
import type { BodyRule } from "../http/read-body.js";
import { RelayError } from "../relay-error.js";

function refuse(error: BodyError, what: string): RelayError {
  if (error.code === "too_large") return new RelayError("too_large", `${what} is too large`, { causes: [error.message] });
  if (error.code === "empty") return new RelayError("invalid_body", "empty body", { causes: [error.message] });
  return new RelayError("invalid_body", `invalid ${what.replace(/^the /, "")}`, { causes: [error.message] });
}

/** Undoes the request's Content-Encoding, within the rule's `limit` decoded bytes. */
export function decodeRequestBody(raw: Uint8Array, contentEncoding: string | undefined, rule: Pick<BodyRule, "limit" | "what">): Uint8Array {
  const { limit, what } = rule;
  const decoded = decodeBody(raw, { contentEncoding, maxSize: limit });
  if (!decoded.ok) throw refuse(decoded.error, what);
  if (decoded.value.length === 0) throw new RelayError("invalid_body", "empty body");
  return decoded.value;
}

/** A store request's event: decoded, unwrapped from base64/zlib, parsed. */
export interface StoreEvent {
  readonly json: Record<string, unknown>;
  /** The event's JSON bytes as sent (no re-serialization of deeply nested input). */
  readonly bytes: Uint8Array;
  /** The legacy `project` field of the body, for `/api/store/` without a project in the path. */
  readonly projectId: string | undefined;
}

/**
 * Reads the event of a store request (JSON, base64 of JSON, or base64 of zlib'd JSON), within the
 * rule's limit (`max_event_size`); refusals name the event as the rule does.
 */
export function decodeStoreEvent(raw: Uint8Array, contentEncoding: string | undefined, rule: Pick<BodyRule, "limit" | "what">): StoreEvent {
  const decoded = decodeRequestBody(raw, contentEncoding, rule);
  const unwrapped = unwrapStoreBody(decoded, rule.limit);
  if (!unwrapped.ok) throw refuse(unwrapped.error, rule.what);
  const json = parseJsonObject(unwrapped.value);
  if (!json.ok) throw refuse(json.error, rule.what);
  const project = json.value.project;
  const projectId = typeof project === "number" || (typeof project === "string" && /^\d+$/.test(project)) ? String(project) : undefined;
  return { json: json.value, bytes: unwrapped.value, projectId };
}
