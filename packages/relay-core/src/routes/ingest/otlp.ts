import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { DataCategory } from "@org/protocol/rate-limits";
import { authenticate } from "../../ingest/authenticate.js";
import { buildContainerItem } from "../../ingest/container-item.js";
import { buildItemEnvelope, type ItemEnvelope } from "../../ingest/item-envelope.js";
import { decodeOtlp, otlpFormat, type OtlpFormat } from "../../ingest/otlp-decode.js";
import { convertOtlpLogs } from "../../ingest/otlp-logs.js";
import { EXPORT_LOGS_REQUEST, EXPORT_TRACE_REQUEST } from "../../ingest/otlp-schema.js";
import { convertOtlpTraces } from "../../ingest/otlp-spans.js";
import { RelayError } from "../../relay-error.js";
import { accept, acceptUnlessLimited } from "./accept.js";
import { readDecoded, bodyRule, type IngestContext } from "./context.js";
import { mediaType, projectIdOf, type ProjectParams } from "./request-parts.js";

/**
 * Records (spans or logs) taken from one OTLP request at most: exporters send batches of hundreds
 * (the OpenTelemetry SDKs: 512), and the cap bounds the memory one request can take.
 */
export const MAX_OTLP_RECORDS = 10_000;

const SPAN_CATEGORIES: readonly DataCategory[] = ["span"];
const LOG_CATEGORIES: readonly DataCategory[] = ["log_item"];

/** The empty `Export*ServiceResponse`: full success, in the request's encoding. */
function success(reply: FastifyReply, format: OtlpFormat): FastifyReply {
  return format === "json"
    ? reply.code(202).header("content-type", "application/json").send("{}")
    : reply.code(202).header("content-type", "application/x-protobuf").send(Buffer.alloc(0));
}

/** The envelope of the one container item a request became, or a 413 when it is too large. */
function containerEnvelope(item: ReturnType<typeof buildContainerItem>, now: number): ItemEnvelope {
  if (!item.ok) throw new RelayError("too_large", "the OTLP request is too large", { causes: [item.error.message] });
  return buildItemEnvelope([item.value], now);
}

/**
 * OTLP over HTTP: `POST /api/{project_id}/integration/otlp/v1/traces` (also the older
 * `/api/{project_id}/otlp/v1/traces`) and `.../v1/logs`, JSON or protobuf, any content encoding
 * the relay reads. The relay converts the request itself into one `span` (v2) or `log` container
 * item, which then goes the way of every envelope: spool, processing and scrubbing, delivery.
 */
export function registerOtlpRoutes(app: FastifyInstance, context: IngestContext): void {
  const body = bodyRule(context, context.limits.maxContainerSize, "the OTLP request");
  const spanLimits = { maxRecordSize: context.limits.maxSpanSize, maxContainerSize: context.limits.maxContainerSize };
  const logLimits = { maxRecordSize: context.limits.maxLogSize, maxContainerSize: context.limits.maxContainerSize };
  const read = async (request: FastifyRequest<{ Params: ProjectParams }>): Promise<{ projectId: string; format: OtlpFormat; auth: ReturnType<typeof authenticate>; decoded: unknown; kind: "traces" | "logs" }> => {
    const projectId = projectIdOf(request);
    const auth = authenticate(request, undefined, context.strictKey);
    const type = mediaType(request);
    const format = otlpFormat(type);
    if (format === undefined) {
      throw new RelayError("unsupported_media_type", "unsupported content type for OTLP", {
        causes: [`"${type || "(none)"}": send application/json or application/x-protobuf`],
      });
    }
    const kind = request.url.includes("/v1/logs") ? "logs" : "traces";
    const bytes = await readDecoded(context, request, body);
    const decoded = decodeOtlp(bytes, format, kind === "logs" ? EXPORT_LOGS_REQUEST : EXPORT_TRACE_REQUEST);
    if (!decoded.ok) throw new RelayError("invalid_body", `invalid OTLP ${kind} request`, { causes: [decoded.error.message] });
    return { projectId, format, auth, decoded: decoded.value, kind };
  };

  const traces = async (request: FastifyRequest<{ Params: ProjectParams }>, reply: FastifyReply): Promise<FastifyReply> => {
    const { projectId, format, auth, decoded } = await read(request);
    const converted = convertOtlpTraces(decoded, MAX_OTLP_RECORDS);
    if (!converted.ok) {
      const code = converted.error.message.startsWith("more than") ? "too_large" : "invalid_body";
      throw new RelayError(code, "invalid OTLP traces request", { causes: [converted.error.message] });
    }
    const { spans, invalid } = converted.value;
    if (invalid > 0) context.deps.outcomes.record({ kind: "invalid", reason: "invalid_span", category: "span", projectId, quantity: invalid, publicKey: auth.publicKey });
    if (spans.length > 0) {
      const item = buildContainerItem("span", spans, spanLimits);
      await accept(context, request, { projectId, auth, envelope: containerEnvelope(item, context.now()), categories: SPAN_CATEGORIES });
    }
    return success(reply, format);
  };

  const logs = async (request: FastifyRequest<{ Params: ProjectParams }>, reply: FastifyReply): Promise<FastifyReply> => {
    const { projectId, format, auth, decoded } = await read(request);
    const converted = convertOtlpLogs(decoded, MAX_OTLP_RECORDS, context.now());
    if (!converted.ok) {
      const code = converted.error.message.startsWith("more than") ? "too_large" : "invalid_body";
      throw new RelayError(code, "invalid OTLP logs request", { causes: [converted.error.message] });
    }
    if (converted.value.length > 0) {
      const item = buildContainerItem("log", converted.value, logLimits);
      // As Sentry's Relay: logs refused for rate limits are dropped quietly, the exporter must not retry them.
      await acceptUnlessLimited(context, request, { projectId, auth, envelope: containerEnvelope(item, context.now()), categories: LOG_CATEGORIES });
    }
    return success(reply, format);
  };

  for (const prefix of ["/api/:projectId/integration/otlp", "/api/:projectId/otlp"]) {
    app.post<{ Params: ProjectParams }>(`${prefix}/v1/traces/`, traces);
  }
  app.post<{ Params: ProjectParams }>("/api/:projectId/integration/otlp/v1/logs/", logs);
}
