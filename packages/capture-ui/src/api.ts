/** A JSON object of unknown shape (events are free-form). */
export type Json = Record<string, unknown>;

// The JSON the relay's capture endpoints answer, declared once beside the code that writes it
// (types only: nothing of relay-core is bundled into the page).
export type { CaptureDigest, CapturedDetail, CapturedItem } from "../../relay-core/src/capture/capture-api.js";

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
