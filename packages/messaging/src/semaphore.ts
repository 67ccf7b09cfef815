import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { KV, KvEntry, NatsConnection } from "nats";
import { KeyCas } from "./key-cas.js";
import { acquireVerb, senderIdentity } from "./authorization.js";
import { MessagingError } from "./messaging-error.js";
import type { Identity, RemaphoreConfig } from "./remaphore-config.js";
import { rewriteRecords, signRecord, viewSemaphore, type Observations, type RecordKind, type SemaphoreRecord, type SemaphoreView } from "./semaphore-state.js";

/** Options of {@link openSemaphore}. */
export interface SemaphoreOptions {
  /** The semaphore's name (a key of the bucket: letters, digits, `-`, `_`, dots between parts). */
  readonly name: string;
  /** Slots (`-n`, default 1). */
  readonly slots?: number;
  /** How long our slot outlives our last heartbeat (default the config's `semaphore_ttl`). */
  readonly ttlMs?: number;
  /** `-p`: the identity to sign with (default `default_identity`); it must allow `acquire:<name>`. */
  readonly sender?: string | undefined;
  /** Wall clock, ms since the epoch. */
  readonly now?: () => number;
  /** Monotonic clock, ms. */
  readonly mono?: () => number;
  /** Called when a slot we held was taken from us (we could not renew it within its TTL). */
  readonly onLost?: () => void;
  /** Called with why a record was ignored. */
  readonly onIgnored?: (detail: string) => void;
}

/** How a wait for a slot ended. */
export type AcquireOutcome =
  | {
      readonly acquired: true;
      readonly id: string;
      readonly waitedMs: number;
      /**
       * Holders that had expired when we took a slot: how long this host saw each unchanged, and
       * how long ago (by our clock) its holder last signed it.
       */
      readonly tookExpired: readonly { readonly record: SemaphoreRecord; readonly silentMs: number; readonly sinceSignedMs: number }[];
    }
  | { readonly acquired: false; readonly reason: "timeout" | "aborted" };

/** The list as last read or written: its value (undefined when deleted) and revision. */
interface Latest {
  readonly value: Uint8Array | undefined;
  readonly revision: number;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

function latest(entry: KvEntry | null): Latest | null {
  return entry === null ? null : { value: entry.operation === "PUT" ? entry.value : undefined, revision: entry.revision };
}

const KEY_PREFIX = "sem.";
const RETRY_MS = 200;
/** Unanswered writes remembered: a server change rarely loses more than one or two answers in a row. */
const MAX_UNANSWERED = 8;

/**
 * A fleet-wide counting semaphore on a JetStream key-value bucket (see `semaphore-state.ts` for
 * the records). One acquisition per instance: {@link acquire}, then {@link release}.
 */
export class Semaphore {
  private readonly observations: Observations = new Map();
  private readonly id = new Uint8Array(randomBytes(12));
  private readonly idHex = Buffer.from(this.id).toString("hex");
  private seq = 0;
  private kind: RecordKind | undefined;
  private lastWrite = 0;
  private entry: Latest | null = null;
  /** Our records whose writes got no answer since our last answered write (any may have landed). */
  private unanswered: { readonly line: Uint8Array; readonly kind: RecordKind; readonly attemptedAt: number }[] = [];
  private wake: (() => void) | undefined;
  /** Counts the list changes the watch delivered: a change seen before we sleep must not be slept through. */
  private changes = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly now: () => number;
  private readonly mono: () => number;
  readonly slots: number;
  readonly ttlMs: number;
  private watcher: { stop(): void } | undefined;

  private readonly config: RemaphoreConfig;
  private readonly identity: Identity;

  private readonly kv: KV;
  private readonly cas: Pick<KeyCas, "write">;

