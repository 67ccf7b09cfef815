import type { FastifyInstance } from "fastify";
import type { CaptureStore } from "../capture/capture-store.js";
import { RelayError } from "../relay-error.js";
import { renderEnvelopeForPeople } from "../capture/render-envelope.js";

/** Capture mode's read-only API over what the relay would have forwarded. */
export function registerCaptureRoutes(app: FastifyInstance, store: CaptureStore): void {
  app.get<{ Querystring: { limit?: string; offset?: string } }>("/api/relay/events/", (request) => {
    const limit = clamp(Number(request.query.limit ?? 100), 1, 1_000);
    const offset = clamp(Number(request.query.offset ?? 0), 0, Number.MAX_SAFE_INTEGER);
    return {
      total: store.count(),
      events: store.list(limit, offset).map((entry) => ({
        event_id: entry.id,
        project_id: entry.projectId,
        received: new Date(entry.receivedAt).toISOString(),
        item_types: entry.itemTypes,
        title: entry.title,
      })),
    };
  });

  app.get<{ Params: { id: string } }>("/api/relay/events/:id/", (request) => {
    const id = request.params.id.replaceAll("-", "").toLowerCase();
    const entry = store.get(id);
    if (!entry) throw new RelayError("not_found", `no captured event with id ${request.params.id}`);
    return {
      event_id: entry.id,
      project_id: entry.projectId,
      received: new Date(entry.receivedAt).toISOString(),
      ...renderEnvelopeForPeople(entry.envelope),
    };
  });
}

function clamp(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return min;
  return Math.min(max, Math.max(min, Math.trunc(value)));
}
