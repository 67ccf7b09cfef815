/** A value that normalization changed or dropped, for `_meta`: a path below `request`. */
export interface RequestRemark {
  readonly field: string;
  readonly error: string;
  readonly original?: unknown;
}

type Json = Record<string, unknown>;
type Pair = [string, unknown];

const ELLIPSIS = "\u2026";
const METHOD = /^[A-Z\-_]{3,32}$/;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A JSON value as a string, the way Sentry keeps query string values that are not strings. */
function lenientString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * A map or a list of `[key, value]` pairs as a pair list. Object keys come sorted, as Sentry's
 * ordered maps keep them; a list keeps its order. Entries that are not pairs are dropped.
 */
function toPairs(value: unknown, mapValue: (value: unknown) => unknown): Pair[] | undefined {
  if (Array.isArray(value)) {
    const pairs: Pair[] = [];
    for (const entry of value) {
      if (Array.isArray(entry) && entry.length === 2 && typeof entry[0] === "string" && entry[1] !== null && entry[1] !== undefined) {
        pairs.push([entry[0], mapValue(entry[1])]);
      }
    }
    return pairs;
  }
  if (isObject(value)) {
    return Object.keys(value)
      .sort()
      .filter((key) => value[key] !== null && value[key] !== undefined)
      .map((key) => [key, mapValue(value[key])]);
  }
  return undefined;
}

/** Parses `a=1&b=2` (a leading `?` allowed) into pairs, decoding `+` and percent escapes. */
export function parseQueryString(text: string): Pair[] {
  return [...new URLSearchParams(text.startsWith("?") ? text.slice(1) : text)];
}

