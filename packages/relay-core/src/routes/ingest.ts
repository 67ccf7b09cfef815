import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Readable } from "node:stream";
import type { RelayDeps } from "../build-relay.js";
import { BodyBudget, DEFAULT_MAX_BUFFERED_BODY_BYTES, type BodyLease } from "../http/body-budget.js";
import { forwardedFor } from "../http/forwarded-for.js";
import { readBody } from "../http/read-body.js";
import { readMultipart } from "../http/read-multipart.js";
import { authenticate, type Authenticated } from "../ingest/authenticate.js";
import { buildAttachmentsEnvelope, buildEventEnvelope, checkEnvelope, parseIngestEnvelope } from "../ingest/envelope-checks.js";
import { decodeRequestBody, decodeStoreEvent } from "../ingest/decode.js";
import type { DataCategory } from "@org/protocol/rate-limits";
import { itemCategory, newEventId } from "@org/protocol/envelope";
import { checkProjectAccess, ProjectStateUnavailable, type ProjectState } from "../projects/project-state.js";
import { RelayError } from "../relay-error.js";
import { SpoolFullError } from "../spool/spool.js";
import { registerCronRoutes } from "./cron.js";
import { header, projectIdOf, type EndpointContext, type ProjectParams } from "./endpoint-context.js";
import { registerNelRoutes } from "./nel.js";
import { registerOtlpRoutes } from "./otlp.js";
import { trustedRelayClientIp } from "../downstream/trusted-relay-ip.js";


/** A 1×1 transparent GIF: the answer to `GET /api/{id}/store/` from image-beacon clients. */
const PIXEL = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");


