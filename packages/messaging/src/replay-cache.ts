/**
 * Remembers the signatures of accepted messages for a while, so that a captured message replayed
 * within the time window (on any subject) is refused. Old peers notice nothing.
 */
export class ReplayCache {
  private readonly seen = new Map<string, number>();
  private readonly windowMs: number;

  /** `windowMs` should be at least twice the allowed skew. */
  constructor(windowMs: number) {
    this.windowMs = windowMs;
  }

  /** Records a signature; returns false when it was already seen within the window. */
  remember(signatureKey: string, now: number): boolean {
    this.prune(now);
    const until = this.seen.get(signatureKey);
    if (until !== undefined && until > now) return false;
    this.seen.set(signatureKey, now + this.windowMs);
    return true;
  }

  /** How many signatures are remembered. */
  get size(): number {
    return this.seen.size;
  }

  private prune(now: number): void {
    // Entries are inserted in time order, so the oldest are first.
    for (const [key, until] of this.seen) {
      if (until > now) break;
      this.seen.delete(key);
    }
  }
}
