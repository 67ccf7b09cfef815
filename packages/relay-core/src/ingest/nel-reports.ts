import { newEventId } from "@org/protocol/envelope";
import type { Result } from "@org/protocol/result";
import type { SentryAttributes } from "./otel-attributes.js";

/** Why a NEL request could not be read. */
export interface NelError {
  readonly message: string;
}

/** What each NEL error type means, in the words of the Network Error Logging spec. */
const DESCRIPTIONS: Readonly<Record<string, string>> = {
  "dns.unreachable": "DNS server is unreachable",
  "dns.name_not_resolved": "DNS server responded but is unable to resolve the address",
  "dns.failed": "Request to the DNS server failed for another reason",
  "dns.address_changed": "The IP address of the origin changed since its NEL policy was received",
  "tcp.timed_out": "TCP connection to the server timed out",
  "tcp.closed": "The TCP connection was closed by the server",
  "tcp.reset": "The TCP connection was reset",
  "tcp.refused": "The TCP connection was refused by the server",
  "tcp.aborted": "The TCP connection was aborted",
  "tcp.address_invalid": "The IP address is invalid",
  "tcp.address_unreachable": "The IP address is unreachable",
  "tcp.failed": "The TCP connection failed for another reason",
  "http.protocol.error": "The connection was aborted by an HTTP protocol error",
  "http.response.invalid": "The response was empty, had a wrong length or encoding, or could not be processed",
  "http.response.redirect_loop": "The request was aborted by a redirect loop",
  "http.failed": "The connection failed because of another HTTP error",
  abandoned: "The user aborted the fetch before it completed",
  unknown: "The error type is unknown",
};

/** The log message of a NEL error type. */
export function nelMessage(type: string, statusCode: number | undefined): string {
  if (type === "http.error") return `The user agent received a response with status code ${statusCode ?? "unknown"}`;
  return DESCRIPTIONS[type] ?? type;
}

/** The host of a URL or of `host:port`, without the port (IPv6 addresses keep their brackets). */
function hostOf(address: string): string {
  try {
    if (address.includes("://")) return new URL(address).hostname;
  } catch {
    return address;
  }
  if (address.startsWith("[")) {
    const end = address.indexOf("]");
    return end === -1 ? address : address.slice(0, end + 1);
  }
  return address.split(":")[0] ?? address;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * Converts one Network Error Logging report into a Sentry log, as Sentry's Relay does: the
 * message says what failed; `url.full`, `nel.type`, `http.response.status_code` and friends
 * are attributes; `sentry.origin` is `auto.http.browser_reports.nel`. `undefined` for a report
 * that is not a network error.
 */
export function nelReportToLog(report: unknown, receivedAt: number): Record<string, unknown> | undefined {
  const raw = record(report);
  const body = record(raw?.body);
  if (!raw || !body) return undefined;
  if (raw.type !== undefined && raw.type !== "network-error") return undefined;
  const type = typeof body.type === "string" ? body.type : "unknown";
  const status = typeof body.status_code === "number" && Number.isInteger(body.status_code) ? body.status_code : undefined;
  const age = typeof raw.age === "number" && Number.isFinite(raw.age) && raw.age > 0 ? raw.age : 0;
  const attributes: SentryAttributes = {
    "sentry.origin": { type: "string", value: "auto.http.browser_reports.nel" },
    report_type: { type: "string", value: "network-error" },
  };
  const put = (key: string, value: unknown): void => {
    if (typeof value === "string") attributes[key] = { type: "string", value };
    else if (typeof value === "number" && Number.isFinite(value)) attributes[key] = { type: Number.isInteger(value) ? "integer" : "double", value };
  };
  if (typeof raw.url === "string") {
    put("url.domain", hostOf(raw.url));
    put("url.full", raw.url);
  }
  put("http.request.duration", body.elapsed_time);
  put("http.request.method", body.method);
  put("http.request.header.referer", body.referrer);
  put("http.response.status_code", status);
  put("network.protocol", body.protocol);
  if (typeof body.server_ip === "string" && body.server_ip !== "") put("server.address", hostOf(body.server_ip));
  put("nel.phase", body.phase);
  if (typeof body.sampling_fraction === "number") attributes["nel.sampling_fraction"] = { type: "double", value: body.sampling_fraction };
  put("nel.type", body.type);
  return {
    timestamp: (receivedAt - age) / 1000,
    trace_id: newEventId(),
    level: "info",
    body: nelMessage(type, status),
    attributes,
  };
}

/** Reads a NEL request body (a JSON array of reports, or one report) into Sentry logs. */
export function nelLogs(body: Uint8Array, receivedAt: number, maxReports: number): Result<Record<string, unknown>[], NelError> {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8"));
  } catch (error) {
    return { ok: false, error: { message: `the body is not JSON: ${(error as Error).message}` } };
  }
  const reports = Array.isArray(json) ? json : [json];
  if (reports.length > maxReports) return { ok: false, error: { message: `more than ${maxReports} reports in one request` } };
  const logs: Record<string, unknown>[] = [];
  for (const report of reports) {
    const log = nelReportToLog(report, receivedAt);
    if (log) logs.push(log);
  }
  return { ok: true, value: logs };
}
