import type { FastifyInstance } from "fastify";
import type { RelayDeps } from "../../build-relay.js";
import { registerAttachmentRoutes } from "./attachment.js";
import { createIngestContext } from "./context.js";
import { registerCronRoutes } from "./cron.js";
import { registerEnvelopeRoutes } from "./envelope.js";
import { registerMinidumpRoutes } from "./minidump.js";
import { registerNelRoutes } from "./nel.js";
import { registerOtlpRoutes } from "./otlp.js";
import { registerSecurityRoutes } from "./security.js";
import { registerStoreRoutes } from "./store.js";

/**
 * Every endpoint that takes data from SDKs and other senders (envelope, store, security,
 * minidump, attachments, cron, OTLP, NEL). Each reads and converts its request, then ends with the
 * shared `accept` step (project checks, rate limits, spool).
 */
export function registerIngestRoutes(app: FastifyInstance, deps: RelayDeps): void {
  const context = createIngestContext(app, deps);
  registerEnvelopeRoutes(app, context);
  registerStoreRoutes(app, context);
  registerMinidumpRoutes(app, context);
  registerAttachmentRoutes(app, context);
  registerSecurityRoutes(app, context);
  registerCronRoutes(app, context);
  registerOtlpRoutes(app, context);
  registerNelRoutes(app, context);
}
