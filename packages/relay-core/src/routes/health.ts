import type { FastifyInstance } from "fastify";
import type { ReadinessReport } from "../health/readiness.js";

/** Health endpoints: `live` while the process runs, `ready` while the relay can do its work. */
export function registerHealthRoutes(app: FastifyInstance, isReady: () => boolean | ReadinessReport): void {
  const live = { is_healthy: true };
  app.get("/api/relay/healthcheck/live/", () => live);
  app.get("/api/0/relays/live/", () => live);
  app.get("/api/relay/healthcheck/ready/", (_request, reply) => {
    const report = isReady();
    if (report === true) return { is_healthy: true };
    if (report === false) return reply.code(503).send({ is_healthy: false });
    if (report.ready) return { is_healthy: true };
    return reply.code(503).send({ is_healthy: false, reasons: report.reasons });
  });
}