  /** `bucket.cas` writes the key (see {@link KeyCas}); `bucket.kv` reads and watches it. */
  constructor(
    bucket: { readonly kv: KV; readonly cas: Pick<KeyCas, "write"> },
    signer: { readonly config: RemaphoreConfig; readonly identity: Identity },
    private readonly options: SemaphoreOptions,
  ) {
    this.kv = bucket.kv;
    this.cas = bucket.cas;
    this.config = signer.config;
    this.identity = signer.identity;
    this.now = options.now ?? Date.now;
    this.mono = options.mono ?? (() => performance.now());
    this.slots = options.slots ?? 1;
    this.ttlMs = options.ttlMs ?? signer.config.jetstream.semaphoreTtlMs;
  }

  private get key(): string {
    return `${KEY_PREFIX}${this.options.name}`;
  }

  /** This acquisition's id (hex), as `--release -u` takes it. */
  get acquisitionId(): string {
    return this.idHex;
  }

  /** Whether we hold a slot (as far as our last write and the latest list tell). */
  get holding(): boolean {
    return this.kind === "hold";
  }

  /** Reads the list as it is now. */
  async view(): Promise<SemaphoreView> {
    await this.read();
    return this.judge();
  }

  private judge(): SemaphoreView {
    const view = viewSemaphore(this.entry?.value, { config: this.config, name: this.options.name, now: this.now(), mono: this.mono(), observations: this.observations, slots: this.slots });
    for (const rejection of view.ignored) this.options.onIgnored?.(`${rejection.reason}: ${rejection.detail}`);
    return view;
  }

  /**
   * Signs our record as `kind` with a seq never used before: a write whose answer was lost may
   * still have landed, and another host that saw it must see any later record as a change (it
   * judges a record's age from the moment its seq changed).
   */
  private record(kind: RecordKind): Uint8Array {
    this.seq += 1;
    return signRecord(this.identity, this.options.name, { kind, id: this.id, seq: this.seq, ttlMs: this.ttlMs, slots: this.slots, now: this.now() });
  }

  /** Writes the list with our record as `kind` (or without it); false when someone wrote first. */
  private async write(view: SemaphoreView, kind: RecordKind | undefined): Promise<boolean> {
    const ours = kind === undefined ? undefined : this.record(kind);
    const value = rewriteRecords(view, this.idHex, ours);
    const attemptedAt = this.mono();
    let revision: number | undefined;
    try {
      revision = await this.cas.write(value, this.entry?.revision ?? 0);
    } catch (error) {
      // No answer: the write may have landed. If a later list holds this very record, it did.
      if (ours !== undefined) this.unanswered = [...this.unanswered.slice(-(MAX_UNANSWERED - 1)), { line: ours, kind: kind!, attemptedAt }];
      throw error;
    }
    if (revision === undefined) {
      await this.read();
      return false;
    }
    this.unanswered = [];
    this.kind = kind;
    this.lastWrite = this.mono();
    // What we wrote is the latest list until the watch says otherwise.
    this.entry = { value, revision };
    return true;
  }

  /** Reads the list as the bucket has it now. */
  private async read(): Promise<void> {
    this.entry = latest(await this.kv.get(this.key));
  }

  /**
   * Takes back a record whose write got no answer but which the list shows landed: it is ours
   * (only we sign with our id), so we hold, or wait, exactly as it says. Its age counts from when
   * we sent it.
   */
  private adoptLanded(view: SemaphoreView): void {
    if (this.unanswered.length === 0) return;
    const landed = [...view.holders, ...view.waiters].find((record) => record.id === this.idHex);
    const sent = landed === undefined ? undefined : this.unanswered.find((each) => sameBytes(landed.line, each.line));
    if (sent === undefined) return;
    this.unanswered = [];
    this.kind = sent.kind;
    this.lastWrite = sent.attemptedAt;
  }

  private async watch(): Promise<void> {
    const updates = await this.kv.watch({ key: this.key });
    this.watcher = updates;
    void (async () => {
      for await (const entry of updates) {
        if (this.entry === null || entry.revision >= this.entry.revision) this.entry = latest(entry);
        this.changes += 1;
        this.wake?.();
      }
    })().catch(() => undefined);
  }

