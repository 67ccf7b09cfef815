import type { FastifyInstance } from "fastify";
import { closeApps } from "./http/close-apps.js";
import { buildRelay, type RelayDeps } from "./build-relay.js";
import { DownstreamRelays } from "./downstream/downstream-relays.js";
import { BodyBudget, DEFAULT_MAX_BUFFERED_BODY_BYTES } from "./http/body-budget.js";
import type { RelayServiceOptions } from "./relay-service.js";

/** What the HTTP apps of a relay (or of one of its ingest workers) are made of. */
export type RelayAppParts = Omit<RelayDeps, "bodyBudget" | "downstreamRelays" | "relayEndpoints" | "https"> & {
  /** Downstream relays trusted without asking the upstream, and how old their signatures may be. */
  readonly downstream?: RelayServiceOptions["downstream"];
  /** Keys looked up per project config request of a downstream relay (`cache.batch_size`). */
  readonly batchSize?: number | undefined;
};

/** The plain-HTTP app, how to build one more on the same parts (HTTPS), and how to close them all. */
export interface RelayApps {
  /** The first app, built at once. */
  readonly app: FastifyInstance;
  readonly buildApp: (extra?: Partial<RelayDeps>) => FastifyInstance;
  /** Closes every app built, giving requests in flight `graceMs` (see {@link closeApps}). */
  readonly closeAll: (graceMs: number) => Promise<void>;
}

/**
 * Wires the HTTP side shared by every app of one process: one body budget, the downstream relays
 * trusted (outside capture mode) and the endpoints they talk to. Each {@link RelayApps.buildApp}
 * (plain HTTP, then HTTPS) gets the same parts.
 */
export function relayApps(parts: RelayAppParts): RelayApps {
  const { downstream, batchSize, ...shared } = parts;
  const http = parts.options;
  let downstreamRelays: DownstreamRelays | undefined;
  if (http.mode !== "capture") {
    const created = DownstreamRelays.create({ staticRelays: downstream?.staticRelays ?? {}, maxAgeMs: downstream?.signatureMaxAgeMs ?? 300_000, now: downstream?.now });
    if (!created.ok) throw new Error(created.error);
    downstreamRelays = created.value;
  }
  const deps: RelayDeps = {
    ...shared,
    bodyBudget: new BodyBudget(http.maxBufferedBodyBytes ?? DEFAULT_MAX_BUFFERED_BODY_BYTES),
    downstreamRelays,
    relayEndpoints: downstreamRelays
      ? {
          relays: downstreamRelays,
          projects: parts.projects,
          upstream: http.mode === "managed" ? parts.upstream : undefined,
          maxBodyBytes: http.limits.maxApiPayloadSize,
          maxKeysPerRequest: batchSize ?? 500,
          challengeMaxAgeMs: downstream?.signatureMaxAgeMs ?? 300_000,
          now: downstream?.now,
        }
      : undefined,
  };
  const apps: FastifyInstance[] = [];
  const buildApp = (extra: Partial<RelayDeps> = {}): FastifyInstance => {
    const app = buildRelay({ ...deps, ...extra });
    apps.push(app);
    return app;
  };
  return { app: buildApp(), buildApp, closeAll: (graceMs) => closeApps(apps, graceMs, parts.logger) };
}
