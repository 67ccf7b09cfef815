import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { itemCategory } from "@org/protocol/envelope";
import { authenticate } from "../../ingest/authenticate.js";
import { checkEnvelope, parseIngestEnvelope } from "../../ingest/envelope-checks.js";
import { RelayError } from "../../relay-error.js";
import { accept } from "./accept.js";
import { readDecoded, bodyRule, type IngestContext } from "./context.js";
import { projectIdOf, type ProjectParams } from "./request-parts.js";

/**
 * `POST /api/{project_id}/envelope/`, and the tunnel path (`tunnel_path`) where browsers post
 * envelopes whose DSN names the project.
 */
export function registerEnvelopeRoutes(app: FastifyInstance, context: IngestContext): void {
  const body = bodyRule(context, context.limits.maxEnvelopeSize, "the envelope");

  async function handleEnvelope(request: FastifyRequest, reply: FastifyReply, pathProjectId: string | undefined): Promise<{ id: string | null }> {
    const { deps, limits } = context;
    const bytes = await readDecoded(context, request, body);
    const envelope = parseIngestEnvelope(bytes);
    const auth = authenticate(request, envelope.dsn, context.strictKey);
    const projectId = pathProjectId ?? auth.projectId;
    if (projectId === undefined) {
      throw new RelayError("invalid_project_id", "no project id: the envelope names no dsn and the path no project");
    }
    if (auth.projectId !== undefined && auth.projectId !== projectId) {
      throw new RelayError("bad_auth", "the envelope's dsn names another project than the request", {
        causes: [`dsn project ${auth.projectId}, request project ${projectId}`],
      });
    }
    let checked;
    try {
      checked = checkEnvelope(envelope, limits);
    } catch (error) {
      // Too large or broken: every item of the envelope is lost, and counted so.
      if (error instanceof RelayError) {
        const reason = error.code === "too_large" ? "too_large" : "invalid_envelope";
        for (const item of envelope.envelope.items) {
          deps.outcomes.record({ kind: "invalid", reason, category: itemCategory(item.headers.type), projectId, quantity: 1, publicKey: auth.publicKey });
        }
      }
      throw error;
    }
    const categories = envelope.envelope.items.map((item) => itemCategory(item.headers.type));
    const id = await accept(context, request, { projectId, auth, envelope: checked, categories });
    // Some items are limited (the rest is accepted): tell the client, as Sentry does.
    const partial = deps.rateLimits?.partialHeaders(projectId, auth.publicKey, categories);
    if (partial) void reply.headers(partial);
    return { id: checked.eventId ?? (checked.hasEventLikeItem ? id : null) };
  }

  app.post<{ Params: ProjectParams }>("/api/:projectId/envelope/", (request, reply) =>
    handleEnvelope(request, reply, projectIdOf(request)),
  );
  if (context.deps.options.tunnelPath) {
    const tunnel = context.deps.options.tunnelPath.replace(/\/\/+/g, "/").replace(/\/?$/, "/");
    app.post(tunnel, (request, reply) => handleEnvelope(request, reply, undefined));
  }
}
