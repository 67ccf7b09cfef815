import type { Logger } from "pino";
import { detailOf, headerValue, jsonOf, UpstreamNetworkError, type RelayCredentials, type UpstreamClient, type UpstreamResponse } from "./upstream-client.js";

/** Where the relay stands with its upstream. */
export type RegistrationState = "unregistered" | "registered" | "renewing" | "stopped";

/** Options of {@link RelayRegistration}. */
export interface RegistrationOptions {
  readonly client: UpstreamClient;
  readonly credentials: RelayCredentials;
  /** The relay's version, sent at registration (`x.y.z`). */
  readonly version: string;
  readonly logger: Logger;
  /** Re-authenticate this often once registered (Sentry: 600 s). */
  readonly authIntervalMs: number;
  /** Longest pause between failed attempts (Sentry: 60 s). */
  readonly maxRetryIntervalMs: number;
  /** Told about every state change (metrics). */
  readonly onStateChange?: ((state: RegistrationState) => void) | undefined;
  readonly now?: (() => number) | undefined;
}

/** Why a registration attempt failed; `stop`: the upstream told the relay never to try again. */
export type RegistrationErrorCode = "network" | "refused" | "signature" | "not_found" | "upstream_error" | "invalid_answer" | "stop";

/** A failed registration attempt, with what the operator should look at. */
export class RegistrationError extends Error {
  /** Stable machine-readable identifier. */
  readonly code: RegistrationErrorCode;
  /** The upstream's HTTP status, when it answered. */
  readonly status: number | undefined;

  constructor(code: RegistrationErrorCode, message: string, options: { readonly status?: number | undefined; readonly cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "RegistrationError";
    this.code = code;
    this.status = options.status;
  }
}

/** Pause before attempt `n` (0-based) after failures: 0 s, then 1 s growing by half each time, capped. */
export function registrationBackoff(attempt: number, maxMs: number): number {
  if (attempt <= 0) return 0;
  return Math.min(maxMs, 1000 * 1.5 ** (attempt - 1));
}

const CHALLENGE_PATH = "/api/0/relays/register/challenge/";
const RESPONSE_PATH = "/api/0/relays/register/response/";

function isStop(response: UpstreamResponse): boolean {
  const json = jsonOf(response) as { relay?: unknown } | undefined;
  return response.status === 403 && json?.relay === "stop";
}

/**
 * Registers the relay with its upstream by challenge and response, keeps it registered by
 * re-authenticating every `authIntervalMs`, and retries failures with backoff. Every failure is
 * logged with its probable cause. An answer `403 {"relay":"stop"}` ends all attempts.
 */
export class RelayRegistration {
  private readonly options: RegistrationOptions;
  private current: RegistrationState = "unregistered";
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private abort: AbortController | undefined;
  private failures = 0;
  private readonly waiters = new Set<() => void>();
  private readonly listeners = new Set<(state: RegistrationState) => void>();
  private readonly attemptListeners = new Set<(succeeded: boolean) => void>();
  /** The last failure, for health and diagnostics. */
  lastError: RegistrationError | undefined;

  constructor(options: RegistrationOptions) {
    this.options = options;
  }

  get state(): RegistrationState {
    return this.current;
  }

  /** Whether signed requests can be made (registered, also while renewing). */
  isRegistered(): boolean {
    return this.current === "registered" || this.current === "renewing";
  }

