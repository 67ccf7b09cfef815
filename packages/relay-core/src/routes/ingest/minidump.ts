import type { FastifyInstance } from "fastify";
import { authenticate } from "../../ingest/authenticate.js";
import { decodeRequestBody } from "../../ingest/decode.js";
import { buildAttachmentsEnvelope, type AttachmentFile } from "../../ingest/envelope-checks.js";
import { RelayError } from "../../relay-error.js";
import { accept, ERROR_CATEGORIES } from "./accept.js";
import { readRawBody, readUploadForm, bodyRule, type IngestContext } from "./context.js";
import { header, projectIdOf, type ProjectParams } from "./request-parts.js";

const MDMP = Buffer.from("MDMP");

/**
 * `POST /api/{project_id}/minidump/`: a crash reporter's minidump, as a multipart form
 * (`upload_file_minidump`, other files, `sentry[...]` event fields) or as the bare file. Answers
 * with the event id in UUID form, as Breakpad and Crashpad expect.
 */
export function registerMinidumpRoutes(app: FastifyInstance, context: IngestContext): void {
  const body = bodyRule(context, context.limits.maxAttachmentSize, "the minidump");
  app.post<{ Params: ProjectParams }>("/api/:projectId/minidump/", async (request, reply) => {
    const projectId = projectIdOf(request);
    const auth = authenticate(request, undefined, context.strictKey);
    const contentType = header(request, "content-type") ?? "";
    const files: AttachmentFile[] = [];
    const event: Record<string, unknown> = { platform: "native", level: "fatal" };
    if (contentType.startsWith("multipart/form-data")) {
      const form = await readUploadForm(context, request);
      const minidump = form.files.find((file) => file.field === "upload_file_minidump");
      if (!minidump) throw new RelayError("invalid_body", "missing minidump", { causes: ["the form has no upload_file_minidump file"] });
      for (const file of form.files) {
        files.push({
          filename: file.filename,
          contentType: file.contentType,
          attachmentType: file === minidump ? "event.minidump" : "event.attachment",
          data: file.data,
        });
      }
      // Crash reporters send event attributes as `sentry[key]` fields (or one `sentry` JSON field).
      for (const [name, value] of form.fields) {
        const match = /^sentry\[([^\]]+)\]$/.exec(name);
        if (match) event[match[1]!] = value;
      }
    } else {
      const raw = await readRawBody(context, request, body);
      const data = decodeRequestBody(raw, header(request, "content-encoding"), body);
      files.push({ filename: "minidump.dmp", contentType: "application/x-dmp", attachmentType: "event.minidump", data });
    }
    const minidump = files.find((file) => file.attachmentType === "event.minidump")!;
    if (!Buffer.from(minidump.data.subarray(0, 4)).equals(MDMP)) {
      throw new RelayError("invalid_body", "invalid minidump", { causes: ["the file does not start with the MDMP signature"] });
    }
    const built = buildAttachmentsEnvelope(files, context.now(), { event });
    await accept(context, request, { projectId, auth, envelope: built, categories: ERROR_CATEGORIES });
    const id = built.eventId;
    return reply
      .code(200)
      .header("content-type", "text/plain")
      .send(`${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`);
  });
}
