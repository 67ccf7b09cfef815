type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    return text;
  }
}

/** `a=1&b=2` as pairs, decoded; empty parts are dropped. */
function parseQuery(query: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const part of query.replace(/^\?/, "").split("&")) {
    if (part === "") continue;
    const at = part.indexOf("=");
    pairs.push(at === -1 ? [decode(part), ""] : [decode(part.slice(0, at)), decode(part.slice(at + 1))]);
  }
  return pairs;
}

/** A `Cookie` header as pairs. */
function parseCookies(header: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const part of header.split(";")) {
    const trimmed = part.trim();
    if (trimmed === "") continue;
    const at = trimmed.indexOf("=");
    pairs.push(at === -1 ? [trimmed, ""] : [trimmed.slice(0, at).trim(), trimmed.slice(at + 1).trim()]);
  }
  return pairs;
}

/** Finds and removes the `Cookie` header, whether headers are a map or a list of pairs. */
function takeCookieHeader(request: Json): string | undefined {
  const headers = request.headers;
  let found: string | undefined;
  if (Array.isArray(headers)) {
    const kept = headers.filter((entry) => {
      if (Array.isArray(entry) && typeof entry[0] === "string" && entry[0].toLowerCase() === "cookie") {
        if (typeof entry[1] === "string") found ??= entry[1];
        return false;
      }
      return true;
    });
    if (kept.length !== headers.length) request.headers = kept;
  } else if (isObject(headers)) {
    const cookieKeys = Object.keys(headers).filter((key) => key.toLowerCase() === "cookie");
    if (cookieKeys.length > 0) {
      const kept: Json = {};
      for (const [key, value] of Object.entries(headers)) {
        if (cookieKeys.includes(key)) {
          if (typeof value === "string") found ??= value;
        } else Object.defineProperty(kept, key, { value, enumerable: true, writable: true, configurable: true });
      }
      request.headers = kept;
    }
  }
  return found;
}

/**
 * Gives an event's request the shape Relay's normalization gives it before scrubbing, so that the
 * scrubbing rules see the same keys: a query string (or the query of `url`) as `[key, value]`
 * pairs, the fragment of `url` in `fragment`, cookies as pairs, and the `Cookie` header moved into
 * `cookies`. Without this, a session cookie inside a header or a password inside a query string
 * would only be caught as a whole value.
 */
export function normalizeRequestForScrubbing(event: Json): void {
  const request = event.request;
  if (!isObject(request)) return;
  if (typeof request.url === "string") {
    const url = request.url;
    const hash = url.indexOf("#");
    const withoutFragment = hash === -1 ? url : url.slice(0, hash);
    if (hash !== -1 && (request.fragment === undefined || request.fragment === null)) request.fragment = url.slice(hash + 1);
    const question = withoutFragment.indexOf("?");
    if (question !== -1 && (request.query_string === undefined || request.query_string === null || request.query_string === "")) {
      request.query_string = withoutFragment.slice(question + 1);
      request.url = withoutFragment.slice(0, question);
    } else if (hash !== -1) request.url = withoutFragment;
  }
  if (typeof request.query_string === "string") request.query_string = parseQuery(request.query_string);
  if (typeof request.cookies === "string") request.cookies = parseCookies(request.cookies);
  const header = takeCookieHeader(request);
  if (header !== undefined && (request.cookies === undefined || request.cookies === null)) request.cookies = parseCookies(header);
}
