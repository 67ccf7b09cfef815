import type { FastifyInstance, FastifyRequest } from "fastify";
import type { DataCategory } from "@org/protocol/rate-limits";
import { authenticate } from "../../ingest/authenticate.js";
import { buildReportEnvelope } from "../../ingest/envelope-checks.js";
import { accept } from "./accept.js";
import { readDecoded, bodyRule, type IngestContext } from "./context.js";
import { projectIdOf, type ProjectParams } from "./request-parts.js";

const SECURITY_CATEGORIES: readonly DataCategory[] = ["security"];

/**
 * Browser security reports (CSP, Expect-CT, HPKP): `POST /api/{project_id}/security/` and its
 * older name `.../csp-report/`, spooled as one `raw_security` item for processing to normalize.
 */
export function registerSecurityRoutes(app: FastifyInstance, context: IngestContext): void {
  const body = bodyRule(context, context.limits.maxApiPayloadSize, "the security report");
  const security = async (request: FastifyRequest<{ Params: ProjectParams }>): Promise<{ id: string }> => {
    const projectId = projectIdOf(request);
    const auth = authenticate(request, undefined, context.strictKey);
    const bytes = await readDecoded(context, request, body);
    const built = buildReportEnvelope(bytes, "raw_security", context.now());
    return { id: await accept(context, request, { projectId, auth, envelope: built, categories: SECURITY_CATEGORIES }) };
  };
  app.post<{ Params: ProjectParams }>("/api/:projectId/security/", security);
  app.post<{ Params: ProjectParams }>("/api/:projectId/csp-report/", security);
}
