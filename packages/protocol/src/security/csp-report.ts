import type { Result } from "../result.js";
import { err, ok } from "../result.js";

/** The CSP directives a report may name, as browsers spell them; any other name is not a directive. */
export const CSP_DIRECTIVES: ReadonlySet<string> = new Set([
  "base-uri",
  "child-src",
  "connect-src",
  "default-src",
  "fenced-frame-src",
  "font-src",
  "form-action",
  "frame-ancestors",
  "frame-src",
  "img-src",
  "manifest-src",
  "media-src",
  "object-src",
  "plugin-types",
  "prefetch-src",
  "referrer",
  "script-src",
  "script-src-attr",
  "script-src-elem",
  "style-src",
  "style-src-elem",
  "style-src-attr",
  "upgrade-insecure-requests",
  "worker-src",
  "sandbox",
  "navigate-to",
  "report-uri",
  "report-to",
  "block-all-mixed-content",
  "require-sri-for",
  "require-trusted-types-for",
  "trusted-types",
]);

/** The `csp` interface of a CSP event: the report's fields under Sentry's names, unknown ones kept. */
export interface CspInterface {
  /** The directive whose enforcement caused the violation (always a known directive). */
  effective_directive: string;
  /** The blocked resource; `self` when the report names none. */
  blocked_uri: string;
  document_uri?: string;
  original_policy?: string;
  referrer?: string;
  status_code?: number;
  /** The violated policy section; empty when the report names none. */
  violated_directive: string;
  source_file?: string;
  line_number?: number;
  column_number?: number;
  script_sample?: string;
  disposition?: string;
  /** Fields of the report this schema does not name, kept as sent. */
  [other: string]: unknown;
}

/** What a CSP report adds to an event. */
export interface CspEventParts {
  readonly logentry: { formatted: string };
  readonly culprit: string;
  readonly tags: [string, string][];
  readonly request: { url?: string; headers?: [string, string][] };
  readonly csp: CspInterface;
}

type FieldKind = "string" | "required_string" | "number";

/**
 * The report fields: their name in the event, the names browsers send them under (CSP level 2's
 * `kebab-case`, the Reporting API's `camelCase`, and Sentry's own), and what their value must be.
 */
const FIELDS: readonly (readonly [string, readonly string[], FieldKind])[] = [
  ["effective_directive", ["effective_directive", "effective-directive", "effectiveDirective"], "string"],
  ["blocked_uri", ["blocked_uri", "blockedURL", "blocked-uri"], "required_string"],
  ["document_uri", ["document_uri", "documentURL", "document-uri"], "string"],
  ["original_policy", ["original_policy", "originalPolicy", "original-policy"], "string"],
  ["referrer", ["referrer"], "string"],
  ["status_code", ["status_code", "statusCode", "status-code"], "number"],
  ["violated_directive", ["violated_directive", "violatedDirective", "violated-directive"], "required_string"],
  ["source_file", ["source_file", "sourceFile", "source-file"], "string"],
  ["line_number", ["line_number", "lineNumber", "line-number"], "number"],
  ["column_number", ["column_number", "columnNumber", "column-number"], "number"],
  ["script_sample", ["script_sample", "scriptSample", "script-sample", "sample"], "string"],
  ["disposition", ["disposition"], "string"],
];
const FIELD_OF_NAME = new Map(FIELDS.flatMap(([field, names, kind]) => names.map((name) => [name, [field, kind] as const])));
/** The largest unsigned 64-bit integer, the range Relay reads these numbers in. */
const MAX_U64 = 18_446_744_073_709_551_615n;

/** Schemes whose URLs have a host, as Python's `urlunsplit` knows them (an empty scheme has none). */
const SCHEMES_WITH_HOST = new Set([
  "ftp", "http", "gopher", "nntp", "telnet", "imap", "wais", "file", "mms", "https", "shttp", "snews",
  "prospero", "rtsp", "rtspu", "rsync", "svn", "svn+ssh", "sftp", "nfs", "git", "git+ssh", "ws", "wss",
]);

/** Messages for a resource blocked from the page itself (an empty, `self` or `'self'` blocked URI). */
const INLINE_MESSAGES: Readonly<Record<string, string>> = {
  "child-src": "Blocked inline 'child'",
  "connect-src": "Blocked inline 'connect'",
  "font-src": "Blocked inline 'font'",
  "img-src": "Blocked inline 'image'",
  "manifest-src": "Blocked inline 'manifest'",
  "media-src": "Blocked inline 'media'",
  "object-src": "Blocked inline 'object'",
  "script-src-attr": "Blocked unsafe 'script' element",
  "script-src-elem": "Blocked inline script attribute",
  "style-src": "Blocked inline 'style'",
  "style-src-elem": "Blocked 'style' or 'link' element",
  "style-src-attr": "Blocked style attribute",
  "script-src": "Blocked unsafe (eval() or inline) 'script'",
};