  /** Resolves once registered; immediately if already. Never resolves after a stop. */
  whenRegistered(): Promise<void> {
    if (this.isRegistered()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  /** Calls `listener` on every state change; returns a function that removes it. */
  onChange(listener: (state: RegistrationState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `listener` after every attempt with whether it succeeded; returns a function that removes it. */
  onAttempt(listener: (succeeded: boolean) => void): () => void {
    this.attemptListeners.add(listener);
    return () => this.attemptListeners.delete(listener);
  }

  /** Starts registering (at once) and keeps the registration fresh. */
  start(): void {
    if (this.running || this.current === "stopped") return;
    this.running = true;
    this.schedule(0);
  }

  /** Re-authenticates now (the upstream no longer knows the relay's token, say). */
  renew(): void {
    if (this.running) this.schedule(0);
  }

  /** Stops all attempts. */
  close(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.abort?.abort();
  }

  /** One challenge + response exchange; resolves when the upstream accepted the relay. */
  async register(signal?: AbortSignal): Promise<void> {
    const { client, credentials, version } = this.options;
    const challenge = await this.exchange(
      CHALLENGE_PATH,
      { relay_id: credentials.relayId, public_key: credentials.publicKey, version },
      { step: "challenge", signal },
    );
    const answer = jsonOf(challenge) as { relay_id?: unknown; token?: unknown } | undefined;
    if (typeof answer?.token !== "string") {
      throw new RegistrationError(
        "invalid_answer",
        `${client.url(CHALLENGE_PATH)} answered ${challenge.status} without a token: is relay.upstream the origin of a Sentry server (or of a relay)?`,
        { status: challenge.status },
      );
    }
    const response = await this.exchange(RESPONSE_PATH, { relay_id: credentials.relayId, token: answer.token, version }, { step: "response", signal });
    const confirmed = jsonOf(response) as { relay_id?: unknown } | undefined;
    if (typeof confirmed?.relay_id !== "string") {
      throw new RegistrationError("invalid_answer", `${client.url(RESPONSE_PATH)} answered ${response.status} without a relay_id`, { status: response.status });
    }
  }

  private async exchange(path: string, body: unknown, how: { readonly step: "challenge" | "response"; readonly signal?: AbortSignal | undefined }): Promise<UpstreamResponse> {
    const { client, credentials } = this.options;
    const { step, signal } = how;
    let response: UpstreamResponse;
    try {
      response = await client.signedJson(path, body, { credentials, signal });
    } catch (error) {
      if (error instanceof UpstreamNetworkError) {
        throw new RegistrationError("network", `the upstream ${client.origin} is unreachable: ${error.message}`, { cause: error });
      }
      throw error;
    }
    if (response.status >= 200 && response.status < 300) return response;
    if (isStop(response)) {
      throw new RegistrationError("stop", `the upstream refuses this relay for good (${detailOf(response)}); it will not try again until restarted`, { status: 403 });
    }
    throw this.explain(response, step);
  }

  /** Turns a refusal into the probable cause an operator can act on. */
  private explain(response: UpstreamResponse, step: "challenge" | "response"): RegistrationError {
    const { client, credentials } = this.options;
    const detail = detailOf(response);
    const status = response.status;
    const skew = this.clockSkewSeconds(response);
    const skewNote = skew !== undefined && Math.abs(skew) > 30 ? ` This machine's clock is ${Math.abs(skew)} s ${skew > 0 ? "ahead of" : "behind"} the upstream's: fix the clock (NTP).` : "";
    if (status === 404 || status === 405) {
      return new RegistrationError(
        "not_found",
        `${client.url(step === "challenge" ? CHALLENGE_PATH : RESPONSE_PATH)} does not exist (${status}): relay.upstream must be the origin of a Sentry server, without a path`,
        { status },
      );
    }
    if (/signature|expired/i.test(detail) || skewNote !== "") {
      return new RegistrationError(
        "signature",
        `the upstream rejected the relay's signature (${status}: ${detail}): check the clock of this machine.${skewNote}`,
        { status },
      );
    }
    if (status === 401 || status === 403 || (step === "challenge" && status === 400 && /allowed|public key|relay/i.test(detail))) {
      return new RegistrationError(
        "refused",
        `the upstream refused this relay's public key ${credentials.publicKey} (${status}: ${detail}): allow it in Sentry under Settings → Relays (or SENTRY_RELAY_WHITELIST_PK on a self-hosted server)`,
        { status },
      );
    }
    if (status >= 500) return new RegistrationError("upstream_error", `the upstream failed (${status}: ${detail}); retrying`, { status });
    return new RegistrationError("invalid_answer", `the upstream answered ${status} to the registration ${step}: ${detail}`, { status });
  }

  /** Upstream clock minus ours, in seconds, from the answer's `Date`. */
  private clockSkewSeconds(response: UpstreamResponse): number | undefined {
    const date = headerValue(response.headers, "date");
    if (!date) return undefined;
    const upstream = Date.parse(date);
    if (Number.isNaN(upstream)) return undefined;
    return Math.round(((this.options.now ?? Date.now)() - upstream) / 1000);
  }

  private setState(state: RegistrationState): void {
    if (state === this.current) return;
    this.current = state;
    this.options.onStateChange?.(state);
    for (const listener of this.listeners) listener(state);
    if (this.isRegistered()) {
      for (const wake of this.waiters) wake();
      this.waiters.clear();
    }
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.attempt(), delayMs);
    this.timer.unref();
  }

  private async attempt(): Promise<void> {
    const { logger, credentials } = this.options;
    const renewing = this.isRegistered();
    if (renewing) this.setState("renewing");
    this.abort = new AbortController();
    try {
      await this.register(this.abort.signal);
      if (!this.running) return;
      if (!renewing || this.failures > 0) logger.info({ relayId: credentials.relayId, upstream: this.options.client.origin }, "registered with the upstream");
      this.failures = 0;
      this.lastError = undefined;
      this.setState("registered");
      for (const listener of this.attemptListeners) listener(true);
      this.schedule(this.options.authIntervalMs);
    } catch (error) {
      if (!this.running) return;
      const failure = error instanceof RegistrationError ? error : new RegistrationError("network", (error as Error).message, { cause: error });
      this.lastError = failure;
      for (const listener of this.attemptListeners) listener(false);
      if (failure.code === "stop") {
        logger.error({ upstream: this.options.client.origin }, failure.message);
        this.running = false;
        this.setState("stopped");
        return;
      }
      // A renewal that fails on the network keeps the relay working; a refusal does not.
      if (!renewing || failure.code !== "network") this.setState("unregistered");
      this.failures++;
      const delay = registrationBackoff(this.failures - 1, this.options.maxRetryIntervalMs);
      logger.warn(
        { upstream: this.options.client.origin, reason: failure.code, retryInSeconds: Math.round(delay / 100) / 10 },
        `registration with the upstream failed: ${failure.message}`,
      );
      this.schedule(delay);
    }
  }
}
