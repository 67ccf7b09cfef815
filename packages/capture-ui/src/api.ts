/** A JSON object of unknown shape (events are free-form). */
export type Json = Record<string, unknown>;

/** One row of the live list, as the relay's feed sends it. */
export interface CaptureDigest {
  readonly event_id: string;
  readonly project_id: string;
  /** ISO 8601. */
  readonly received: string;
  readonly item_types: readonly string[];
  readonly title: string;
  readonly level?: string | undefined;
  readonly culprit?: string | undefined;
  readonly sdk?: string | undefined;
  readonly platform?: string | undefined;
  readonly environment?: string | undefined;
  readonly trace_id?: string | undefined;
}

/** One item of a captured envelope, as `/api/relay/events/<id>/` renders it. */
export interface CapturedItem {
  readonly headers: Json & { readonly type: string };
  readonly payload: unknown;
}

/** A captured envelope, as `/api/relay/events/<id>/` renders it. */
export interface CapturedDetail {
  readonly event_id: string;
  readonly project_id: string;
  readonly received: string;
  readonly headers?: Json;
  readonly event?: Json;
  readonly items?: readonly CapturedItem[];
  readonly envelope_error?: string;
}

/** Where the relay's capture endpoints are. */
export const API = {
  stream: "/api/relay/events/stream/?backlog=500",
  events: "/api/relay/events/",
  detail: (id: string) => `/api/relay/events/${encodeURIComponent(id)}/`,
  digest: (id: string) => `/api/relay/events/${encodeURIComponent(id)}/digest/`,
  envelope: (id: string) => `/api/relay/events/${encodeURIComponent(id)}/envelope/`,
} as const;

/** Reads a JSON answer, or throws with the relay's `detail`. */
export async function fetchJson<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  const body = (await response.json().catch(() => ({}))) as { detail?: string };
  if (!response.ok) throw new Error(body.detail ?? `${url} answered ${response.status}`);
  return body as T;
}

/** The value as an object, or `undefined`. */
export function asObject(value: unknown): Json | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** The value as a non-empty string, or `undefined`. */
export function asString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The value as an array of objects (other entries dropped). */
export function asObjects(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(asObject).filter((each) => each !== undefined) : [];
}

/** A value as text: strings as they are, anything else as JSON. */
export function toText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