/** Messages for a resource blocked from elsewhere; `{}` stands for the normalized URI. */
const FROM_MESSAGES: Readonly<Record<string, string>> = {
  "child-src": "Blocked 'child' from '{}'",
  "connect-src": "Blocked 'connect' from '{}'",
  "font-src": "Blocked 'font' from '{}'",
  "form-action": "Blocked 'form' action to '{}'",
  "img-src": "Blocked 'image' from '{}'",
  "manifest-src": "Blocked 'manifest' from '{}'",
  "media-src": "Blocked 'media' from '{}'",
  "object-src": "Blocked 'object' from '{}'",
  "script-src": "Blocked 'script' from '{}'",
  "script-src-attr": "Blocked inline script attribute from '{}'",
  "script-src-elem": "Blocked 'script' from '{}'",
  "style-src": "Blocked 'style' from '{}'",
  "style-src-elem": "Blocked 'style' from '{}'",
  "style-src-attr": "Blocked style attribute from '{}'",
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isLocal(uri: string): boolean {
  return uri === "" || uri === "self" || uri === "'self'";
}

/** A scheme and host put back together the way Python's `urlunsplit` does. */
export function unsplitUri(scheme: string, host: string): string {
  if (host !== "" || SCHEMES_WITH_HOST.has(scheme)) return `${scheme}://${host}`;
  return scheme === "" ? "" : `${scheme}:${host}`;
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/**
 * A blocked URI as reports show it: `'self'` for the page itself, the host (and a port other than
 * the default) for web URLs, the scheme for the rest; a bare word is taken for a scheme (`data`).
 */
export function normalizeCspUri(value: string): string {
  if (isLocal(value)) return "'self'";
  if (!value.includes(":")) return unsplitUri(value, "");
  const url = parseUrl(value);
  if (!url) return value;
  const scheme = url.protocol.slice(0, -1);
  const base = scheme === "http" || scheme === "https" ? url.hostname : unsplitUri(scheme, url.hostname);
  return url.port === "" ? base : `${base}:${url.port}`;
}

/** A number field: a non-negative integer, or a string of digits; `undefined` when absent. */
function readNumber(value: unknown): { value: number | undefined } | undefined {
  if (value === null || value === undefined) return { value: undefined };
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 && value <= Number.MAX_SAFE_INTEGER ? { value } : undefined;
  if (typeof value !== "string" || !/^\+?\d+$/.test(value)) return undefined;
  const big = BigInt(value.replace(/^\+/, ""));
  return big <= MAX_U64 ? { value: Number(big) } : undefined;
}

/** Sets `key` as an own property, also when it is `__proto__`. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The fields of a CSP report body as read: the known ones by their event name, and the others. */
interface RawCsp {
  readonly known: ReadonlyMap<string, string | number>;
  readonly other: readonly (readonly [string, unknown])[];
}

/** Reads the fields of a CSP report body, or says which one is unusable. */
function readRaw(body: unknown): Result<RawCsp, string> {
  if (!isObject(body)) return err("the report is not an object");
  const known = new Map<string, string | number>();
  const seen = new Map<string, string>();
  const other: [string, unknown][] = [];
  for (const [name, value] of Object.entries(body)) {
    const field = FIELD_OF_NAME.get(name);
    if (!field) {
      other.push([name, value]);
      continue;
    }
    const [key, kind] = field;
    const earlier = seen.get(key);
    if (earlier !== undefined) return err(`"${earlier}" and "${name}" are the same field`);
    seen.set(key, name);
    if (kind === "number") {
      const number = readNumber(value);
      if (!number) return err(`"${name}" must be a non-negative integer`);
      if (number.value !== undefined) known.set(key, number.value);
    } else if (typeof value === "string") known.set(key, value);
    else if (!(kind === "string" && value === null)) return err(`"${name}" must be a string`);
  }
  other.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return ok({ known, other });
}

/** The `csp` interface: the known fields in Sentry's order, then the others sorted by name. */
function cspInterfaceOf(raw: RawCsp, directive: string): CspInterface {
  const csp: Record<string, unknown> = {};
  for (const [key] of FIELDS) {
    if (key === "effective_directive") csp[key] = directive;
    else if (raw.known.has(key)) csp[key] = raw.known.get(key);
    else if (key === "blocked_uri") csp[key] = "self";
    else if (key === "violated_directive") csp[key] = "";
  }
  for (const [key, value] of raw.other) setOwn(csp, key, value);
  return csp as CspInterface;
}

/** The directive named first in `text` (the words up to its first space), if it is one. */
function directiveOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const space = text.indexOf(" ");
  const name = space === -1 ? text : text.slice(0, space);
  return CSP_DIRECTIVES.has(name) ? name : undefined;
}

function messageOf(directive: string, blockedUri: string): string {
  // CSP level 3 reports name a blocked inline script or eval() with these exact markers.
  if (directive === "script-src" && blockedUri === "inline") return "Blocked unsafe inline 'script'";
  if (directive === "script-src" && blockedUri === "eval") return "Blocked unsafe eval() 'script'";
  if (isLocal(blockedUri)) return INLINE_MESSAGES[directive] ?? `Blocked inline '${directive}'`;
  const uri = normalizeCspUri(blockedUri);
  return (FROM_MESSAGES[directive] ?? `Blocked '${directive}' from '{}'`).replace("{}", () => uri);
}

const SCHEMED_SOURCE = /^(data|mediastream|blob|filesystem|http|https|file):/;

/** One source of a violated directive as Sentry groups it: `'self'` when it is the document's own origin. */
function normalizeSource(value: string, documentHost: string, documentUri: string): string {
  if (value === "'none'" || value === "'self'" || value === "'unsafe-inline'" || value === "'unsafe-eval'") return value;
  if (SCHEMED_SOURCE.test(value)) return normalizeCspUri(value) === documentHost ? "'self'" : value;
  if (value === documentHost) return "'self'";
  const colon = documentUri.indexOf(":");
  const scheme = colon === -1 ? undefined : documentUri.slice(0, colon);
  return scheme === undefined || scheme === "http" || scheme === "https" ? value : unsplitUri(scheme, value);
}

function culpritOf(violated: string, documentUri: string | undefined): string {
  const [first, ...rest] = violated.split(/[\t\n\f\r ]+/).filter((bit) => bit !== "");
  if (first === undefined) return "";
  const documentHost = normalizeCspUri(documentUri ?? "");
  return [first, ...rest.map((bit) => normalizeSource(bit, documentHost, documentUri ?? ""))].join(" ");
}

function tagsOf(directive: string, blockedUri: string): [string, string][] {
  // Card data in Stripe's API URLs must not end up in a tag.
  let sanitized = blockedUri;
  if (sanitized.startsWith("https://api.stripe.com/")) {
    const cut = sanitized.search(/[#?]/);
    if (cut !== -1) sanitized = sanitized.slice(0, cut);
  }
  const tags: [string, string][] = [["effective-directive", directive], ["blocked-uri", sanitized]];
  const url = blockedUri.includes(":") ? parseUrl(blockedUri) : undefined;
  if (url && (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "") tags.push(["blocked-host", url.hostname]);
  return tags;
}

/**
 * Turns the body of a CSP report (the object under `csp-report`, or the `body` of a Reporting API
 * `csp-violation` report) into the parts of its event: message, culprit, tags, request and the
 * `csp` interface. Fails when a field has the wrong type or no known directive is named.
 */
export function cspEventParts(body: unknown): Result<CspEventParts, string> {
  const read = readRaw(body);
  if (!read.ok) return read;
  const text = (key: string): string | undefined => {
    const value = read.value.known.get(key);
    return typeof value === "string" ? value : undefined;
  };
  // Firefox sends no effective-directive: the violated one names it then.
  const violated = text("violated_directive") ?? "";
  const directive = directiveOf(text("effective_directive")) ?? directiveOf(violated);
  if (directive === undefined) return err("the report names no known CSP directive");
  const blockedUri = text("blocked_uri") ?? "self";
  const documentUri = text("document_uri");
  const referrer = text("referrer");
  const request: { url?: string; headers?: [string, string][] } = {};
  if (documentUri !== undefined) request.url = documentUri;
  if (referrer !== undefined && referrer !== "") request.headers = [["Referer", referrer]];
  return ok({
    logentry: { formatted: messageOf(directive, blockedUri) },
    culprit: culpritOf(violated, documentUri),
    tags: tagsOf(directive, blockedUri),
    request,
    csp: cspInterfaceOf(read.value, directive),
  });
}
