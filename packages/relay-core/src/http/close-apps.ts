import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";

/**
 * Closes the apps: they stop accepting at once, and requests in flight get `graceMs` to finish.
 * Connections still open after that are destroyed, so that a slow client cannot hold the
 * shutdown for the whole request timeout.
 */
export async function closeApps(apps: readonly FastifyInstance[], graceMs: number, logger: Logger): Promise<void> {
  const closed = Promise.all(apps.map((each) => each.close()));
  let timer: NodeJS.Timeout | undefined;
  const expired = await Promise.race([
    closed.then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => { resolve(true); }, graceMs))),
  ]);
  clearTimeout(timer);
  if (!expired) return;
  logger.warn({ graceMs: Math.round(graceMs) }, "requests still in flight at shutdown; closing their connections unanswered");
  for (const each of apps) each.server.closeAllConnections();
  await closed;
}

