import type { FastifyRequest } from "fastify";
import type { DataCategory } from "@org/protocol/rate-limits";
import type { BodyLease } from "../http/body-budget.js";
import type { Authenticated } from "../ingest/authenticate.js";
import type { OutcomeSink } from "../outcomes.js";
import { RelayError } from "../relay-error.js";
import type { RelayLimits } from "../relay-options.js";

/** Path parameters of every `/api/{project_id}/...` endpoint. */
export interface ProjectParams {
  projectId: string;
}

/**
 * What the ingest endpoints share: reading bodies within the relay's memory budget, and accepting
 * an envelope (project checks, rate limits, spool) once it is built.
 */
export interface EndpointContext {
  readonly limits: RelayLimits;
  /** Whether public keys must look like real Sentry keys (outside capture mode). */
  readonly strictKey: boolean;
  /** Clock in milliseconds since the epoch. */
  readonly now: () => number;
  /** Where records the relay drops while converting a request (invalid spans, say) are counted. */
  readonly outcomes: OutcomeSink;
  /** Longest wait for a request body. */
  readonly bodyTimeout: number;
  /** Checks and spools an envelope; resolves with its id. Throws {@link RelayError} when refused. */
  accept(request: FastifyRequest, projectId: string, auth: Authenticated, envelope: Uint8Array, eventId: string | undefined, categories: readonly DataCategory[]): Promise<string>;
  /** Reads a request body and undoes its Content-Encoding, within `limit` bytes. */
  readDecoded(request: FastifyRequest, limit: number, what: string): Promise<Uint8Array>;
  /** The request's share of the body budget. */
  lease(request: FastifyRequest): BodyLease;
}

const PROJECT_ID = /^\d{1,20}$/;

/** The first value of a request header. */
export function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The project id of the path, normalized (`007` is `7`), or a 400. */
export function projectIdOf(request: FastifyRequest<{ Params: ProjectParams }>): string {
  const { projectId } = request.params;
  if (!PROJECT_ID.test(projectId)) {
    throw new RelayError("invalid_project_id", "invalid project id", { causes: [`"${projectId}" is not a number`] });
  }
  return String(BigInt(projectId));
}

/** The media type of the request without parameters, lower case (`application/json`). */
export function mediaType(request: FastifyRequest): string {
  return (header(request, "content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}
