/** Request body bytes all requests together may hold when nothing else is configured. */
export const DEFAULT_MAX_BUFFERED_BODY_BYTES = 256 * 1024 * 1024;

/** What one request holds of a {@link BodyBudget}. */
export interface BodyLease {
  /** Takes `bytes` more; `false` (and nothing taken) when the budget has no room left. */
  take(bytes: number): boolean;
  /** Gives back everything this lease took (idempotent). */
  release(): void;
}

/**
 * A cap on the request body bytes held in memory by all requests together, so that many large
 * uploads at once get 503 instead of exhausting memory.
 */
export class BodyBudget {
  private used = 0;
  readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  /** Bytes currently held. */
  get inUse(): number {
    return this.used;
  }

  lease(): BodyLease {
    let taken = 0;
    return {
      take: (bytes) => {
        if (this.used + bytes > this.max) return false;
        this.used += bytes;
        taken += bytes;
        return true;
      },
      release: () => {
        this.used -= taken;
        taken = 0;
      },
    };
  }
}
