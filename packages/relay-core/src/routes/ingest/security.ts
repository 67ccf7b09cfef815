import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ItemHeaderInit } from "@org/protocol/envelope";
import type { DataCategory } from "@org/protocol/rate-limits";
import type { UserAgentClientHints } from "@org/protocol/security";
import { authenticate } from "../../ingest/authenticate.js";
import { buildReportEnvelope } from "../../ingest/envelope-checks.js";
import { RelayError } from "../../relay-error.js";
import { accept } from "./accept.js";
import { readDecoded, bodyRule, type IngestContext } from "./context.js";
import { header, mediaType, projectIdOf, type ProjectParams } from "./request-parts.js";

const SECURITY_CATEGORIES: readonly DataCategory[] = ["security"];

/** The media types browsers send security reports as; Relay answers 415 to any other. */
const SECURITY_MEDIA_TYPES = new Set([
  "application/json",
  "application/csp-report",
  "application/expect-ct-report",
  "application/expect-ct-report+json",
  "application/expect-staple-report",
  "application/reports+json",
]);

interface SecurityQuery {
  sentry_release?: string | string[];
  sentry_environment?: string | string[];
}

function firstOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The item headers a report carries from the query string, for processing to set on its event. */
function reportHeaders(query: SecurityQuery): ItemHeaderInit {
  const headers: ItemHeaderInit = { content_type: "application/json" };
  const release = firstOf(query.sentry_release);
  const environment = firstOf(query.sentry_environment);
  if (release !== undefined) headers.sentry_release = release;
  if (environment !== undefined) headers.sentry_environment = environment;
  return headers;
}

/** What processing takes from the request besides the usual: the referer and the client hints. */
function requestDetails(request: FastifyRequest): { referer?: string; clientHints?: UserAgentClientHints } {
  const hints: UserAgentClientHints = {
    platform: header(request, "sec-ch-ua-platform"),
    platformVersion: header(request, "sec-ch-ua-platform-version"),
    ua: header(request, "sec-ch-ua"),
    model: header(request, "sec-ch-ua-model"),
  };
  const referer = header(request, "referer");
  return {
    ...(referer === undefined ? {} : { referer }),
    ...(Object.values(hints).some((value) => value !== undefined) ? { clientHints: hints } : {}),
  };
}

/**
 * The reports of a body: each member of a JSON list (the Reporting API sends them in batches), or
 * the body itself. Processing tells whether each is a report it can use.
 */
function reportsOf(bytes: Uint8Array): Uint8Array[] {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
  } catch {
    return [bytes];
  }
  if (!Array.isArray(json)) return [bytes];
  return json.map((report) => Buffer.from(JSON.stringify(report), "utf8"));
}

/**
 * Browser security reports (CSP): `POST /api/{project_id}/security/` and its older name
 * `.../csp-report/`, with `sentry_release` and `sentry_environment` in the query string. Each
 * report is spooled in its own envelope as one `raw_security` item; processing turns it into an
 * event, as Sentry's Relay does.
 */
export function registerSecurityRoutes(app: FastifyInstance, context: IngestContext): void {
  const body = bodyRule(context, context.limits.maxApiPayloadSize, "the security report");
  const security = async (request: FastifyRequest<{ Params: ProjectParams; Querystring: SecurityQuery }>): Promise<{ id?: string }> => {
    const projectId = projectIdOf(request);
    const auth = authenticate(request, undefined, context.strictKey);
    const type = mediaType(request);
    if (!SECURITY_MEDIA_TYPES.has(type)) {
      throw new RelayError("unsupported_media_type", "unsupported content type for security reports", {
        causes: [`"${type || "(none)"}": send application/csp-report, application/reports+json or application/json`],
      });
    }
    const bytes = await readDecoded(context, request, body);
    if (bytes.length === 0) throw new RelayError("invalid_body", "empty security report");
    const headers = reportHeaders(request.query);
    const details = requestDetails(request);
    let first: string | undefined;
    for (const report of reportsOf(bytes)) {
      const built = buildReportEnvelope({ type: "raw_security", payload: report, headers }, context.now());
      const id = await accept(context, request, { projectId, auth, envelope: built, categories: SECURITY_CATEGORIES, details });
      first ??= id;
    }
    return first === undefined ? {} : { id: first };
  };
  app.post<{ Params: ProjectParams; Querystring: SecurityQuery }>("/api/:projectId/security/", security);
  app.post<{ Params: ProjectParams; Querystring: SecurityQuery }>("/api/:projectId/csp-report/", security);
}
