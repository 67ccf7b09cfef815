import { createHmac, createPublicKey, randomBytes, timingSafeEqual, verify } from "node:crypto";
import type { Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { gunzipSync, inflateSync } from "node:zlib";
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import { DEADLINE_MS } from "./wait.js";

/** An envelope the fake upstream accepted. */
export interface ReceivedEnvelope {
  readonly projectId: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The envelope's own header (first line). */
  readonly envelopeHeader: Record<string, unknown>;
  /** The decompressed envelope bytes. */
  readonly body: Buffer;
  /** Item types with their parsed JSON payloads (when JSON). */
  readonly items: readonly { readonly type: string; readonly payload: unknown }[];
  /** `event_id` of the envelope header, if any. */
  readonly eventId: string | undefined;
}

/** How the fake upstream answers envelope requests. */
export type IntakeBehaviour =
  | { readonly kind: "accept" }
  | { readonly kind: "status"; readonly status: number; readonly headers?: Readonly<Record<string, string>> }
  | { readonly kind: "hang" }
  | { readonly kind: "drop" };

/** A request to any endpoint, as the fake upstream saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** A relay that completed registration. */
export interface RegisteredRelay {
  readonly relayId: string;
  readonly publicKey: string;
  readonly version: string;
  readonly registeredAt: number;
}

/** Options of {@link startFakeUpstream}. */
export interface FakeUpstreamOptions {
  /** Public keys (base64url) allowed to register; `undefined` allows every key. */
  readonly allowedRelays?: readonly string[] | undefined;
  /** Project configs by client public key; a key missing here gets `null`. */
  readonly projectConfigs?: Readonly<Record<string, unknown>> | undefined;
  /** Oldest signature accepted, in seconds (Sentry: 300). */
  readonly maxSignatureAge?: number | undefined;
  /** Port to listen on (0: any free port). */
  readonly port?: number | undefined;
  /** Keep only the event ids of accepted envelopes, not the envelopes (long benchmarks). */
  readonly idsOnly?: boolean | undefined;
}

/**
 * A stand-in for Sentry's side of the relay protocol, on 127.0.0.1: registration by challenge and
 * response (verifying signatures with Node's own Ed25519, not the relay's implementation, and
 * issuing HMAC-signed tokens), project configs, envelope intake that records what it receives,
 * the live endpoint, and switches that make it misbehave.
 */
export interface FakeUpstream {
  readonly url: string;
  readonly port: number;
  /** Envelopes accepted, in arrival order (empty with `idsOnly`). */
  readonly envelopes: ReceivedEnvelope[];
  /** Event ids of accepted envelopes, in arrival order (duplicates included). */
  readonly eventIds: (string | undefined)[];
  /** Every request, in arrival order. */
  readonly requests: SeenRequest[];
  /** Relays that completed registration, by relay id. */
  readonly registered: Map<string, RegisteredRelay>;
  /** Project configs by public key (mutable). */
  readonly projectConfigs: Map<string, unknown>;
  /** Changes how envelope requests are answered. */
  intake(behaviour: IntakeBehaviour): void;
  /** Answers registration with `403 {"relay":"stop"}` from now on (or stops doing so). */
  stopRelays(stop: boolean): void;
  /** Changes which relay keys may register (`undefined`: all). */
  allowRelays(keys: readonly string[] | undefined): void;
  /** Shifts the clock the upstream checks signatures against (and sends in `Date`). */
  skewClock(ms: number): void;
  /** Resolves once `count` envelopes were accepted; rejects after `timeoutMs` ({@link DEADLINE_MS} by default). */
  waitForEnvelopes(count: number, timeoutMs?: number): Promise<ReceivedEnvelope[]>;
  /** Closes the listener and every open connection (an outage); {@link start} brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function bodyOf(request: FastifyRequest): Buffer {
  return (request.body as Buffer | undefined) ?? Buffer.alloc(0);
}

function decodeBase64Url(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

/**
 * Checks a request's relay signature with node:crypto, the way Sentry does; returns a reason when
 * it fails.
 */
function checkSignature(request: FastifyRequest, publicKey: string, clock: { readonly now: number; readonly maxAge: number }): string | undefined {
  const body = bodyOf(request);
  const signature = header(request, "x-sentry-relay-signature");
  const { now, maxAge } = clock;
  if (!signature) return "missing signature";
  const [sig, head] = signature.split(".");
  if (!sig || !head) return "malformed signature";
  const headerBytes = decodeBase64Url(head);
  let signedAt: number;
  try {
    const parsed = JSON.parse(headerBytes.toString("utf8")) as { t?: unknown };
    if (typeof parsed.t !== "string") return "signature header without time";
    signedAt = Date.parse(parsed.t.replace(/(\.\d{3})\d*Z$/, "$1Z"));
  } catch {
    return "malformed signature header";
  }
  const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: publicKey }, format: "jwk" });
  const message = Buffer.concat([headerBytes, Buffer.from([0]), body]);
  if (!verify(null, message, key, decodeBase64Url(sig))) return "bad signature";
  if (Number.isNaN(signedAt) || now - signedAt > maxAge * 1000 || signedAt - now > 60_000) return "signature expired";
  return undefined;
}

