import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Readable } from "node:stream";
import type { RelayDeps } from "../../build-relay.js";
import { BodyBudget, DEFAULT_MAX_BUFFERED_BODY_BYTES, type BodyLease } from "../../http/body-budget.js";
import { readBody, type BodyRule } from "../../http/read-body.js";
import { readMultipart, type MultipartForm } from "../../http/read-multipart.js";
import { decodeRequestBody } from "../../ingest/decode.js";
import type { RelayLimits } from "../../relay-options.js";
import { header } from "./request-parts.js";

/**
 * What the ingest endpoints share: the relay's parts, its limits, and each request's share of the
 * memory budget for bodies. Made once per app by {@link createIngestContext}.
 */
export interface IngestContext {
  readonly deps: RelayDeps;
  readonly limits: RelayLimits;
  /** Whether public keys must look like real Sentry keys (outside capture mode). */
  readonly strictKey: boolean;
  /** Clock in milliseconds since the epoch. */
  readonly now: () => number;
  /** Longest wait for a request body. */
  readonly bodyTimeout: number;
  /** The request's share of the body budget, taken on first use and given back with the response. */
  lease(request: FastifyRequest): BodyLease;
}

/** The ingest context of an app: its body leases are given back when a request ends or is aborted. */
export function createIngestContext(app: FastifyInstance, deps: RelayDeps): IngestContext {
  const budget = deps.bodyBudget ?? new BodyBudget(deps.options.maxBufferedBodyBytes ?? DEFAULT_MAX_BUFFERED_BODY_BYTES);
  const leases = new WeakMap<FastifyRequest, BodyLease>();
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
  return {
    deps,
    limits: deps.options.limits,
    // A local capture server takes any key; in front of a real Sentry only real keys make sense.
    strictKey: deps.options.mode !== "capture",
    now: deps.now ?? Date.now,
    bodyTimeout: deps.options.requestTimeoutMs ?? 60_000,
    lease(request) {
      let lease = leases.get(request);
      if (!lease) {
        lease = budget.lease();
        leases.set(request, lease);
      }
      return lease;
    },
  };
}

/** The rule for an endpoint's bodies: `limit` bytes named `what`, within the relay's body timeout. */
export function bodyRule(context: IngestContext, limit: number, what: string): BodyRule {
  return { limit, what, timeoutMs: context.bodyTimeout };
}

/** Reads a request body as sent, within the rule and the relay's budget. */
export function readRawBody(context: IngestContext, request: FastifyRequest, rule: BodyRule): Promise<Buffer> {
  return readBody(request, rule, context.lease(request));
}

/** Reads a request body and undoes its Content-Encoding, within the rule's limit. */
export async function readDecoded(context: IngestContext, request: FastifyRequest, rule: BodyRule): Promise<Uint8Array> {
  const raw = await readRawBody(context, request, rule);
  return decodeRequestBody(raw, header(request, "content-encoding"), rule);
}

/** Reads a `multipart/form-data` upload: each file within the attachment limit, all within the envelope limit. */
export function readUploadForm(context: IngestContext, request: FastifyRequest): Promise<MultipartForm> {
  return readMultipart(request.body as Readable | undefined, request.headers, {
    maxFileSize: context.limits.maxAttachmentSize,
    maxTotalSize: context.limits.maxEnvelopeSize,
    timeoutMs: context.bodyTimeout,
    lease: context.lease(request),
  });
}
