import { ProtocolError } from "../protocol-error.js";
import type { Result } from "../result.js";
import { err, ok } from "../result.js";
import { cspEventParts, type CspEventParts, type CspInterface } from "./csp-report.js";

/**
 * Why a security report gives no event, each matching a Relay outcome: `invalid_json` (not JSON, or
 * a `type` that is not a string), `security_report_type` (no known kind of report),
 * `security_report` (a CSP report with unusable fields), `unsupported_security_report` (a Reporting
 * API report of another type than `csp-violation`, which Relay counts as filtered by `invalid-csp`).
 */
export type SecurityReportErrorCode = "invalid_json" | "security_report_type" | "security_report" | "unsupported_security_report";

/** A security report that cannot become an event. */
export class SecurityReportError extends ProtocolError<SecurityReportErrorCode> {}

/** The kinds of security report: CSP ones become events, other Reporting API reports are refused. */
export type SecurityReportType = "csp" | "unsupported";

/** An event made from a security report, before normalization. */
export interface SecurityReportEvent {
  /** Always `csp`: the only kind of report Relay still turns into events. */
  type: "csp";
  logentry: { formatted: string };
  culprit: string;
  tags: [string, string][];
  request: { url?: string; headers?: [string, string][] };
  csp: CspInterface;
  release?: string;
  environment?: string;
  [key: string]: unknown;
}

/** What the request and its envelope item add to a report's event. */
export interface SecurityReportContext {
  /** The item header `sentry_release` (the endpoint's `sentry_release` query parameter). */
  readonly release?: unknown;
  /** The item header `sentry_environment`. */
  readonly environment?: unknown;
  /** The request's `Origin` header: an http(s) URL there becomes the event's `Origin` request header. */
  readonly origin?: string | undefined;
  /** The request's `Referer` header, taken for the origin when `origin` is not an http(s) URL. */
  readonly referer?: string | undefined;
}

/** What normalization backfills on a security report's event from the request. */
export interface SecurityReportRequestInfo {
  /** The address the report came from: becomes the user's IP address. */
  readonly clientIp?: string | undefined;
  /** The request's `User-Agent`: added as a request header unless the event has one. */
  readonly userAgent?: string | undefined;
  /** The request's user-agent client hints, added the same way. */
  readonly clientHints?: UserAgentClientHints | undefined;
}

