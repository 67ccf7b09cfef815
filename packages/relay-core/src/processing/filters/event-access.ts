/** Read-only access to the parts of a (normalized) event that the inbound filters look at. */

/** A JSON object as parsed from an event payload. */
export type Json = Record<string, unknown>;

/** The value as a JSON object, or `undefined` for anything else. */
export const asObject = (value: unknown): Json | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;

/** The value when it is a string. */
export const asString = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/**
 * The first request header with this name, compared without regard to case, from either header
 * form an event may carry (a list of `[name, value]` pairs or an object).
 */
export function requestHeader(event: Json, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const headers = asObject(event.request)?.headers;
  if (Array.isArray(headers)) {
    for (const pair of headers) {
      if (Array.isArray(pair) && typeof pair[0] === "string" && pair[0].toLowerCase() === wanted) return asString(pair[1]);
    }
    return undefined;
  }
  const map = asObject(headers);
  if (!map) return undefined;
  for (const [key, value] of Object.entries(map)) if (key.toLowerCase() === wanted) return asString(value);
  return undefined;
}

/** The event's exceptions (`exception.values`, or a bare list), entries that are not objects as `undefined`. */
export function exceptionList(event: Json): readonly (Json | undefined)[] {
  const values = Array.isArray(event.exception) ? event.exception : asObject(event.exception)?.values;
  return Array.isArray(values) ? values.map(asObject) : [];
}