/** The store, envelope, security, minidump and attachment endpoints. */
export function registerIngestRoutes(app: FastifyInstance, deps: RelayDeps): void {
  const { limits } = deps.options;
  // A local capture server takes any key; in front of a real Sentry only real keys make sense.
  const strictKey = deps.options.mode !== "capture";
  const now = deps.now ?? Date.now;
  const bodyTimeout = deps.options.requestTimeoutMs ?? 60_000;
  const budget = deps.bodyBudget ?? new BodyBudget(deps.options.maxBufferedBodyBytes ?? DEFAULT_MAX_BUFFERED_BODY_BYTES);
  const leases = new WeakMap<FastifyRequest, BodyLease>();
  const leaseFor = (request: FastifyRequest): BodyLease => {
    let lease = leases.get(request);
    if (!lease) {
      lease = budget.lease();
      leases.set(request, lease);
    }
    return lease;
  };
  const release = (request: FastifyRequest): void => {
    leases.get(request)?.release();
  };
  app.addHook("onResponse", (request, _reply, done) => {
    release(request);
    done();
  });
  app.addHook("onRequestAbort", (request, done) => {
    release(request);
    done();
  });

  async function accept(
    request: FastifyRequest,
    projectId: string,
    auth: Authenticated,
    envelope: Uint8Array,
    eventId: string | undefined,
    categories: readonly DataCategory[],
  ): Promise<string> {
    const fromRelay = deps.downstreamRelays ? trustedRelayClientIp(request, envelope, deps.downstreamRelays) : undefined;
    if (fromRelay && !fromRelay.ok) throw fromRelay.error;
    let project: ProjectState | undefined;
    let known = true;
    try {
      project = await deps.projects.get(projectId, auth.publicKey);
    } catch (error) {
      // Without the project's config (upstream down, not registered yet) the data is kept and checked when processed.
      if (!(error instanceof ProjectStateUnavailable)) throw error;
      known = false;
    }
    if (known) {
      const refusal = checkProjectAccess(project, auth.publicKey, header(request, "origin"), header(request, "referer"));
      if (refusal) throw refusal;
    }
    const limited = deps.rateLimits?.check(projectId, auth.publicKey, categories);
    if (limited) {
      // Counted like data the upstream refused for its limits, so that one metric shows both.
      for (const category of categories) deps.outcomes.record({ kind: "rate_limited", reason: "rate_limited", category, projectId, quantity: 1, publicKey: auth.publicKey });
      throw new RelayError("rate_limited", "event submission rejected with_reason: RateLimited", {
        causes: [`the upstream limits this data for ${limited.retryAfter} s`],
        headers: limited.headers,
      });
    }
    const id = eventId ?? newEventId();
    try {
      await deps.spool.enqueue({
        id,
        projectId,
        receivedAt: now(),
        context: {
          publicKey: auth.publicKey,
          client: auth.client ?? header(request, "user-agent"),
          clientIp: fromRelay?.value ?? request.ip,
          forwardedFor: forwardedFor(request),
          userAgent: header(request, "user-agent"),
          origin: header(request, "origin"),
        },
        payload: envelope,
      });
    } catch (error) {
      if (error instanceof SpoolFullError) {
        throw new RelayError("spool_full", "the relay cannot take more data right now", {
          causes: [error.message],
          headers: { "retry-after": "60" },
        });
      }
      // The spool cannot store anything now (its server is unreachable, say): nothing was accepted.
      request.log.warn({ err: error }, "the spool refused an envelope");
      throw new RelayError("spool_unavailable", "the relay cannot store data right now", {
        causes: [(error as Error).message],
        headers: { "retry-after": "10" },
      });
    }
    deps.onAccepted?.();
    return id;
  }

  async function readDecoded(request: FastifyRequest, limit: number, what: string): Promise<Uint8Array> {
    const raw = await readBody(request.body as Readable | undefined, header(request, "content-length"), limit, what, bodyTimeout, leaseFor(request));
    return decodeRequestBody(raw, header(request, "content-encoding"), limit, what);
  }

  async function handleEnvelope(request: FastifyRequest, reply: FastifyReply, pathProjectId: string | undefined): Promise<{ id: string | null }> {
    const bytes = await readDecoded(request, limits.maxEnvelopeSize, "the envelope");
    const envelope = parseIngestEnvelope(bytes);
    const auth = authenticate(request, envelope.dsn, strictKey);
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
    const id = await accept(request, projectId, auth, checked.payload, checked.eventId, categories);
    // Some items are limited (the rest is accepted): tell the client, as Sentry does.
    const partial = deps.rateLimits?.partialHeaders(projectId, auth.publicKey, categories);
    if (partial) void reply.headers(partial);
    return { id: checked.eventId ?? (checked.hasEventLikeItem ? id : null) };
  }

  async function handleStore(request: FastifyRequest, projectId: string | undefined): Promise<{ id: string }> {
    const auth = authenticate(request, undefined, strictKey);
    const raw = await readBody(request.body as Readable | undefined, header(request, "content-length"), limits.maxEventSize, "the event", bodyTimeout, leaseFor(request));
    const event = decodeStoreEvent(raw, header(request, "content-encoding"), limits.maxEventSize);
    const resolvedProject = projectId ?? auth.projectId ?? event.projectId;
    if (resolvedProject === undefined) {
      throw new RelayError("invalid_project_id", "no project id: legacy store requests need a project in the key or body");
    }
    const built = buildEventEnvelope(event.json, "event", now(), event.bytes);
    return { id: await accept(request, resolvedProject, auth, built.payload, built.eventId, ["error"]) };
  }

  app.post<{ Params: ProjectParams }>("/api/:projectId/envelope/", (request, reply) =>
    handleEnvelope(request, reply, projectIdOf(request)),
  );
  if (deps.options.tunnelPath) {
    const tunnel = deps.options.tunnelPath.replace(/\/\/+/g, "/").replace(/\/?$/, "/");
    app.post(tunnel, (request, reply) => handleEnvelope(request, reply, undefined));
  }

  app.post<{ Params: ProjectParams }>("/api/:projectId/store/", (request) => handleStore(request, projectIdOf(request)));
  app.post("/api/store/", (request) => handleStore(request, undefined));

  app.get<{ Params: ProjectParams; Querystring: { sentry_data?: string } }>(
    "/api/:projectId/store/",
    async (request, reply: FastifyReply) => {
      const projectId = projectIdOf(request);
      const auth = authenticate(request, undefined, strictKey);
      const data = request.query.sentry_data;
      if (!data) throw new RelayError("invalid_body", "empty event: the sentry_data query parameter is missing");
      const event = decodeStoreEvent(Buffer.from(data, "utf8"), undefined, limits.maxEventSize);
      const built = buildEventEnvelope(event.json, "event", now(), event.bytes);
      await accept(request, projectId, auth, built.payload, built.eventId, ["error"]);
      return reply.code(200).header("content-type", "image/gif").send(PIXEL);
    },
  );

  const security = async (request: FastifyRequest<{ Params: ProjectParams }>): Promise<{ id: string }> => {
    const projectId = projectIdOf(request);
    const auth = authenticate(request, undefined, strictKey);
    const bytes = await readDecoded(request, limits.maxApiPayloadSize, "the security report");
    const built = buildEventEnvelope(bytes, "raw_security", now());
    return { id: await accept(request, projectId, auth, built.payload, built.eventId, ["security"]) };
  };
  const MDMP = Buffer.from("MDMP");

  app.post<{ Params: ProjectParams }>("/api/:projectId/minidump/", async (request, reply) => {
    const projectId = projectIdOf(request);
    const auth = authenticate(request, undefined, strictKey);
    const contentType = header(request, "content-type") ?? "";
    const files: { filename: string; contentType: string; attachmentType: string; data: Uint8Array }[] = [];
    const event: Record<string, unknown> = { platform: "native", level: "fatal" };
    if (contentType.startsWith("multipart/form-data")) {
      const form = await readMultipart(request.body as Readable | undefined, request.headers, {
        maxFileSize: limits.maxAttachmentSize,
        maxTotalSize: limits.maxEnvelopeSize,
        timeoutMs: bodyTimeout,
        lease: leaseFor(request),
      });
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
      const raw = await readBody(request.body as Readable | undefined, header(request, "content-length"), limits.maxAttachmentSize, "the minidump", bodyTimeout, leaseFor(request));
      const data = decodeRequestBody(raw, header(request, "content-encoding"), limits.maxAttachmentSize, "the minidump");
      files.push({ filename: "minidump.dmp", contentType: "application/x-dmp", attachmentType: "event.minidump", data });
    }
    const minidump = files.find((file) => file.attachmentType === "event.minidump")!;
    if (!Buffer.from(minidump.data.subarray(0, 4)).equals(MDMP)) {
      throw new RelayError("invalid_body", "invalid minidump", { causes: ["the file does not start with the MDMP signature"] });
    }
    const built = buildAttachmentsEnvelope(files, now(), event);
    await accept(request, projectId, auth, built.payload, built.eventId, ["error"]);
    const id = built.eventId;
    return reply
      .code(200)
      .header("content-type", "text/plain")
      .send(`${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`);
  });

  app.post<{ Params: ProjectParams & { eventId: string } }>("/api/:projectId/events/:eventId/attachments/", async (request, reply) => {
    const projectId = projectIdOf(request);
    const auth = authenticate(request, undefined, strictKey);
    const eventId = request.params.eventId.replaceAll("-", "").toLowerCase();
    if (!/^[0-9a-f]{32}$/.test(eventId)) throw new RelayError("bad_request", "invalid event id", { causes: [request.params.eventId] });
    const form = await readMultipart(request.body as Readable | undefined, request.headers, {
      maxFileSize: limits.maxAttachmentSize,
      maxTotalSize: limits.maxEnvelopeSize,
      timeoutMs: bodyTimeout,
      lease: leaseFor(request),
    });
    if (form.files.length === 0) throw new RelayError("invalid_body", "no attachments in the form");
    const built = buildAttachmentsEnvelope(
      form.files.map((file) => ({ filename: file.filename, contentType: file.contentType, attachmentType: "event.attachment", data: file.data })),
      now(),
      undefined,
      eventId,
    );
    await accept(request, projectId, auth, built.payload, built.eventId, ["attachment"]);
    return reply.code(201).send();
  });

  app.post<{ Params: ProjectParams }>("/api/:projectId/security/", security);
  app.post<{ Params: ProjectParams }>("/api/:projectId/csp-report/", security);

  const context: EndpointContext = { limits, strictKey, now, bodyTimeout, outcomes: deps.outcomes, accept, readDecoded, lease: leaseFor };
  registerCronRoutes(app, context);
  registerOtlpRoutes(app, context);
  registerNelRoutes(app, context);
}
