/** A value that normalization changed or dropped, for `_meta`: a path below `request`. */
export interface RequestRemark {
  readonly field: string;
  /** Where below `field`, for a part of it (`[1, 0]`: the name of the second header). */
  readonly path?: readonly (string | number)[];
  /** The error, as Relay writes it: a kind, or a kind with details. */
  readonly error: string | [string, Record<string, unknown>];
  readonly original?: unknown;
}

type Json = Record<string, unknown>;
type Pair = [string, unknown];
/** A pair as read: either part may be missing, or the whole entry when it is not a pair. */
type ReadPair = [string | null, unknown] | null;
type PartReading = { ok: true; value: unknown } | { ok: false; error: string | [string, Record<string, unknown>] };

const ELLIPSIS = "\u2026";
const METHOD = /^[A-Z\-_]{3,32}$/;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A JSON value as a string, the way Sentry keeps query string values that are not strings. */
function lenientString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function expectedString(): { ok: false; error: [string, Record<string, unknown>] } {
  return { ok: false, error: ["invalid_data", { reason: "expected a string" }] };
}

/**
 * A map or a list of `[key, value]` pairs as Relay reads a pair list: object keys sorted, a
 * list in its order; an entry that is not a pair becomes `null`, a part of the wrong type
 * becomes `null`, each noted in `remarks`. `undefined` when the value is neither.
 */
function readPairs(value: unknown, target: { field: string; readValue: (value: unknown) => PartReading; remarks: RequestRemark[] }): ReadPair[] | undefined {
  const { field, readValue, remarks } = target;
  const readPair = (key: unknown, raw: unknown, index: number): ReadPair => {
    let name: string | null = null;
    if (typeof key === "string") name = key;
    else if (key !== null && key !== undefined) remarks.push({ field, path: [index, 0], error: expectedString().error, original: key });
    if (raw === null || raw === undefined) return [name, null];
    const reading = readValue(raw);
    if (reading.ok) return [name, reading.value];
    remarks.push({ field, path: [index, 1], error: reading.error, original: raw });
    return [name, null];
  };
  if (Array.isArray(value)) {
    return value.map((entry: unknown, index): ReadPair => {
      if (Array.isArray(entry) && entry.length === 2) return readPair(entry[0], entry[1], index);
      if (entry !== null && entry !== undefined) remarks.push({ field, path: [index], error: ["invalid_data", { reason: "expected a tuple" }], original: entry });
      return null;
    });
  }
  if (isObject(value)) return Object.keys(value).sort().map((key, index) => readPair(key, value[key], index));
  return undefined;
}

/** Orders names as Relay does: missing ones first, then by code point. */
function compareNames(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

const readStrictString = (value: unknown): PartReading => (typeof value === "string" ? { ok: true, value } : expectedString());
const readJsonLenient = (value: unknown): PartReading => ({ ok: true, value: lenientString(value) });

/** A header value part read like Python's `str()`; `undefined` for what cannot be text. */
function headerPart(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number" && Number.isFinite(value) && Math.abs(value) < 2 ** 53) return String(Math.trunc(value));
  return undefined;
}

/** A header value: text, or a list of parts joined with commas. */
function readHeaderValue(value: unknown): PartReading {
  if (Array.isArray(value)) {
    const parts = value.map(headerPart).filter((part): part is string => part !== undefined);
    return { ok: true, value: parts.join(",") };
  }
  const text = headerPart(value);
  return text === undefined ? { ok: false, error: ["invalid_data", { reason: "expected a primitive value" }] } : { ok: true, value: text };
}

/**
 * The headers of a raw `request.headers` (a map or a list of pairs) as normalization reads them:
 * names and values as text, in order (a map sorted by name); a value that cannot be read is
 * `undefined`, an entry without a name is left out.
 */
export function readRequestHeaders(value: unknown): [string, string | undefined][] {
  const pairs = readPairs(value, { field: "headers", readValue: readHeaderValue, remarks: [] }) ?? [];
  return pairs.flatMap((pair): [string, string | undefined][] => (pair && pair[0] !== null ? [[pair[0], typeof pair[1] === "string" ? pair[1] : undefined]] : []));
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
    const pairs = typeof request.query_string === "string" ? parseQueryString(request.query_string) : readPairs(request.query_string, { field: "query_string", readValue: readJsonLenient, remarks });
    if (pairs) request.query_string = pairs;
    else {
      remarks.push({ field: "query_string", error: ["invalid_data", { reason: "expected a query string or map" }], original: request.query_string });
      delete request.query_string;
    }
  }

  let headerTypes: string | undefined;
  if (request.headers !== undefined && request.headers !== null) {
    const sorted = isObject(request.headers);
    const pairs = readPairs(request.headers, { field: "headers", readValue: readHeaderValue, remarks })?.map((pair): ReadPair => (pair && pair[0] !== null ? [normalizeHeaderName(pair[0]), pair[1]] : pair));
    if (pairs) {
      // A map of headers comes out sorted by capitalized name; a list keeps the SDK's order.
      if (sorted) pairs.sort((a, b) => compareNames(a?.[0] ?? null, b?.[0] ?? null));
      request.headers = pairs;
    } else {
      remarks.push({ field: "headers", error: ["invalid_data", { reason: "expected headers" }], original: request.headers });
      delete request.headers;
    }
  }
  const headers = Array.isArray(request.headers) ? (request.headers as ReadPair[]).filter((pair): pair is Pair => pair !== null && pair[0] !== null) : undefined;
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
    const pairs = typeof request.cookies === "string" ? parseCookies(request.cookies) : readPairs(request.cookies, { field: "cookies", readValue: readStrictString, remarks });
    if (pairs) request.cookies = pairs;
    else {
      remarks.push({ field: "cookies", error: ["invalid_data", { reason: "expected cookies" }], original: request.cookies });
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
    if (request.cookies !== undefined && request.cookies !== null) {
      // Like Relay, only the first `Cookie` header goes.
      const all = request.headers as ReadPair[];
      request.headers = all.filter((pair, index) => index !== all.findIndex((candidate) => candidate?.[0] === "Cookie"));
    }
  }
  return { request, remarks };
}
