import type { FastifyInstance } from "fastify";

/** Health endpoints: `live` while the process runs, `ready` while the relay can do its work. */
export function registerHealthRoutes(app: FastifyInstance, isReady: () => boolean): void {
  const live = { is_healthy: true };
  app.get("/api/relay/healthcheck/live/", () => live);
  app.get("/api/0/relays/live/", () => live);
  app.get("/api/relay/healthcheck/ready/", (_request, reply) => {
    if (isReady()) return { is_healthy: true };
    return reply.code(503).send({ is_healthy: false });
  });
}
