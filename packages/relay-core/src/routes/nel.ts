import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { authenticate } from "../ingest/authenticate.js";
import { buildContainerItem } from "../ingest/container-item.js";
import { buildItemEnvelope } from "../ingest/item-envelope.js";
import { nelLogs } from "../ingest/nel-reports.js";
import { RelayError } from "../relay-error.js";
import { mediaType, projectIdOf, type EndpointContext, type ProjectParams } from "./endpoint-context.js";
import { MAX_OTLP_RECORDS } from "./otlp.js";

const NEL_MEDIA_TYPES = new Set(["application/json", "application/reports+json"]);

/**
 * Network Error Logging: `POST /api/{project_id}/nel/` with the browser's reports
 * (`application/reports+json` or `application/json`). Each network error becomes a log in one
 * `log` container item. Answers 200, also when logs are rate limited (browsers do not retry).
 */
export function registerNelRoutes(app: FastifyInstance, context: EndpointContext): void {
  app.post<{ Params: ProjectParams }>("/api/:projectId/nel/", async (request: FastifyRequest<{ Params: ProjectParams }>, reply: FastifyReply) => {
    const projectId = projectIdOf(request);
    const auth = authenticate(request, undefined, context.strictKey);
    const type = mediaType(request);
    if (!NEL_MEDIA_TYPES.has(type)) {
      throw new RelayError("unsupported_media_type", "unsupported content type for NEL reports", {
        causes: [`"${type || "(none)"}": send application/reports+json or application/json`],
      });
    }
    const body = await context.readDecoded(request, context.limits.maxContainerSize, "the NEL reports");
    const logs = nelLogs(body, context.now(), MAX_OTLP_RECORDS);
    if (!logs.ok) throw new RelayError("invalid_body", "invalid NEL reports", { causes: [logs.error.message] });
    if (logs.value.length > 0) {
      const item = buildContainerItem("log", logs.value, context.limits.maxLogSize, context.limits.maxContainerSize);
      if (!item.ok) throw new RelayError("too_large", "the NEL reports are too large", { causes: [item.error.message] });
      const built = buildItemEnvelope([item.value], context.now());
      try {
        await context.accept(request, projectId, auth, built.payload, undefined, ["log_item"]);
      } catch (error) {
        if (!(error instanceof RelayError && error.code === "rate_limited")) throw error;
      }
    }
    return reply.code(200).send();
  });
}
