/** The replacement for filtered values. */
export const FILTERED = "[Filtered]";

const SENSITIVE_KEY = /pass(word|wd)?|secret|token|auth|api[-_]?key|session|csrf|credential|private[-_]?key/i;

function scrubValue(value: unknown, depth: number): unknown {
  if (depth > 20 || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    return value.map((item: unknown) => {
      if (Array.isArray(item) && item.length === 2 && typeof item[0] === "string" && SENSITIVE_KEY.test(item[0])) return [item[0], FILTERED];
      return scrubValue(item, depth + 1);
    });
  }
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    Object.defineProperty(out, key, {
      value: SENSITIVE_KEY.test(key) && inner !== null && inner !== undefined && inner !== "" ? FILTERED : scrubValue(inner, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Options of {@link scrubEvent}. */
export interface ScrubOptions {
  /** Send request cookies (off by default). */
  readonly sendCookies?: boolean;
  /** Send request bodies (off by default). */
  readonly sendRequestBodies?: boolean;
}

/**
 * The default processor: drops cookies and request bodies, and replaces values whose keys look
 * like passwords, secrets, tokens or auth headers with `[Filtered]`.
 */
export function scrubEvent<E extends Record<string, unknown>>(event: E, options: ScrubOptions = {}): E {
  const out: Record<string, unknown> = { ...event };
  const request = out.request;
  // The request interface is an object: anything else set as the request (a string, an array) is
  // dropped, never spread into one key per character or item.
  if (request !== undefined && (request === null || typeof request !== "object" || Array.isArray(request))) {
    delete out.request;
  } else if (request) {
    const cleaned = { ...(request as Record<string, unknown>) };
    if (!options.sendCookies) {
      delete cleaned.cookies;
      const headers = cleaned.headers;
      const cookie = (key: unknown): boolean => typeof key === "string" && /^(set-)?cookie$/i.test(key);
      // Headers as an object, or as a list of [name, value] pairs as the protocol also allows.
      if (Array.isArray(headers)) cleaned.headers = headers.filter((pair: unknown) => !(Array.isArray(pair) && cookie(pair[0])));
      else if (headers !== null && typeof headers === "object") cleaned.headers = Object.fromEntries(Object.entries(headers).filter(([key]) => !cookie(key)));
    }
    if (!options.sendRequestBodies) delete cleaned.data;
    out.request = cleaned;
  }
  for (const key of ["request", "extra", "user", "contexts", "breadcrumbs", "tags"]) {
    if (out[key] !== undefined) out[key] = scrubValue(out[key], 0);
  }
  // Only known attributes were replaced, each by a value of its own kind.
  return out as E;
}