  /**
   * Resolves on a change of the list (one delivered since the watch's count was `seenChanges`
   * counts too), at `untilMono`, or on abort, whichever comes first.
   */
  private async sleep(untilMono: number, signal: AbortSignal | undefined, seenChanges = this.changes): Promise<void> {
    if (this.changes !== seenChanges) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(0, untilMono - this.mono()));
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      this.wake = done;
      signal?.addEventListener("abort", done, { once: true });
    });
    this.wake = undefined;
  }

  /**
   * Waits in line for a slot until `deadline` (monotonic ms; none: forever) or `signal`. Joins the
   * end of the line, renews its record every quarter TTL, and takes a slot when it is among the
   * first waiters that fit in the free slots. Resolves once the list that says we hold a slot is
   * written; from then on the slot is renewed in the background until {@link release}.
   */
  async acquire(options: { readonly deadline?: number | undefined; readonly signal?: AbortSignal | undefined } = {}): Promise<AcquireOutcome> {
    const started = this.mono();
    for (;;) {
      try {
        await this.read();
        break;
      } catch (error) {
        // Out of reach (a server or its leader is being replaced): try again until the deadline.
        if (options.signal?.aborted || (options.deadline !== undefined && this.mono() >= options.deadline)) throw error;
        await this.sleep(this.mono() + RETRY_MS, options.signal);
      }
    }
    for (;;) {
      if (options.signal?.aborted) return this.giveUp("aborted");
      if (options.deadline !== undefined && this.mono() >= options.deadline) return this.giveUp("timeout");
      const seenChanges = this.changes;
      const view = this.judge();
      this.adoptLanded(view);
      if (this.kind === "hold" && view.holders.some((record) => record.id === this.idHex)) return this.acquired(view, started);
      const position = view.waiters.findIndex((record) => record.id === this.idHex);
      const free = view.limit - view.holders.length;
      let wrote: boolean | undefined;
      try {
        if (this.kind === undefined ? free > 0 && view.waiters.length === 0 : position !== -1 && position < free) {
          wrote = await this.write(view, "hold");
          if (wrote) return this.acquired(view, started);
        } else if (this.kind === undefined || position === -1 || this.mono() - this.lastWrite >= this.ttlMs / 4) {
          // Join the line (again, if our record expired), or renew our place in it.
          wrote = await this.write(view, "wait");
        }
      } catch {
        // The bucket is out of reach (a server or its leader is being replaced): try again shortly.
        await this.sleep(this.mono() + RETRY_MS, options.signal);
        continue;
      }
      if (wrote === false) continue;
      // Waiting: from now on every change of the list wakes us (a slot free at once needs no watch).
      if (this.watcher === undefined) {
        await this.watch().catch(() => this.sleep(this.mono() + RETRY_MS, options.signal));
        continue;
      }
      const renewAt = this.lastWrite + this.ttlMs / 4;
      const wakeAt = Math.min(renewAt, view.nextExpiry ?? renewAt, options.deadline ?? renewAt);
      await this.sleep(wakeAt, options.signal, seenChanges);
    }
  }

  /** We hold a slot, by the list `view` we wrote it into: renew it from now on. */
  private acquired(view: SemaphoreView, started: number): AcquireOutcome {
    this.startHeartbeat();
    const now = this.mono();
    const tookExpired = view.expired
      .filter((record) => record.kind === "hold")
      .map((record) => ({ record, silentMs: now - (this.observations.get(record.id)?.changedAt ?? now), sinceSignedMs: this.now() - record.signedAt }));
    return { acquired: true, id: this.idHex, waitedMs: now - started, tookExpired };
  }

  private async giveUp(reason: "timeout" | "aborted"): Promise<AcquireOutcome> {
    await this.release().catch(() => undefined);
    return { acquired: false, reason };
  }

  /** Whether the heartbeat goes on: we hold a slot and were not released. */
  private renewing(): boolean {
    return !this.closed && this.kind === "hold";
  }

  private startHeartbeat(): void {
    const beat = async (): Promise<void> => {
      if (!this.renewing()) return;
      try {
        for (;;) {
          const view = this.judge();
          if (!view.holders.some((record) => record.id === this.idHex)) {
            this.kind = undefined;
            this.options.onLost?.();
            return;
          }
          if (await this.write(view, "hold")) break;
        }
      } catch {
        // Out of reach for now: the next beat tries again, well within the TTL.
      }
      if (this.renewing()) this.heartbeat = setTimeout(() => void beat(), this.ttlMs / 4).unref();
    };
    this.heartbeat = setTimeout(() => void beat(), this.ttlMs / 4).unref();
  }

  /** Stops renewing and watching, leaving our record to expire after its TTL (or a `--release`). */
  detach(): void {
    this.closed = true;
    clearTimeout(this.heartbeat);
    this.watcher?.stop();
  }

  /**
   * `--release NAME`: replaces every live record of this semaphore signed by our identity (only
   * acquisition `id`, when given) with a signed `done` record. Resolves to how many were released.
   */
  async releaseOwnRecords(id?: string): Promise<number> {
    for (;;) {
      const view = await this.view();
      const mine = [...view.holders, ...view.waiters].filter((record) => record.peer.publicKeyText === this.identity.publicKeyText && (id === undefined || record.id === id));
      if (mine.length === 0) return 0;
      let next = view;
      let value: Uint8Array | undefined;
      for (const record of mine) {
        const done = signRecord(this.identity, this.options.name, { kind: "done", id: Buffer.from(record.id, "hex"), seq: record.seq + 1, ttlMs: record.ttlMs, slots: record.slots, now: this.now() });
        value = rewriteRecords(next, record.id, done);
        next = viewSemaphore(value, { config: this.config, name: this.options.name, now: this.now(), mono: this.mono(), observations: new Map(), slots: this.slots });
      }
      if ((await this.cas.write(value!, this.entry?.revision ?? 0)) !== undefined) return mine.length;
    }
  }

  /**
   * Gives the slot (or the place in line) back: our record is replaced by a signed `done` record.
   * Retries while the bucket is out of reach, up to one TTL (after which the slot is free anyway).
   */
  async release(): Promise<void> {
    this.closed = true;
    clearTimeout(this.heartbeat);
    const giveUpAt = this.mono() + this.ttlMs;
    try {
      if (this.kind === undefined) return;
      for (;;) {
        try {
          const view = this.judge();
          if (!view.holders.concat(view.waiters).some((record) => record.id === this.idHex)) return;
          if (await this.write(view, "done")) return;
        } catch (error) {
          if (this.mono() > giveUpAt) throw error;
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
          await this.read().catch(() => undefined);
        }
      }
    } finally {
      this.kind = undefined;
      this.watcher?.stop();
    }
  }
}

/** Opens the config's semaphore bucket (made on first use) and a semaphore in it. */
export async function openSemaphore(nc: NatsConnection, config: RemaphoreConfig, options: SemaphoreOptions): Promise<Semaphore> {
  const identity = senderIdentity(config, acquireVerb(options.name), options.sender);
  if (!identity.ok) throw identity.error;
  let kv: KV;
  try {
    kv = await nc.jetstream().views.kv(config.jetstream.semaphoreBucket, { history: 1, replicas: config.jetstream.replicas });
  } catch (error) {
    throw new MessagingError("jetstream_failed", `cannot open the bucket ${config.jetstream.semaphoreBucket}: ${(error as Error).message}`, { cause: error });
  }
  const cas = new KeyCas({ js: nc.jetstream(), bucket: config.jetstream.semaphoreBucket, key: `${KEY_PREFIX}${options.name}` });
  return new Semaphore({ kv, cas }, { config, identity: identity.value }, options);
}
