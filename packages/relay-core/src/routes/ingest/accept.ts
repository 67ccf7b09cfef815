import type { FastifyRequest } from "fastify";
import type { DataCategory } from "@org/protocol/rate-limits";
import { newEventId } from "@org/protocol/envelope";
import { trustedRelayClientIp } from "../../downstream/trusted-relay-ip.js";
import { forwardedFor } from "../../http/forwarded-for.js";
import type { Authenticated } from "../../ingest/authenticate.js";
import { checkOrigin, checkProjectAccess, ProjectStateUnavailable, type ProjectState } from "../../projects/project-state.js";
import { RelayError } from "../../relay-error.js";
import { SpoolFullError, type IngestContext as SpooledContext } from "../../spool/spool.js";
import type { IngestContext } from "./context.js";
import { header } from "./request-parts.js";

/** An envelope built from a request, ready to spool. */
export interface SubmittedEnvelope {
  readonly payload: Uint8Array;
  /** Its event id; the envelope is spooled under a fresh id without one. */
  readonly eventId: string | undefined;
}

/** What a request submits once its endpoint has read, checked and converted it. */
export interface Submission {
  readonly projectId: string;
  readonly auth: Authenticated;
  readonly envelope: SubmittedEnvelope;
  /** The data categories of its items, checked against the upstream's rate limits. */
  readonly categories: readonly DataCategory[];
  /** What else of the request processing needs, kept with the envelope (for security reports). */
  readonly details?: Pick<SpooledContext, "referer" | "clientHints">;
}

/** The categories of the endpoints that submit one kind of data. */
export const ERROR_CATEGORIES: readonly DataCategory[] = ["error"];

/**
 * The step every ingest endpoint ends with: the project's checks (key, origin), the rate limits,
 * then the spool. Resolves with the id the envelope is spooled under; throws {@link RelayError}
 * when the envelope is refused.
 */
export async function accept(context: IngestContext, request: FastifyRequest, submission: Submission): Promise<string> {
  const { deps } = context;
  const { projectId, auth, envelope, categories, details } = submission;
  const fromRelay = deps.downstreamRelays ? trustedRelayClientIp(request, envelope.payload, deps.downstreamRelays) : undefined;
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
    const refusal = checkProjectAccess(project, auth.publicKey) ?? checkOrigin(project!, header(request, "origin"), header(request, "referer"));
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
  const id = envelope.eventId ?? newEventId();
  try {
    await deps.spool.enqueue({
      id,
      projectId,
      receivedAt: context.now(),
      context: {
        publicKey: auth.publicKey,
        client: auth.client ?? header(request, "user-agent"),
        clientIp: fromRelay?.value ?? request.ip,
        forwardedFor: forwardedFor(request),
        userAgent: header(request, "user-agent"),
        origin: header(request, "origin"),
        version: auth.auth.version,
        ...details,
      },
      payload: envelope.payload,
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

/**
 * {@link accept} for senders that must not retry (cron jobs, browsers' NEL reports, OTLP log
 * exporters): data refused for the rate limits is dropped quietly, as Sentry's Relay does.
 */
export async function acceptUnlessLimited(context: IngestContext, request: FastifyRequest, submission: Submission): Promise<void> {
  try {
    await accept(context, request, submission);
  } catch (error) {
    if (!(error instanceof RelayError && error.code === "rate_limited")) throw error;
  }
}
