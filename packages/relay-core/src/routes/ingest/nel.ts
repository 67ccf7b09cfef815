import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { DataCategory } from "@org/protocol/rate-limits";
import { authenticate } from "../../ingest/authenticate.js";
import { buildContainerItem } from "../../ingest/container-item.js";
import { buildItemEnvelope } from "../../ingest/item-envelope.js";
import { nelLogs } from "../../ingest/nel-reports.js";
import { RelayError } from "../../relay-error.js";
import { acceptUnlessLimited } from "./accept.js";
import { readDecoded, bodyRule, type IngestContext } from "./context.js";
import { MAX_OTLP_RECORDS } from "./otlp.js";
import { mediaType, projectIdOf, type ProjectParams } from "./request-parts.js";

const NEL_MEDIA_TYPES = new Set(["application/json", "application/reports+json"]);
const LOG_CATEGORIES: readonly DataCategory[] = ["log_item"];

/**
 * Network Error Logging: `POST /api/{project_id}/nel/` with the browser's reports
 * (`application/reports+json` or `application/json`). Each network error becomes a log in one
 * `log` container item. Answers 200, also when logs are rate limited (browsers do not retry).
 */
export function registerNelRoutes(app: FastifyInstance, context: IngestContext): void {
  const body = bodyRule(context, context.limits.maxContainerSize, "the NEL reports");
  const logLimits = { maxRecordSize: context.limits.maxLogSize, maxContainerSize: context.limits.maxContainerSize };
  app.post<{ Params: ProjectParams }>("/api/:projectId/nel/", async (request: FastifyRequest<{ Params: ProjectParams }>, reply: FastifyReply) => {
    const projectId = projectIdOf(request);
    const auth = authenticate(request, undefined, context.strictKey);
    const type = mediaType(request);
    if (!NEL_MEDIA_TYPES.has(type)) {
      throw new RelayError("unsupported_media_type", "unsupported content type for NEL reports", {
        causes: [`"${type || "(none)"}": send application/reports+json or application/json`],
      });
    }
    const reports = await readDecoded(context, request, body);
    const logs = nelLogs(reports, context.now(), MAX_OTLP_RECORDS);
    if (!logs.ok) throw new RelayError("invalid_body", "invalid NEL reports", { causes: [logs.error.message] });
    if (logs.value.length > 0) {
      const item = buildContainerItem("log", logs.value, logLimits);
      if (!item.ok) throw new RelayError("too_large", "the NEL reports are too large", { causes: [item.error.message] });
      const built = buildItemEnvelope([item.value], context.now());
      await acceptUnlessLimited(context, request, { projectId, auth, envelope: built, categories: LOG_CATEGORIES });
    }
    return reply.code(200).send();
  });
}