/** A request's user-agent client hints, by header. */
export interface UserAgentClientHints {
  /** `Sec-CH-UA-Platform`. */
  readonly platform?: string | undefined;
  /** `Sec-CH-UA-Platform-Version`. */
  readonly platformVersion?: string | undefined;
  /** `Sec-CH-UA`. */
  readonly ua?: string | undefined;
  /** `Sec-CH-UA-Model`. */
  readonly model?: string | undefined;
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A header's value as an http(s) URL, written out in full (`https://a.example/`), else `undefined`. */
function webUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a JSON payload strictly (UTF-8, no byte order mark), as Relay's parser does. */
function parseJson(payload: Uint8Array | string): Result<unknown, SecurityReportError> {
  try {
    const json: unknown = JSON.parse(typeof payload === "string" ? payload : decoder.decode(payload));
    return ok(json);
  } catch (error) {
    return err(new SecurityReportError("invalid_json", `the security report is not JSON: ${(error as Error).message}`));
  }
}

/**
 * The `type` and `csp-report` members of a report. A list of exactly two values is read as those
 * two in order (that is how Relay's schema reads a list); anything else that is not an object fails.
 */
function membersOf(json: unknown): Result<{ type: unknown; cspReport: unknown }, SecurityReportError> {
  if (isObject(json)) return ok({ type: json.type, cspReport: json["csp-report"] });
  if (Array.isArray(json) && json.length === 2) {
    const [type, cspReport] = json as [unknown, unknown];
    return ok({ type, cspReport });
  }
  return err(new SecurityReportError("invalid_json", "a security report must be a JSON object"));
}

/**
 * The kind of a parsed security report: `csp` for a CSP level 2 report (a `csp-report` member) or
 * a Reporting API `csp-violation`, `unsupported` for other Reporting API types, `undefined` when it
 * is no kind Relay knows (Expect-CT, Expect-Staple and HPKP reports among them). Fails when `type`
 * is not a string.
 */
export function detectSecurityReportType(json: unknown): Result<SecurityReportType | undefined, SecurityReportError> {
  const members = membersOf(json);
  if (!members.ok) return members;
  const { type, cspReport } = members.value;
  if (type !== undefined && type !== null && typeof type !== "string") {
    return err(new SecurityReportError("invalid_json", "the report's type must be a string"));
  }
  if (cspReport !== undefined && cspReport !== null) return ok("csp");
  if (type === "csp-violation") return ok("csp");
  return ok(typeof type === "string" ? "unsupported" : undefined);
}

/** The body of a CSP report: under `csp-report` when that can be read, else the Reporting API's `body`. */
function cspPartsOf(json: unknown): Result<CspEventParts, SecurityReportError> {
  if (!isObject(json)) return err(new SecurityReportError("security_report", "invalid security report: a CSP report must be a JSON object"));
  const problems: string[] = [];
  for (const key of ["csp-report", "body"]) {
    if (!Object.hasOwn(json, key)) continue;
    const parts = cspEventParts(json[key]);
    if (parts.ok) return parts;
    problems.push(`${key}: ${parts.error}`);
  }
  const why = problems.length > 0 ? problems.join("; ") : "it has neither csp-report nor body";
  return err(new SecurityReportError("security_report", `invalid security report: ${why}`));
}

/**
 * Turns a browser's security report (the payload of a `raw_security` item) into the event Sentry's
 * Relay makes of it, before normalization: type `csp`, the message ("Blocked 'script' from
 * 'evil.com'"), culprit, tags, request and `csp` interface, with `release` and `environment` from
 * the item headers and the request's origin as an `Origin` header. Never throws.
 */
export function securityReportToEvent(payload: Uint8Array | string, context: SecurityReportContext = {}): Result<SecurityReportEvent, SecurityReportError> {
  const json = parseJson(payload);
  if (!json.ok) return json;
  const type = detectSecurityReportType(json.value);
  if (!type.ok) return type;
  if (type.value === undefined) return err(new SecurityReportError("security_report_type", "invalid security report type: not a CSP report"));
  if (type.value === "unsupported") {
    return err(new SecurityReportError("unsupported_security_report", `unsupported security report type "${String((json.value as { type?: unknown }).type)}"`));
  }
  const parts = cspPartsOf(json.value);
  if (!parts.ok) return parts;
  const event: SecurityReportEvent = { type: "csp", ...parts.value };
  if (typeof context.release === "string") event.release = context.release;
  if (typeof context.environment === "string") event.environment = context.environment;
  const origin = webUrl(context.origin) ?? webUrl(context.referer);
  if (origin !== undefined) {
    const headers = (event.request.headers ??= []);
    const at = headers.findIndex(([name]) => name === "Origin");
    if (at === -1) headers.push(["Origin", origin]);
    else headers[at] = ["Origin", origin];
  }
  return ok(event);
}

/** Whether an event carries a security report interface. */
function isSecurityReport(event: Record<string, unknown>): boolean {
  return ["csp", "expectct", "expectstaple", "hpkp"].some((key) => event[key] !== undefined && event[key] !== null);
}

/**
 * What Relay's normalization adds to a security report's event from its request (no-op for other
 * events): logger `csp` unless set, the client's address as the user's IP address, and its
 * `User-Agent` (and client hints) as request headers unless already there. Changes `event` in place.
 */
export function backfillSecurityReport(event: Record<string, unknown>, info: SecurityReportRequestInfo): void {
  if (!isSecurityReport(event)) return;
  event.logger ??= "csp";
  if (info.clientIp !== undefined) {
    const user = isObject(event.user) ? event.user : (event.user = {});
    user.ip_address = info.clientIp;
  }
  const hints = info.clientHints ?? {};
  const added: [string, string | undefined][] = [
    ["User-Agent", info.userAgent],
    ["SEC-CH-UA-Platform", hints.platform],
    ["SEC-CH-UA-Platform-Version", hints.platformVersion],
    ["SEC-CH-UA", hints.ua],
    ["SEC-CH-UA-Model", hints.model],
  ];
  if (added.every(([, value]) => value === undefined)) return;
  const request = isObject(event.request) ? event.request : (event.request = {});
  for (const [name, value] of added) {
    if (value === undefined) continue;
    if (isObject(request.headers)) {
      if (!Object.hasOwn(request.headers, name)) request.headers[name] = value;
      continue;
    }
    const headers = Array.isArray(request.headers) ? (request.headers as unknown[]) : (request.headers = []);
    if (!headers.some((pair) => Array.isArray(pair) && pair[0] === name)) headers.push([name, value]);
  }
}