function parseEnvelopeItems(body: Buffer): { header: Record<string, unknown>; items: { type: string; payload: unknown }[] } {
  const headerEnd = body.indexOf(10);
  const header = JSON.parse(body.subarray(0, headerEnd === -1 ? body.length : headerEnd).toString("utf8")) as Record<string, unknown>;
  const items: { type: string; payload: unknown }[] = [];
  let position = headerEnd === -1 ? body.length : headerEnd + 1;
  while (position < body.length) {
    const lineEnd = body.indexOf(10, position);
    const line = body.subarray(position, lineEnd === -1 ? body.length : lineEnd);
    if (line.length === 0) break;
    const itemHeader = JSON.parse(line.toString("utf8")) as { type: string; length?: number };
    const payloadStart = lineEnd === -1 ? body.length : lineEnd + 1;
    const newline = body.indexOf(10, payloadStart);
    const payloadEnd = typeof itemHeader.length === "number" ? payloadStart + itemHeader.length : newline === -1 ? body.length : newline;
    const raw = body.subarray(payloadStart, payloadEnd);
    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString("utf8"));
    } catch {
      payload = raw;
    }
    items.push({ type: itemHeader.type, payload });
    position = payloadEnd + 1;
  }
  return { header, items };
}

/** Starts a {@link FakeUpstream}. */
export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const secret = randomBytes(32);
  const maxAge = options.maxSignatureAge ?? 300;
  let allowed = options.allowedRelays ? new Set(options.allowedRelays) : undefined;
  let stopAll = false;
  let skew = 0;
  let behaviour: IntakeBehaviour = { kind: "accept" };
  const envelopes: ReceivedEnvelope[] = [];
  const eventIds: (string | undefined)[] = [];
  const requests: SeenRequest[] = [];
  const registered = new Map<string, RegisteredRelay>();
  const projectConfigs = new Map<string, unknown>(Object.entries(options.projectConfigs ?? {}));
  const sockets = new Set<Socket>();
  const waiters = new Set<() => void>();
  const now = (): number => Date.now() + skew;

  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 200 * 1024 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => {
    done(null, body);
  });
  app.addHook("onRequest", (request, reply, done) => {
    void reply.header("date", new Date(now()).toUTCString());
    done();
  });
  app.addHook("preHandler", (request, _reply, done) => {
    if (!options.idsOnly) requests.push({ method: request.method, url: request.url, headers: request.headers, body: (request.body as Buffer | undefined) ?? Buffer.alloc(0) });
    done();
  });
  app.server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  const makeToken = (state: object): string => {
    const payload = Buffer.from(JSON.stringify(state)).toString("base64url");
    const mac = createHmac("sha512", secret).update(payload).digest("base64url");
    return `${payload}:${mac}`;
  };
  const readToken = (token: string): { relay_id: string; public_key: string; t: number } | undefined => {
    const [payload, mac] = token.split(":");
    if (!payload || !mac) return undefined;
    const expected = createHmac("sha512", secret).update(payload).digest();
    const given = Buffer.from(mac, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { relay_id: string; public_key: string; t: number };
  };
  const jsonOf = (request: FastifyRequest): Record<string, unknown> | undefined => {
    try {
      const value = JSON.parse(bodyOf(request).toString("utf8")) as unknown;
      return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };

  app.post("/api/0/relays/register/challenge/", (request, reply) => {
    if (stopAll) return reply.code(403).send({ detail: "Relay version not supported", relay: "stop" });
    const body = jsonOf(request);
    const relayId = header(request, "x-sentry-relay-id");
    if (!body || typeof body.public_key !== "string" || typeof body.relay_id !== "string") return reply.code(400).send({ detail: "Invalid request body" });
    if (relayId !== body.relay_id) return reply.code(400).send({ detail: "relay_id in body does not match header" });
    if (allowed && !allowed.has(body.public_key)) return reply.code(401).send({ detail: "Relay is not allowed to register" });
    let problem: string | undefined;
    try {
      problem = checkSignature(request, body.public_key, { now: now(), maxAge });
    } catch {
      problem = "invalid public key";
    }
    if (problem === "signature expired") return reply.code(401).send({ detail: "Challenge expired" });
    if (problem) return reply.code(400).send({ detail: `Invalid relay signature: ${problem}` });
    const token = makeToken({ relay_id: body.relay_id, public_key: body.public_key, version: body.version, t: now() });
    return reply.send({ relay_id: body.relay_id, token });
  });

  app.post("/api/0/relays/register/response/", (request, reply) => {
    if (stopAll) return reply.code(403).send({ detail: "Relay version not supported", relay: "stop" });
    const body = jsonOf(request);
    if (!body || typeof body.token !== "string" || typeof body.relay_id !== "string") return reply.code(400).send({ detail: "Invalid request body" });
    const state = readToken(body.token);
    if (state?.relay_id !== body.relay_id) return reply.code(401).send({ detail: "Invalid token" });
    const problem = checkSignature(request, state.public_key, { now: now(), maxAge });
    if (problem === "signature expired") return reply.code(401).send({ detail: "Challenge expired" });
    if (problem) return reply.code(401).send({ detail: `Invalid relay signature: ${problem}` });
    registered.set(body.relay_id, {
      relayId: body.relay_id,
      publicKey: state.public_key,
      version: typeof body.version === "string" ? body.version : "",
      registeredAt: now(),
    });
    return reply.send({ relay_id: body.relay_id });
  });

  const authenticatedRelay = (request: FastifyRequest, reply: FastifyReply): RegisteredRelay | undefined => {
    const relay = registered.get(header(request, "x-sentry-relay-id") ?? "");
    if (!relay) {
      void reply.code(401).send({ detail: "Relay is not authenticated" });
      return undefined;
    }
    const problem = checkSignature(request, relay.publicKey, { now: now(), maxAge });
    if (problem) {
      void reply.code(401).send({ detail: `Invalid relay signature: ${problem}` });
      return undefined;
    }
    return relay;
  };

  app.post("/api/0/relays/projectconfigs/", (request, reply) => {
    if (!authenticatedRelay(request, reply)) return reply;
    const body = jsonOf(request);
    const keys = Array.isArray(body?.publicKeys) ? (body.publicKeys as unknown[]) : undefined;
    if (!keys) return reply.code(400).send({ detail: "publicKeys missing" });
    const configs: Record<string, unknown> = {};
    for (const key of keys) if (typeof key === "string") configs[key] = projectConfigs.get(key) ?? null;
    return reply.send({ configs });
  });

  app.get("/api/0/relays/live/", (_request, reply) => reply.send({ is_healthy: true }));

  app.post("/api/:projectId/envelope/", (request, reply) => {
    const current = behaviour;
    if (current.kind === "hang") return reply.hijack();
    if (current.kind === "drop") {
      request.raw.socket.destroy();
      return reply.hijack();
    }
    if (current.kind === "status") return reply.code(current.status).headers(current.headers ?? {}).send({ detail: `answered ${current.status} on purpose` });
    const auth = header(request, "x-sentry-auth") ?? "";
    if (!/sentry_key=[0-9a-f]{32}/.test(auth)) return reply.code(401).send({ detail: "missing authorization information" });
    const encoding = header(request, "content-encoding");
    let body = bodyOf(request);
    try {
      if (encoding === "gzip") body = gunzipSync(body);
      else if (encoding === "deflate") body = inflateSync(body);
      const parsed = parseEnvelopeItems(body);
      const eventItem = parsed.items.find((item) => item.type === "event" || item.type === "transaction")?.payload as { event_id?: unknown } | undefined;
      const headerId = typeof parsed.header.event_id === "string" ? parsed.header.event_id : undefined;
      const eventId = headerId ?? (typeof eventItem?.event_id === "string" ? eventItem.event_id : undefined);
      eventIds.push(eventId);
      if (!options.idsOnly) envelopes.push({
        projectId: (request.params as { projectId: string }).projectId,
        headers: request.headers,
        envelopeHeader: parsed.header,
        body,
        items: parsed.items,
        eventId,
      });
      for (const wake of waiters) wake();
      return reply.send({ id: eventId ?? null });
    } catch (error) {
      return reply.code(400).send({ detail: `invalid envelope: ${(error as Error).message}` });
    }
  });

  app.all("/api/*", (request, reply) =>
    reply.send({ echo: true, method: request.method, url: request.url, forwardedFor: header(request, "x-forwarded-for") ?? null }),
  );

  let port = options.port ?? 0;
  await app.listen({ host: "127.0.0.1", port });
  port = (app.server.address() as AddressInfo).port;
  let listening = true;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    envelopes,
    eventIds,
    requests,
    registered,
    projectConfigs,
    intake(next) {
      behaviour = next;
    },
    stopRelays(stop) {
      stopAll = stop;
    },
    allowRelays(keys) {
      allowed = keys ? new Set(keys) : undefined;
    },
    skewClock(ms) {
      skew = ms;
    },
    waitForEnvelopes(count, timeoutMs = DEADLINE_MS) {
      if (envelopes.length >= count) return Promise.resolve(envelopes.slice());
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (envelopes.length < count) return;
          cleanup();
          resolve(envelopes.slice());
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`the fake upstream got ${envelopes.length} of ${count} envelopes within ${timeoutMs} ms`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
      });
    },
    async stop() {
      if (!listening) return;
      listening = false;
      const closed = new Promise<void>((resolve) => app.server.close(() => { resolve(); }));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    async start() {
      if (listening) return;
      await new Promise<void>((resolve, reject) => {
        app.server.once("error", reject);
        app.server.listen(port, "127.0.0.1", () => {
          app.server.off("error", reject);
          resolve();
        });
      });
      listening = true;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      if (listening) await app.close();
      listening = false;
    },
  };
}
