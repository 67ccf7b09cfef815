import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { decodeBase64UrlPublicKey } from "@org/identity";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { DownstreamAuthError, DownstreamRelay, DownstreamRelays } from "../downstream/downstream-relays.js";
import { readBody, type BodyRule } from "../http/read-body.js";
import { forwardedFor } from "../http/forwarded-for.js";
import type { ProjectState, ProjectStates } from "../projects/project-state.js";
import { UpstreamNetworkError, type UpstreamClient } from "../upstream/upstream-client.js";
import { endToEndHeaders } from "./upstream-proxy.js";

/** Options of {@link registerRelayEndpoints}. */
export interface RelayEndpointsOptions {
  readonly relays: DownstreamRelays;
  readonly projects: ProjectStates;
  /** Managed mode: requests of relays not in `auth.static_relays` go to the upstream, as Sentry's Relay does. */
  readonly upstream?: UpstreamClient | undefined;
  /** Largest request body (`limits.max_api_payload_size`). */
  readonly maxBodyBytes: number;
  /** Keys looked up per project config request at most; the rest are answered `pending`. */
  readonly maxKeysPerRequest: number;
  /** How long a registration challenge stays valid, in milliseconds. */
  readonly challengeMaxAgeMs: number;
  readonly now?: (() => number) | undefined;
  /** Secret for challenge tokens (random per process when absent). */
  readonly tokenSecret?: Uint8Array | undefined;
}

const PROJECT_KEY = /^[0-9a-f]{32}$/;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function refuse(reply: FastifyReply, error: DownstreamAuthError): FastifyReply {
  return reply.code(error.kind === "bad_request" ? 400 : 401).send({ detail: error.message, causes: [] });
}

