/** Largest event item the relay (and Sentry) accepts: 1 MiB. */
export const MAX_EVENT_BYTES = 1024 * 1024;

const encoder = new TextEncoder();

type Json = Record<string, unknown>;

function serialize(event: Json): Uint8Array {
  return encoder.encode(JSON.stringify(event));
}

function cutStrings(value: unknown, limit: number): unknown {
  if (typeof value === "string") return value.length > limit ? `${value.slice(0, limit)}…` : value;
  if (Array.isArray(value)) return value.map((item) => cutStrings(item, limit));
  if (value !== null && typeof value === "object") {
    const out: Json = {};
    for (const [key, inner] of Object.entries(value)) {
      Object.defineProperty(out, key.length > limit ? `${key.slice(0, limit)}…` : key, { value: cutStrings(inner, limit), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

/** Optional parts, dropped in this order when cutting strings was not enough. */
const DROPPABLE = ["breadcrumbs", "extra", "contexts", "request", "modules", "user", "tags", "fingerprint"] as const;

/**
 * Serializes a normalized event, making it fit in `maxBytes`: first strings are cut to 16 KiB,
 * then the oldest breadcrumbs go, then strings are cut to 1 KiB and 256 characters, then optional
 * parts are dropped (breadcrumbs, extra, contexts, request, modules, user, tags, fingerprint),
 * then the stack frames in the middle. Returns the JSON bytes and whether anything was
 * cut, or undefined when even the bare event is too big.
 */
export function fitEvent(event: Json, maxBytes = MAX_EVENT_BYTES): { payload: Uint8Array; trimmed: boolean } | undefined {
  let payload = serialize(event);
  if (payload.length <= maxBytes) return { payload, trimmed: false };
  // Strings over 16 KiB first: one huge value should not cost the whole breadcrumb trail.
  let current = cutStrings(event, 16 * 1024) as Json;
  payload = serialize(current);
  if (payload.length <= maxBytes) return { payload, trimmed: true };

  const crumbs = (current.breadcrumbs as { values?: unknown[] } | undefined)?.values;
  if (Array.isArray(crumbs)) {
    let kept = crumbs;
    while (kept.length > 0 && payload.length > maxBytes) {
      kept = kept.slice(Math.ceil(kept.length / 2));
      current = { ...current, breadcrumbs: { values: kept } };
      payload = serialize(current);
    }
    if (payload.length <= maxBytes) return { payload, trimmed: true };
  }

  for (const limit of [1024, 256]) {
    current = cutStrings(current, limit) as Json;
    payload = serialize(current);
    if (payload.length <= maxBytes) return { payload, trimmed: true };
  }

  for (const key of DROPPABLE) {
    if (!(key in current)) continue;
    current = { ...current };
    Reflect.deleteProperty(current, key);
    payload = serialize(current);
    if (payload.length <= maxBytes) return { payload, trimmed: true };
  }

  const exception = current.exception as { values?: { stacktrace?: { frames?: unknown[] } }[] } | undefined;
  if (Array.isArray(exception?.values)) {
    const values = exception.values.slice(-5).map((value) => {
      const frames = value.stacktrace?.frames;
      if (!Array.isArray(frames) || frames.length <= 20) return value;
      return { ...value, stacktrace: { ...value.stacktrace, frames: [...frames.slice(0, 10), ...frames.slice(-10)] } };
    });
    current = { ...current, exception: { values } };
    payload = serialize(current);
    if (payload.length <= maxBytes) return { payload, trimmed: true };
  }
  return undefined;
}
