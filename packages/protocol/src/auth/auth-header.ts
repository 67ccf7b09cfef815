import { ProtocolError } from "../protocol-error.js";
import type { Result } from "../result.js";
import { err, ok } from "../result.js";

/** Why a request's authentication was refused. */
export type AuthErrorCode =
  | "missing"
  | "multiple"
  | "bad_public_key"
  | "bad_version"
  | "bad_dsn"
  | "missing_signature"
  | "expired_signature"
  | "bad_signature";

const STATUS: Readonly<Record<AuthErrorCode, number>> = {
  missing: 401,
  multiple: 401,
  bad_public_key: 400,
  bad_version: 400,
  bad_dsn: 400,
  missing_signature: 401,
  expired_signature: 410,
  bad_signature: 403,
};

/** A refused authentication; `status` is the HTTP status a server answers with. */
export class AuthError extends ProtocolError<AuthErrorCode> {
  /** HTTP status for this refusal. */
  get status(): number {
    return STATUS[this.code];
  }
}

/** The fields of a Sentry auth header (`X-Sentry-Auth: Sentry k=v, ...`). */
export interface AuthFields {
  /** The project key's public part. */
  readonly key: string;
  /** The legacy secret; modern servers ignore it. */
  readonly secret?: string | undefined;
  /** Protocol version (major); 7 when absent. */
  readonly version: number;
  /** `sentry_client`: the SDK's name and version. */
  readonly client?: string | undefined;
  /** `sentry_timestamp` as seconds (or milliseconds, as raven-node sends), when it parses. */
  readonly timestamp?: number | undefined;
  /** `sentry_timestamp` exactly as sent: protocol 2.0 signatures cover this text. */
  readonly rawTimestamp?: string | undefined;
  /** Legacy protocol 2.0 HMAC signature. */
  readonly signature?: string | undefined;
  /** `project_id`, sent by some legacy clients. */
  readonly projectId?: string | undefined;
}

/** The highest protocol version this implementation speaks. */
export const MAX_PROTOCOL_VERSION = 7;

/** Parses `sentry_version`: the part before the first `.` as an integer (`2.0` is 2). */
export function parseProtocolVersion(text: string | undefined): Result<number, AuthError> {
  if (text === undefined || text.trim() === "") return ok(MAX_PROTOCOL_VERSION);
  const major = text.trim().split(".")[0] ?? "";
  if (!/^\d+$/.test(major)) return err(new AuthError("bad_version", `invalid protocol version "${text}"`));
  const version = Number(major);
  if (version > MAX_PROTOCOL_VERSION) {
    return err(new AuthError("bad_version", `unsupported protocol version ${version} (up to ${MAX_PROTOCOL_VERSION})`));
  }
  return ok(version);
}

/** Reads the key/value items of an auth header after its `Sentry ` prefix. */
export function parseAuthPairs(text: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const item of text.split(",")) {
    const eq = item.indexOf("=");
    if (eq === -1) continue;
    const key = item.slice(0, eq).trim();
    if (key === "") continue;
    pairs.set(key, item.slice(eq + 1).trim());
  }
  return pairs;
}

/**
 * A public key of a real Sentry project: 32 ASCII characters, optionally followed by `.flag`
 * suffixes such as `.no-cache`.
 */
export function isValidPublicKey(key: string): boolean {
  const [base, ...flags] = key.split(".");
  return base !== undefined && /^[\x21-\x7e]{32}$/.test(base) && flags.every((flag) => /^[\x21-\x7e]+$/.test(flag));
}

function timestampOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  // Only a whole number literal counts: raven-js sends ISO dates here, which are ignored.
  if (!/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === "" ? undefined : value;
}

/** Turns `sentry_*` pairs (from a header or a query string) into checked auth fields. */
export function authFieldsFromPairs(pairs: ReadonlyMap<string, string>): Result<AuthFields, AuthError> {
  const key = pairs.get("sentry_key") ?? "";
  if (key === "") return err(new AuthError("missing", "missing authorization information", { cause: "no sentry_key" }));
  if (!isValidPublicKey(key)) return err(new AuthError("bad_public_key", "bad sentry DSN public key"));
  const version = parseProtocolVersion(pairs.get("sentry_version"));
  if (!version.ok) return version;
  return ok({
    key,
    secret: nonEmpty(pairs.get("sentry_secret")),
    version: version.value,
    client: nonEmpty(pairs.get("sentry_client")),
    timestamp: timestampOf(pairs.get("sentry_timestamp")),
    rawTimestamp: pairs.get("sentry_timestamp"),
    signature: nonEmpty(pairs.get("sentry_signature")),
    projectId: nonEmpty(pairs.get("project_id")),
  });
}

/**
 * Parses an `X-Sentry-Auth` (or `Authorization: Sentry ...`) value. Returns `undefined` when the
 * value does not start with `sentry ` (in any case): it is then not Sentry auth at all.
 */
export function parseAuthHeader(value: string): Result<AuthFields, AuthError> | undefined {
  const space = value.indexOf(" ");
  if (space === -1 || value.slice(0, space).toLowerCase() !== "sentry") return undefined;
  return authFieldsFromPairs(parseAuthPairs(value.slice(space + 1)));
}

/** What a client puts in its auth header. */
export interface AuthHeaderInput {
  readonly key: string;
  readonly secret?: string | undefined;
  readonly version?: number | undefined;
  readonly client?: string | undefined;
  /** Seconds since the epoch. */
  readonly timestamp?: number | undefined;
}

/** Builds an `X-Sentry-Auth` value: `Sentry sentry_version=7, sentry_client=..., sentry_key=...`. */
export function buildAuthHeader(input: AuthHeaderInput): string {
  const parts = [`sentry_version=${input.version ?? MAX_PROTOCOL_VERSION}`];
  if (input.client) parts.push(`sentry_client=${input.client}`);
  if (input.timestamp !== undefined) parts.push(`sentry_timestamp=${input.timestamp}`);
  parts.push(`sentry_key=${input.key}`);
  if (input.secret) parts.push(`sentry_secret=${input.secret}`);
  return `Sentry ${parts.join(", ")}`;
}

/** The fields of a relay's {@link buildRelayAuthHeader}. */
export interface RelayAuthHeaderInput {
  /** The client's project key. */
  readonly key: string;
  readonly version?: number | undefined;
  /** The SDK that sent the data (`sentry.javascript.node/8.0.0`), or the relay for its own reports. */
  readonly client?: string | undefined;
}

/**
 * Builds the `X-Sentry-Auth` value a relay sends upstream with a client's data, in Sentry Relay's
 * order: `Sentry sentry_key=..., sentry_version=7, sentry_client=...`.
 */
export function buildRelayAuthHeader(input: RelayAuthHeaderInput): string {
  const head = `Sentry sentry_key=${input.key}, sentry_version=${input.version ?? MAX_PROTOCOL_VERSION}`;
  return input.client ? `${head}, sentry_client=${input.client}` : head;
}