function parseJson(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(body.toString("utf8")) as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A project config in the shape relays exchange (`projectconfigs`), from what this relay knows. */
function projectConfigJson(state: ProjectState): Record<string, unknown> {
  return {
    projectId: /^\d+$/.test(state.projectId) ? Number(state.projectId) : state.projectId,
    ...(state.slug === undefined ? {} : { slug: state.slug }),
    disabled: state.disabled,
    publicKeys: state.publicKeys ?? [],
    config: state.config,
  };
}

/**
 * The endpoints a downstream relay talks to: registration (challenge and response), project
 * configs (version 3: `configs`, `pending`, `global`) answered from this relay's own project
 * cache, and the public keys of known relays. Relays listed in `auth.static_relays` are served
 * here; in managed mode the requests of other relays are forwarded to the upstream, elsewhere they
 * get 401. Every signed request is checked before anything is looked up.
 */
export function registerRelayEndpoints(app: FastifyInstance, options: RelayEndpointsOptions): void {
  const { relays } = options;
  const now = options.now ?? Date.now;
  const secret = options.tokenSecret ?? randomBytes(32);

  const bodyRule: BodyRule = { limit: options.maxBodyBytes, what: "the request body" };
  const readRaw = (request: FastifyRequest): Promise<Buffer> => readBody(request, bodyRule);

  /** Forwards a request of a relay this one does not know to the upstream (managed mode). */
  const forward = async (request: FastifyRequest, reply: FastifyReply, body: Buffer): Promise<boolean> => {
    if (!options.upstream) return false;
    const headers = endToEndHeaders(request.headers);
    delete headers["content-length"];
    headers["x-forwarded-for"] = forwardedFor(request);
    try {
      const response = await options.upstream.send({ method: "POST", path: request.url, headers, body });
      await reply.code(response.status).headers(endToEndHeaders(response.headers)).send(response.body);
    } catch (error) {
      if (!(error instanceof UpstreamNetworkError)) throw error;
      await reply.code(502).send({ detail: "the upstream cannot be reached", causes: [error.message] });
    }
    return true;
  };

  const token = (relayId: string, publicKey: string): string => {
    const payload = Buffer.from(JSON.stringify({ r: relayId, k: publicKey, t: now() })).toString("base64url");
    return `${payload}.${createHmac("sha256", secret).update(payload).digest("base64url")}`;
  };
  const readToken = (text: string): { r: string; k: string; t: number } | undefined => {
    const [payload, mac] = text.split(".");
    if (!payload || !mac) return undefined;
    const expected = createHmac("sha256", secret).update(payload).digest();
    const given = Buffer.from(mac, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const state = parseJson(Buffer.from(payload, "base64url"));
    if (typeof state?.r !== "string" || typeof state.k !== "string" || typeof state.t !== "number") return undefined;
    return { r: state.r, k: state.k, t: state.t };
  };

  /** Checks a signed request of a known relay, or forwards it upstream (managed), or refuses it. */
  const signed = async (request: FastifyRequest, reply: FastifyReply): Promise<{ relay: DownstreamRelay; json: Record<string, unknown> } | FastifyReply> => {
    const body = await readRaw(request);
    const relayId = header(request, "x-sentry-relay-id");
    if (relayId && !relays.get(relayId) && (await forward(request, reply, body))) return reply;
    const verified = relays.verify(relayId, header(request, "x-sentry-relay-signature"), body);
    if (!verified.ok) return refuse(reply, verified.error);
    const json = parseJson(body);
    if (!json) return refuse(reply, { kind: "bad_request", message: "invalid JSON data" });
    return { relay: verified.value, json };
  };

  app.post("/api/0/relays/register/challenge/", async (request, reply) => {
    const body = await readRaw(request);
    const json = parseJson(body);
    const relayId = header(request, "x-sentry-relay-id");
    if (!json || typeof json.relay_id !== "string" || typeof json.public_key !== "string") {
      return refuse(reply, { kind: "bad_request", message: "invalid JSON data: relay_id and public_key are required" });
    }
    const known = relays.get(json.relay_id);
    if (!known) return (await forward(request, reply, body)) ? reply : refuse(reply, { kind: "unknown_relay", message: "unknown relay id" });
    if (relayId?.toLowerCase() !== json.relay_id.toLowerCase()) return refuse(reply, { kind: "bad_request", message: "relay_id in the body does not match x-sentry-relay-id" });
    if (json.public_key !== known.publicKey) return refuse(reply, { kind: "unknown_relay", message: "the public key is not the one configured for this relay id" });
    const key = decodeBase64UrlPublicKey(json.public_key);
    if (!key.ok) return refuse(reply, { kind: "bad_request", message: `invalid public key: ${key.error.message}` });
    const verified = relays.verifyWithKey(json.relay_id, key.value, { signature: header(request, "x-sentry-relay-signature"), body });
    if (!verified.ok) return refuse(reply, verified.error);
    return { relay_id: known.relayId, token: token(known.relayId, known.publicKey) };
  });

  app.post("/api/0/relays/register/response/", async (request, reply) => {
    const result = await signed(request, reply);
    if (!("relay" in result)) return result;
    const { relay, json } = result;
    const state = typeof json.token === "string" ? readToken(json.token) : undefined;
    if (state?.r !== relay.relayId || state.k !== relay.publicKey) return refuse(reply, { kind: "bad_signature", message: "invalid challenge token" });
    if (now() - state.t > options.challengeMaxAgeMs) return refuse(reply, { kind: "expired", message: "the challenge token expired" });
    return { relay_id: relay.relayId };
  });

  app.post<{ Querystring: { version?: string } }>("/api/0/relays/projectconfigs/", async (request, reply) => {
    const version = Number(request.query.version ?? "0");
    if (version < 3) {
      return reply.code(400).send({ detail: "This API version is no longer supported, upgrade your Relay or Client", causes: [] });
    }
    const result = await signed(request, reply);
    if (!("relay" in result)) return result;
    const { relay, json } = result;
    if (!Array.isArray(json.publicKeys)) return refuse(reply, { kind: "bad_request", message: "invalid JSON data: publicKeys must be a list" });
    const keys = [...new Set((json.publicKeys as unknown[]).filter((key): key is string => typeof key === "string" && PROJECT_KEY.test(key)))];
    const configs: Record<string, unknown> = {};
    const pending: string[] = [];
    keys.forEach((key, index) => {
      // Beyond the per-request bound the keys are not looked up now: the downstream asks again.
      if (index >= options.maxKeysPerRequest) {
        pending.push(key);
        return;
      }
      const state = options.projects.peekByKey ? options.projects.peekByKey(key) : null;
      if (state === undefined) pending.push(key);
      else if (state && !state.disabled && (relay.internal || state.config.trustedRelays.includes(relay.publicKey))) configs[key] = projectConfigJson(state);
    });
    return {
      configs,
      ...(pending.length > 0 ? { pending } : {}),
      ...(json.global === true ? { global: {}, globalStatus: "ready" } : {}),
    };
  });

  app.post("/api/0/relays/publickeys/", async (request, reply) => {
    const result = await signed(request, reply);
    if (!("relay" in result)) return result;
    const ids = Array.isArray(result.json.relay_ids) ? (result.json.relay_ids as unknown[]).filter((id): id is string => typeof id === "string").slice(0, options.maxKeysPerRequest) : [];
    const answer: Record<string, { publicKey: string; internal: boolean } | null> = {};
    for (const id of ids) {
      const relay = relays.get(id);
      answer[id] = relay ? { publicKey: relay.publicKey, internal: relay.internal } : null;
    }
    return { relays: answer };
  });
}
