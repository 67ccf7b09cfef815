import { extractAuth, isValidPublicKey, type RequestAuth } from "@org/protocol/auth";
import type { FastifyRequest } from "fastify";
import { RelayError } from "../relay-error.js";

/** The authentication of an ingest request, as the relay uses it. */
export interface Authenticated {
  readonly publicKey: string;
  readonly client?: string | undefined;
  /** Project id named by the auth itself (envelope dsn, legacy `project_id`). */
  readonly projectId?: string | undefined;
  readonly auth: RequestAuth;
}

const CODES = {
  missing: "missing_auth",
  multiple: "multiple_auth",
  bad_public_key: "bad_auth",
  bad_version: "bad_auth",
  bad_dsn: "bad_auth",
  missing_signature: "missing_auth",
  expired_signature: "bad_auth",
  bad_signature: "bad_auth",
} as const;

/** Finds the request's Sentry authentication or refuses the request (401/400). */
export function authenticate(request: FastifyRequest, envelopeDsn: string | undefined, strictKey: boolean): Authenticated {
  const queryAt = request.url.indexOf("?");
  const result = extractAuth({
    headers: request.headers,
    query: queryAt === -1 ? undefined : request.url.slice(queryAt + 1),
    envelopeDsn,
    strictKey,
  });
  if (!result.ok) {
    const cause = result.error.cause;
    throw new RelayError(CODES[result.error.code], result.error.message, {
      causes: typeof cause === "string" ? [cause] : [],
    });
  }
  const auth = result.value;
  // `KEY.no-cache` and other `.flag` suffixes name the same project key.
  const publicKey = isValidPublicKey(auth.key) ? auth.key.split(".")[0]! : auth.key;
  return { publicKey, client: auth.client, projectId: auth.projectId, auth };
}
