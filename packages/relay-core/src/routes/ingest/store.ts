import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { authenticate } from "../../ingest/authenticate.js";
import { decodeStoreEvent } from "../../ingest/decode.js";
import { buildEventEnvelope } from "../../ingest/envelope-checks.js";
import { RelayError } from "../../relay-error.js";
import { accept, ERROR_CATEGORIES } from "./accept.js";
import { readRawBody, bodyRule, type IngestContext } from "./context.js";
import { header, projectIdOf, type ProjectParams } from "./request-parts.js";

/** A 1×1 transparent GIF: the answer to `GET /api/{id}/store/` from image-beacon clients. */
const PIXEL = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

/**
 * The legacy store endpoint: `POST /api/{project_id}/store/` and `POST /api/store/` (the project
 * from the key or the event) with one event, and `GET /api/{project_id}/store/?sentry_data=` from
 * image beacons, answered with a transparent pixel.
 */
export function registerStoreRoutes(app: FastifyInstance, context: IngestContext): void {
  const body = bodyRule(context, context.limits.maxEventSize, "the event");

  async function handleStore(request: FastifyRequest, projectId: string | undefined): Promise<{ id: string }> {
    const auth = authenticate(request, undefined, context.strictKey);
    const raw = await readRawBody(context, request, body);
    const event = decodeStoreEvent(raw, header(request, "content-encoding"), body);
    const resolvedProject = projectId ?? auth.projectId ?? event.projectId;
    if (resolvedProject === undefined) {
      throw new RelayError("invalid_project_id", "no project id: legacy store requests need a project in the key or body");
    }
    const built = buildEventEnvelope(event, context.now());
    return { id: await accept(context, request, { projectId: resolvedProject, auth, envelope: built, categories: ERROR_CATEGORIES }) };
  }

  app.post<{ Params: ProjectParams }>("/api/:projectId/store/", (request) => handleStore(request, projectIdOf(request)));
  app.post("/api/store/", (request) => handleStore(request, undefined));

  app.get<{ Params: ProjectParams; Querystring: { sentry_data?: string } }>(
    "/api/:projectId/store/",
    async (request, reply: FastifyReply) => {
      const projectId = projectIdOf(request);
      const auth = authenticate(request, undefined, context.strictKey);
      const data = request.query.sentry_data;
      if (!data) throw new RelayError("invalid_body", "empty event: the sentry_data query parameter is missing");
      const event = decodeStoreEvent(Buffer.from(data, "utf8"), undefined, body);
      const built = buildEventEnvelope(event, context.now());
      await accept(context, request, { projectId, auth, envelope: built, categories: ERROR_CATEGORIES });
      return reply.code(200).header("content-type", "image/gif").send(PIXEL);
    },
  );
}
