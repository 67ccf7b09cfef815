import type { RelayRegistration } from "../upstream/registration.js";
import { SpoolFullError, type Spool } from "../spool/spool.js";

/** The answer of `/api/relay/healthcheck/ready/`: ready, or not with the reasons. */
export type ReadinessReport = { readonly ready: true } | { readonly ready: false; readonly reasons: readonly string[] };

/** Options of {@link Readiness}. */
export interface ReadinessOptions {
  /** The spool as the relay uses it; pass the one {@link Readiness.watchSpool} returns to the app. */
  readonly spool: Spool;
  /** The registration upstream (managed mode). */
  readonly registration?: RelayRegistration | undefined;
  /** `authenticated` (Relay's default): a managed relay is ready once registered; `always`: regardless. */
  readonly authReady?: "authenticated" | "always" | undefined;
  /** How long a registered relay may fail to re-register before it is not ready (Relay's `http.outage_grace_period`). */
  readonly outageGraceMs?: number | undefined;
  /** Clock in milliseconds since the epoch. */
  readonly now?: (() => number) | undefined;
}

/**
 * Whether the relay should get traffic: not while its spool is full or unavailable, not while a
 * managed relay has never registered or has failed to re-register for longer than the grace, and
 * not once it is shutting down.
 */
export class Readiness {
  private readonly options: ReadinessOptions;
  private stopping = false;
  /** Spool bytes when an envelope was last refused for lack of room; cleared once the spool shrinks. */
  private fullAtBytes: number | undefined;
  private everRegistered = false;
  private failingSince: number | undefined;

  constructor(options: ReadinessOptions) {
    this.options = options;
    const registration = options.registration;
    registration?.onAttempt((succeeded) => {
      if (succeeded) {
        this.everRegistered = true;
        this.failingSince = undefined;
      } else {
        this.failingSince ??= (this.options.now ?? Date.now)();
      }
    });
  }

  /** A spool that reports refusals for lack of room here, for the HTTP app to store into. */
  watchSpool(spool: Spool): Spool {
    return {
      ...spool,
      enqueue: async (envelope) => {
        try {
          await spool.enqueue(envelope);
          this.fullAtBytes = undefined;
        } catch (error) {
          if (error instanceof SpoolFullError) this.fullAtBytes = spool.stats().bytes;
          throw error;
        }
      },
      claim: (max) => spool.claim(max),
      ack: (handles) => spool.ack(handles),
      retry: (handles, delayMs) => spool.retry(handles, delayMs),
      stats: () => spool.stats(),
      close: () => spool.close(),
      ...(spool.available ? { available: () => spool.available?.() ?? true } : {}),
    };
  }

  /** From now on the relay is not ready: it is shutting down. */
  shutDown(): void {
    this.stopping = true;
  }

  /** Whether the relay is ready now, and why not. */
  check(): ReadinessReport {
    const reasons: string[] = [];
    const { spool, registration } = this.options;
    if (this.stopping) reasons.push("the relay is shutting down");
    if (this.fullAtBytes !== undefined) {
      if (spool.stats().bytes < this.fullAtBytes) this.fullAtBytes = undefined;
      else reasons.push("the spool is full (spool.max_disk_size)");
    }
    if (spool.available && !spool.available()) reasons.push("the spool is unavailable");
    if (registration && this.options.authReady !== "always") {
      const now = (this.options.now ?? Date.now)();
      const grace = this.options.outageGraceMs ?? 10_000;
      const cause = registration.lastError ? `: ${registration.lastError.message}` : "";
      if (registration.state === "stopped") reasons.push(`the upstream refused this relay for good${cause}`);
      else if (!this.everRegistered && !registration.isRegistered()) reasons.push(`not registered with the upstream yet${cause}`);
      else if (this.failingSince !== undefined && now - this.failingSince > grace) {
        reasons.push(`registration with the upstream has failed for ${Math.round((now - this.failingSince) / 1000)} s${cause}`);
      }
    }
    return reasons.length === 0 ? { ready: true } : { ready: false, reasons };
  }
}
