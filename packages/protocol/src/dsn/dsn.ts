import { ProtocolError } from "../protocol-error.js";
import type { Result } from "../result.js";
import { err, ok } from "../result.js";

/** Why a DSN could not be read. */
export type DsnErrorCode =
  | "empty"
  | "not_a_url"
  | "bad_scheme"
  | "missing_public_key"
  | "missing_host"
  | "bad_port"
  | "missing_project_id"
  | "non_numeric_project_id";

/** A malformed DSN, with the problem named. */
export class DsnError extends ProtocolError<DsnErrorCode> {}

/** The parts of a DSN: `scheme://public_key[:secret]@host[:port]/[path/]project_id`. */
export interface Dsn {
  /** `http` or `https`. */
  readonly scheme: "http" | "https";
  /** The project key's public part. */
  readonly publicKey: string;
  /** The legacy secret key, when the DSN carries one. */
  readonly secretKey?: string | undefined;
  /** Host name or address; IPv6 addresses in brackets, with a `%zone` when given. */
  readonly host: string;
  /** The port, when the DSN names one. */
  readonly port?: number | undefined;
  /** Path before the project id, without leading or trailing slash (`prefix/sub`), or empty. */
  readonly path: string;
  /** The last path segment. */
  readonly projectId: string;
}

/** Ingestion endpoints a DSN leads to. */
export type DsnEndpoint = "store" | "envelope" | "minidump" | "security";

const AUTHORITY = /^([^@/?#]*)@([^/?#]*)$/;

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65_535 ? port : undefined;
}

/** `decodeURIComponent`, or undefined for a malformed percent-escape (where it would throw). */
function decodeComponent(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** Parses a DSN. An empty DSN is an error here: SDKs treat it as "disabled" before calling this. */
export function parseDsn(text: string): Result<Dsn, DsnError> {
  const input = text.trim();
  if (input === "") return err(new DsnError("empty", "empty DSN"));
  const schemeEnd = input.indexOf("://");
  if (schemeEnd === -1) return err(new DsnError("not_a_url", `not a URL: ${input}`));
  const scheme = input.slice(0, schemeEnd).toLowerCase();
  if (scheme !== "http" && scheme !== "https") {
    return err(new DsnError("bad_scheme", `unsupported scheme "${scheme}": a DSN starts with http:// or https://`));
  }
  const rest = input.slice(schemeEnd + 3).replace(/[?#].*$/, "");
  const slash = rest.indexOf("/");
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const pathPart = slash === -1 ? "" : rest.slice(slash + 1);
  const authorityMatch = AUTHORITY.exec(authority);
  if (!authorityMatch) {
    if (!authority.includes("@")) return err(new DsnError("missing_public_key", "the DSN has no public key (expected key@host)"));
    return err(new DsnError("not_a_url", `not a URL: ${input}`));
  }
  const userinfo = authorityMatch[1]!;
  const hostPort = authorityMatch[2]!;
  const colon = userinfo.indexOf(":");
  const publicKey = decodeComponent(colon === -1 ? userinfo : userinfo.slice(0, colon));
  const secret = colon === -1 ? "" : decodeComponent(userinfo.slice(colon + 1));
  if (publicKey === undefined || secret === undefined) return err(new DsnError("not_a_url", `malformed percent-escape in the key of ${input}`));
  if (publicKey === "") return err(new DsnError("missing_public_key", "the DSN has no public key"));

  let host: string;
  let portText: string | undefined;
  if (hostPort.startsWith("[")) {
    const close = hostPort.indexOf("]");
    if (close === -1) return err(new DsnError("not_a_url", `unterminated IPv6 address in ${input}`));
    host = hostPort.slice(0, close + 1);
    const after = hostPort.slice(close + 1);
    if (after !== "") {
      if (!after.startsWith(":")) return err(new DsnError("not_a_url", `unexpected text after the IPv6 address: ${after}`));
      portText = after.slice(1);
    }
    const address = host.slice(1, -1).split("%")[0] ?? "";
    if (!/^[0-9a-fA-F:.]+$/.test(address) || !address.includes(":")) {
      return err(new DsnError("not_a_url", `not an IPv6 address: ${host}`));
    }
  } else {
    const portAt = hostPort.lastIndexOf(":");
    host = portAt === -1 ? hostPort : hostPort.slice(0, portAt);
    portText = portAt === -1 ? undefined : hostPort.slice(portAt + 1);
    if (host !== "" && !/^[A-Za-z0-9._~%!$&'()*+,;=-]+$/.test(host)) {
      return err(new DsnError("not_a_url", `not a host name: ${host}`));
    }
  }
  if (host === "" || host === "[]") return err(new DsnError("missing_host", "the DSN has no host"));
  let port: number | undefined;
  if (portText !== undefined) {
    port = parsePort(portText);
    if (port === undefined) return err(new DsnError("bad_port", `invalid port "${portText}"`));
  }

  const segments = pathPart.split("/");
  while (segments.length > 0 && segments.at(-1) === "") segments.pop();
  const projectId = segments.pop();
  if (projectId === undefined || projectId === "") {
    return err(new DsnError("missing_project_id", "the DSN has no project id (its path is empty)"));
  }
  return ok({
    scheme,
    publicKey,
    secretKey: secret === "" ? undefined : secret,
    host: host.toLowerCase(),
    port,
    path: segments.filter((s) => s !== "").join("/"),
    projectId,
  });
}

/** Checks that a DSN's project id is numeric, as a relay requires. */
export function requireNumericProjectId(dsn: Dsn): Result<Dsn, DsnError> {
  if (/^\d+$/.test(dsn.projectId)) return ok(dsn);
  return err(new DsnError("non_numeric_project_id", `the project id "${dsn.projectId}" is not a number`));
}

/** `host[:port]` of a DSN, the port left out when it is the scheme's default. */
function authorityOf(dsn: Dsn): string {
  const defaultPort = dsn.scheme === "https" ? 443 : 80;
  return dsn.port === undefined || dsn.port === defaultPort ? dsn.host : `${dsn.host}:${dsn.port}`;
}

/**
 * Renders a DSN. The secret is left out unless `withSecret` is set; a DSN without a secret is
 * written `key@host`.
 */
export function dsnToString(dsn: Dsn, withSecret = false): string {
  const secret = withSecret && dsn.secretKey ? `:${encodeURIComponent(dsn.secretKey)}` : "";
  const prefix = dsn.path ? `/${dsn.path}` : "";
  const port = dsn.port === undefined ? "" : `:${dsn.port}`;
  return `${dsn.scheme}://${encodeURIComponent(dsn.publicKey)}${secret}@${dsn.host}${port}${prefix}/${dsn.projectId}`;
}

/** The base URL of the Sentry (or relay) a DSN points at, with its path prefix, no trailing slash. */
export function dsnBaseUrl(dsn: Dsn): string {
  return `${dsn.scheme}://${authorityOf(dsn)}${dsn.path ? `/${dsn.path}` : ""}`;
}

/** The URL of an ingestion endpoint: `{base}/api/{project_id}/{endpoint}/`. */
export function dsnEndpointUrl(dsn: Dsn, endpoint: DsnEndpoint): string {
  return `${dsnBaseUrl(dsn)}/api/${dsn.projectId}/${endpoint}/`;
}

/** Whether a configured DSN means "disabled": empty or only whitespace. */
export function isDisabledDsn(text: string | undefined | null): boolean {
  return text === undefined || text === null || text.trim() === "";
}
