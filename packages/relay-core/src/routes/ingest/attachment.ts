import type { FastifyInstance } from "fastify";
import type { DataCategory } from "@org/protocol/rate-limits";
import { authenticate } from "../../ingest/authenticate.js";
import { buildAttachmentsEnvelope } from "../../ingest/envelope-checks.js";
import { RelayError } from "../../relay-error.js";
import { accept } from "./accept.js";
import { readUploadForm, type IngestContext } from "./context.js";
import { projectIdOf, type ProjectParams } from "./request-parts.js";

const ATTACHMENT_CATEGORIES: readonly DataCategory[] = ["attachment"];

/**
 * `POST /api/{project_id}/events/{event_id}/attachments/`: files uploaded after their event, as a
 * multipart form; each becomes an `event.attachment` item of an envelope with that event id.
 */
export function registerAttachmentRoutes(app: FastifyInstance, context: IngestContext): void {
  app.post<{ Params: ProjectParams & { eventId: string } }>("/api/:projectId/events/:eventId/attachments/", async (request, reply) => {
    const projectId = projectIdOf(request);
    const auth = authenticate(request, undefined, context.strictKey);
    const eventId = request.params.eventId.replaceAll("-", "").toLowerCase();
    if (!/^[0-9a-f]{32}$/.test(eventId)) throw new RelayError("bad_request", "invalid event id", { causes: [request.params.eventId] });
    const form = await readUploadForm(context, request);
    if (form.files.length === 0) throw new RelayError("invalid_body", "no attachments in the form");
    const built = buildAttachmentsEnvelope(
      form.files.map((file) => ({ filename: file.filename, contentType: file.contentType, attachmentType: "event.attachment", data: file.data })),
      context.now(),
      { eventId },
    );
    await accept(context, request, { projectId, auth, envelope: built, categories: ATTACHMENT_CATEGORIES });
    return reply.code(201).send();
  });
}
