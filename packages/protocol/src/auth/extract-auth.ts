import { parseDsn } from "../dsn/dsn.js";
import type { Result } from "../result.js";
import { err, ok } from "../result.js";
import {
  AuthError,
  authFieldsFromPairs,
  isValidPublicKey,
  parseAuthHeader,
  parseAuthPairs,
  parseProtocolVersion,
  type AuthFields,
} from "./auth-header.js";

/** Where a request's authentication was found. */
export type AuthSource = "x-sentry-auth" | "authorization-sentry" | "authorization-basic" | "query" | "envelope-dsn";

/** A request's authentication. */
export interface RequestAuth extends AuthFields {
  readonly source: AuthSource;
}

/** Request headers: node's `IncomingHttpHeaders` (lower-case names) or a fetch `Headers`. */
export type HeaderSource =
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | { get(name: string): string | null };

/** What {@link extractAuth} looks at. */
export interface AuthRequest {
  readonly headers: HeaderSource;
  /** The query string, without `?`, or already parsed parameters. */
  readonly query?: string | URLSearchParams | Readonly<Record<string, string | readonly string[] | undefined>> | undefined;
  /** The `dsn` of the envelope header, for envelopes sent through a tunnel. */
  readonly envelopeDsn?: string | undefined;
  /**
   * Whether the public key must look like a real Sentry key (32 characters). Relays in front of a
   * real Sentry keep this on; a local capture server may accept any key.
   */
  readonly strictKey?: boolean | undefined;
}

function headerOf(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  let value = record[name];
  if (value === undefined) {
    const match = Object.keys(record).find((key) => key.toLowerCase() === name);
    value = match === undefined ? undefined : record[match];
  }
  return typeof value === "string" ? value : value?.[0];
}

function queryPairs(query: AuthRequest["query"]): Map<string, string> {
  const pairs = new Map<string, string>();
  if (query === undefined) return pairs;
  if (typeof query === "string" || query instanceof URLSearchParams) {
    const params = typeof query === "string" ? new URLSearchParams(query) : query;
    for (const [key, value] of params) if (!pairs.has(key)) pairs.set(key, value);
    return pairs;
  }
  for (const [key, value] of Object.entries(query)) {
    const first = typeof value === "string" ? value : value?.[0];
    if (first !== undefined) pairs.set(key, first);
  }
  return pairs;
}

function relaxKey(result: Result<AuthFields, AuthError>, pairs: ReadonlyMap<string, string>, strict: boolean): Result<AuthFields, AuthError> {
  if (result.ok || strict || result.error.code !== "bad_public_key") return result;
  // A lenient server takes any non-empty key: re-read the fields with the key check skipped.
  const version = parseProtocolVersion(pairs.get("sentry_version"));
  if (!version.ok) return version;
  const placeholder = new Map(pairs);
  placeholder.set("sentry_key", "0".repeat(32));
  const fields = authFieldsFromPairs(placeholder);
  return fields.ok ? ok({ ...fields.value, key: pairs.get("sentry_key") ?? "" }) : fields;
}

/**
 * Finds and checks a request's Sentry authentication. Sources, in order: `X-Sentry-Auth`,
 * `Authorization: Sentry`, `Authorization: Basic base64(key:)`, `sentry_*` query parameters, and
 * the envelope's `dsn`. More than one source is refused (401), as is none (401); a malformed key
 * or version is a 400.
 */
export function extractAuth(request: AuthRequest): Result<RequestAuth, AuthError> {
  const strict = request.strictKey ?? true;
  const found: { source: AuthSource; read: () => Result<AuthFields, AuthError> }[] = [];

  const sentryHeader = headerOf(request.headers, "x-sentry-auth");
  if (sentryHeader?.toLowerCase().startsWith("sentry ")) {
    const pairs = parseAuthPairs(sentryHeader.slice(sentryHeader.indexOf(" ") + 1));
    found.push({ source: "x-sentry-auth", read: () => relaxKey(parseAuthHeader(sentryHeader)!, pairs, strict) });
  }

  const authorization = headerOf(request.headers, "authorization");
  if (authorization !== undefined) {
    const space = authorization.indexOf(" ");
    const scheme = space === -1 ? "" : authorization.slice(0, space).toLowerCase();
    if (scheme === "sentry") {
      const pairs = parseAuthPairs(authorization.slice(space + 1));
      found.push({ source: "authorization-sentry", read: () => relaxKey(parseAuthHeader(authorization)!, pairs, strict) });
    } else if (scheme === "basic") {
      found.push({
        source: "authorization-basic",
        read: () => {
          const decoded = Buffer.from(authorization.slice(space + 1).trim(), "base64").toString("utf8");
          const colon = decoded.indexOf(":");
          const key = colon === -1 ? decoded : decoded.slice(0, colon);
          const secret = colon === -1 ? "" : decoded.slice(colon + 1);
          const pairs = new Map([["sentry_key", key]]);
          if (secret) pairs.set("sentry_secret", secret);
          return relaxKey(authFieldsFromPairs(pairs), pairs, strict);
        },
      });
    }
  }

  const query = queryPairs(request.query);
  if ([...query.keys()].some((key) => key.startsWith("sentry_"))) {
    found.push({ source: "query", read: () => relaxKey(authFieldsFromPairs(query), query, strict) });
  }

  let dsnAuth: Result<AuthFields, AuthError> | undefined;
  if (request.envelopeDsn !== undefined && request.envelopeDsn !== "") {
    const dsn = parseDsn(request.envelopeDsn);
    if (!dsn.ok) dsnAuth = err(new AuthError("bad_dsn", `the envelope's dsn is invalid: ${dsn.error.message}`));
    else if (strict && !isValidPublicKey(dsn.value.publicKey)) dsnAuth = err(new AuthError("bad_public_key", "bad sentry DSN public key"));
    else dsnAuth = ok({ key: dsn.value.publicKey, version: 7, projectId: dsn.value.projectId });
  }

  if (found.length > 1) {
    return err(
      new AuthError("multiple", "multiple authorization payloads detected", {
        cause: found.map((f) => f.source).join(", "),
      }),
    );
  }
  if (found.length === 0) {
    // Tunnels forward envelopes without any auth: the envelope's own dsn is then the only source.
    if (!dsnAuth) return err(new AuthError("missing", "missing authorization information"));
    return dsnAuth.ok ? ok({ ...dsnAuth.value, source: "envelope-dsn" }) : dsnAuth;
  }
  const [only] = found;
  const fields = only!.read();
  if (!fields.ok) return fields;
  if (dsnAuth?.ok && dsnAuth.value.key.split(".")[0] !== fields.value.key.split(".")[0]) {
    return err(new AuthError("bad_dsn", "the envelope's dsn names another key than the request's authentication"));
  }
  return ok({ ...fields.value, projectId: fields.value.projectId ?? (dsnAuth?.ok ? dsnAuth.value.projectId : undefined), source: only!.source });
}