function decodeCookiePart(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Parses a `Cookie` header (`a=b; c=d`) into pairs; `undefined` when a cookie has no name. */
export function parseCookies(text: string): Pair[] | undefined {
  const pairs: Pair[] = [];
  for (const part of text.split(";")) {
    if (part.trim() === "") continue;
    const equals = part.indexOf("=");
    if (equals < 0) return undefined;
    const name = decodeCookiePart(part.slice(0, equals).trim());
    if (name === "") return undefined;
    let value = part.slice(equals + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    pairs.push([name, decodeCookiePart(value)]);
  }
  return pairs;
}

/** `content-type` → `Content-Type`: the first letter and each letter after a dash upper-cased, the rest kept. */
export function normalizeHeaderName(name: string): string {
  let upper = true;
  let normalized = "";
  for (const char of name) {
    normalized += upper ? char.toUpperCase() : char;
    upper = char === "-";
  }
  return normalized;
}

function headerValue(value: unknown): string {
  if (Array.isArray(value)) return value.filter((part) => part !== null && part !== undefined).map(lenientString).join(",");
  return lenientString(value);
}

/** A url-encoded body as an object, when the text is one (guarding against plain words and base64). */
function urlEncodedBody(text: string): Json | undefined {
  // eslint-disable-next-line no-control-regex -- url-encoded bodies are ASCII
  if (!/^[\x00-\x7f]*$/.test(text) || text.startsWith("<?xml") || text.startsWith("{") || text.startsWith("[")) return undefined;
  const object: Json = {};
  for (const [key, value] of new URLSearchParams(text)) Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  const values = Object.values(object);
  const valid = values.length > 1 || (values.length === 1 && values[0] !== "" && values[0] !== "=");
  return valid ? object : undefined;
}

/** Moves the query string and the fragment out of `request.url` into their own fields. */
function splitUrl(request: Json): void {
  if (typeof request.url !== "string") return;
  let text = request.url;
  // Old JavaScript SDKs ended truncated URLs with an ellipsis; URLs are ASCII, so three dots.
  if (text.endsWith(ELLIPSIS)) text = `${text.slice(0, -ELLIPSIS.length)}...`;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url) {
    if (request.query_string === undefined || request.query_string === null) {
      const query = [...url.searchParams];
      if (query.length > 0) request.query_string = query;
    }
    // A `#` with nothing after it still gives an (empty) fragment, as in Relay's URL parser.
    if ((request.fragment === undefined || request.fragment === null) && (url.hash !== "" || text.includes("#"))) request.fragment = url.hash.slice(1);
    url.search = "";
    url.hash = "";
    text = url.href;
  } else {
    const hash = text.indexOf("#");
    if (hash >= 0) {
      const fragment = text.slice(hash + 1);
      if (fragment !== "" && (request.fragment === undefined || request.fragment === null)) request.fragment = fragment;
      text = text.slice(0, hash);
    }
    const question = text.indexOf("?");
    if (question >= 0) {
      const query = text.slice(question + 1);
      if (query !== "" && (request.query_string === undefined || request.query_string === null)) {
        const pairs = parseQueryString(query);
        if (pairs.length > 0) request.query_string = pairs;
      }
      text = text.slice(0, question);
    }
  }
  request.url = text;
}

/**
 * Brings `event.request` into the shape Sentry stores, as Relay's request normalization does: the
 * method upper-case (an invalid one dropped), the query string and fragment moved out of the URL,
 * query string, cookies and headers as `[key, value]` pairs (header names capitalized, maps sorted
 * by key), the `Cookie` header parsed into `cookies`, and a JSON or url-encoded body string
 * parsed into `data`, with `inferred_content_type`. Data scrubbing then sees each query
 * parameter and cookie under its own name. Returns the new request and what was dropped.
 */
export function normalizeRequest(input: Json): { request: Json; remarks: RequestRemark[] } {
  const request: Json = { ...input };
  const remarks: RequestRemark[] = [];

  if (request.method !== undefined && request.method !== null) {
    const method = typeof request.method === "string" ? request.method.toUpperCase() : undefined;
    if (method !== undefined && METHOD.test(method)) request.method = method;
    else {
      remarks.push({ field: "method", error: "invalid_data", original: request.method });
      delete request.method;
    }
  }

  splitUrl(request);

  if (request.query_string !== undefined && request.query_string !== null) {
    const pairs = typeof request.query_string === "string" ? parseQueryString(request.query_string) : toPairs(request.query_string, lenientString);
    if (pairs) request.query_string = pairs;
    else {
      remarks.push({ field: "query_string", error: "invalid_data", original: request.query_string });
      delete request.query_string;
    }
  }

  let headerTypes: string | undefined;
  if (request.headers !== undefined && request.headers !== null) {
    const sorted = isObject(request.headers);
    const pairs = toPairs(request.headers, headerValue)?.map(([name, value]): Pair => [normalizeHeaderName(name), value]);
    if (pairs) {
      if (sorted) pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      request.headers = pairs;
    } else {
      remarks.push({ field: "headers", error: "invalid_data", original: request.headers });
      delete request.headers;
    }
  }
  const headers = Array.isArray(request.headers) ? (request.headers as Pair[]) : undefined;
  const contentType = headers?.find(([name]) => name === "Content-Type")?.[1];
  if (typeof contentType === "string") headerTypes = contentType.split(";")[0];

  if (typeof request.data === "string") {
    let parsed: unknown;
    let type: string | undefined;
    try {
      parsed = JSON.parse(request.data);
      type = "application/json";
    } catch {
      parsed = urlEncodedBody(request.data);
      if (parsed !== undefined) type = "application/x-www-form-urlencoded";
    }
    if (type !== undefined) {
      request.data = parsed;
      request.inferred_content_type = type;
    } else if (headerTypes !== undefined) request.inferred_content_type = headerTypes;
    else delete request.inferred_content_type;
  } else if (headerTypes !== undefined) request.inferred_content_type = headerTypes;
  // A body that is already structured keeps the type found when it was parsed (a second pass).
  else if (request.data === undefined || request.data === null) delete request.inferred_content_type;

  if (request.cookies !== undefined && request.cookies !== null) {
    const pairs = typeof request.cookies === "string" ? parseCookies(request.cookies) : toPairs(request.cookies, lenientString);
    if (pairs) request.cookies = pairs;
    else {
      remarks.push({ field: "cookies", error: "invalid_data", original: request.cookies });
      delete request.cookies;
    }
  }
  const cookieHeader = headers?.find(([name]) => name === "Cookie");
  if (headers && cookieHeader) {
    // Explicit cookies win over the header; either way the header goes once cookies are known.
    if (request.cookies === undefined || request.cookies === null) {
      const parsed = typeof cookieHeader[1] === "string" ? parseCookies(cookieHeader[1]) : undefined;
      if (parsed) request.cookies = parsed;
    }
    if (request.cookies !== undefined && request.cookies !== null) request.headers = headers.filter(([name]) => name !== "Cookie");
  }
  return { request, remarks };
}
