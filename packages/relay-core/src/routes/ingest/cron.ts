import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { extractAuth } from "@org/protocol/auth";
import { createJsonItem } from "@org/protocol/envelope";
import { authenticate, type Authenticated } from "../../ingest/authenticate.js";
import { checkInFromJson, checkInFromQuery } from "../../ingest/check-in.js";
import type { DataCategory } from "@org/protocol/rate-limits";
import { buildItemEnvelope } from "../../ingest/item-envelope.js";
import { RelayError } from "../../relay-error.js";
import { acceptUnlessLimited } from "./accept.js";
import { readDecoded, bodyRule, type IngestContext } from "./context.js";
import { mediaType, projectIdOf, type ProjectParams } from "./request-parts.js";

interface CronParams extends ProjectParams {
  monitorSlug: string;
  key?: string;
}

/** The client named for check-ins whose sender said nothing about itself (curl, say). */
export const HTTP_CHECK_IN_CLIENT = "sentry.http.cron-monitor";

const MONITOR_CATEGORIES: readonly DataCategory[] = ["monitor"];

/**
 * The key of the path when there is one (`/cron/{slug}/{key}/`), else the request's auth. A path
 * key beside another key in a header or the query is refused.
 */
function cronAuth(request: FastifyRequest<{ Params: CronParams }>, strictKey: boolean): Authenticated {
  const pathKey = request.params.key;
  if (pathKey === undefined) return authenticate(request, undefined, strictKey);
  const fromPath = extractAuth({ headers: {}, query: { sentry_key: pathKey }, strictKey });
  if (!fromPath.ok) throw new RelayError("bad_auth", fromPath.error.message, { causes: [`the key in the path: "${pathKey}"`] });
  const other = extractAuth({ headers: request.headers, query: request.url.split("?")[1], strictKey: false });
  if (other.ok && other.value.key.split(".")[0] !== pathKey.split(".")[0]) {
    throw new RelayError("bad_auth", "the key in the path differs from the request's authentication");
  }
  return { publicKey: pathKey.split(".")[0]!, client: other.ok ? other.value.client : undefined, auth: fromPath.value };
}

/**
 * The HTTP cron endpoint that `curl` users call: `GET|POST /api/{project_id}/cron/{slug}/{key}/`
 * (or without the key, authenticated as any ingest request), with `?status=` and friends or a JSON
 * body. Answers 202 once the check-in is spooled, and 202 too when its data is rate limited: a
 * cron job must never retry its check-in.
 */
export function registerCronRoutes(app: FastifyInstance, context: IngestContext): void {
  const body = bodyRule(context, context.limits.maxCheckInSize, "the check-in");
  const handle = async (request: FastifyRequest<{ Params: CronParams }>): Promise<void> => {
    const projectId = projectIdOf(request);
    const auth = cronAuth(request, context.strictKey);
    const slug = request.params.monitorSlug;
    const query = new URLSearchParams(request.url.split("?")[1] ?? "");
    const isJson = request.method === "POST" && mediaType(request) === "application/json";
    const checkIn = isJson
      ? checkInFromJson(slug, await readDecoded(context, request, body))
      : checkInFromQuery(slug, query);
    if (!checkIn.ok) throw new RelayError("invalid_body", "invalid check-in", { causes: [checkIn.error.message] });
    const item = createJsonItem("check_in", checkIn.value, { content_type: "application/json" });
    if (item.payload.length > context.limits.maxCheckInSize) {
      throw new RelayError("too_large", `the check-in is larger than ${context.limits.maxCheckInSize} bytes`);
    }
    const built = buildItemEnvelope([item], context.now());
    const client = { ...auth, client: auth.client ?? HTTP_CHECK_IN_CLIENT };
    await acceptUnlessLimited(context, request, { projectId, auth: client, envelope: built, categories: MONITOR_CATEGORIES });
  };
  const reply202 = (request: FastifyRequest<{ Params: CronParams }>, reply: FastifyReply): Promise<unknown> =>
    handle(request).then(() => reply.code(202).send());
  for (const url of ["/api/:projectId/cron/:monitorSlug/:key/", "/api/:projectId/cron/:monitorSlug/"]) {
    app.route<{ Params: CronParams }>({ method: ["GET", "POST"], url, handler: reply202 });
  }
}
