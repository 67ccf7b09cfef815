import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { ClaimedEnvelope, IngestContext, Spool, SpoolStats, SpooledEnvelope } from "./spool.js";
import { SpoolFullError } from "./spool.js";

/** Options of {@link openSqliteSpool}. */
export interface SqliteSpoolOptions {
  /** Database file; its folder is created when missing. `:memory:` for a throwaway spool. */
  readonly path: string;
  /** Largest total payload size kept; beyond it {@link Spool.enqueue} rejects. */
  readonly maxBytes: number;
  /** Envelopes older than this are dropped instead of delivered. */
  readonly maxAgeMs: number;
  /**
   * `full` makes every committed batch survive a power loss; `normal` survives a crash of the
   * process but may lose the last batches on power loss, for more throughput.
   */
  readonly synchronous?: "full" | "normal";
  /** Clock in milliseconds since the epoch. */
  readonly now?: () => number;
  /** Called with the envelopes dropped because they outlived `maxAgeMs`. */
  readonly onExpired?: (envelopes: readonly SpooledEnvelope[]) => void;
  /**
   * Other processes write to and remove from the same database (a relay's ingest workers and its
   * primary): its size is read from the database again, at most once a second, for `maxBytes` and
   * {@link Spool.stats}, and a writer waits up to `busyTimeoutMs` for another's commit.
   */
  readonly shared?: boolean | undefined;
  /** How long a write waits for another connection's commit before it fails (default 5 s; SQLite's `busy_timeout`). */
  readonly busyTimeoutMs?: number | undefined;
}

interface Row {
  seq: number;
  id: string;
  project_id: string;
  received_at: number;
  context: string;
  payload: Buffer;
  attempts: number;
}

interface Pending {
  readonly envelope: SpooledEnvelope;
  /** Resolved with the envelope's handle when it was claimed as it was stored (see {@link SqliteSpool.enqueueHeld}). */
  readonly resolve: (held: number | undefined) => void;
  readonly reject: (error: unknown) => void;
  readonly hold: boolean;
}

/** The SQLite spool: a {@link Spool} that can also claim an envelope as it stores it. */
export interface SqliteSpool extends Spool {
  /**
   * Stores an envelope like {@link Spool.enqueue} and, when no stored envelope waits unclaimed
   * (no backlog, no retry pending, so taking it first keeps the oldest-first order), claims it in
   * the same commit: resolves with its handle, for a consumer that still holds the envelope and
   * need not read it back. Resolves with `undefined` when it was only stored.
   */
  enqueueHeld(envelope: SpooledEnvelope): Promise<number | undefined>;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS envelopes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL,
  project_id TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  context TEXT NOT NULL,
  payload BLOB NOT NULL,
  size INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  due_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS envelopes_due ON envelopes (due_at, seq);
CREATE INDEX IF NOT EXISTS envelopes_received ON envelopes (received_at);
`;

/**
 * Opens (or creates) a spool in a SQLite database. Writes are grouped: every enqueue and
 * acknowledgement made in the same turn of the event loop is committed in one transaction, and
 * each caller's promise resolves only after that commit. A commit with writes is synced to disk
 * (with `synchronous: "full"`); one that only acknowledges or reschedules is not (see
 * `commitUnsynced`).
 */
export function openSqliteSpool(options: SqliteSpoolOptions): SqliteSpool {
  if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
  const db = new Database(options.path, { timeout: options.busyTimeoutMs ?? 5000 });
  db.pragma("journal_mode = WAL");
  const synchronous = options.synchronous === "normal" ? "NORMAL" : "FULL";
  db.pragma(`synchronous = ${synchronous}`);
  db.exec(SCHEMA);
  const now = options.now ?? Date.now;

  const insert = db.prepare(
    "INSERT INTO envelopes (id, project_id, received_at, context, payload, size, due_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  // Claims look at the index alone first (envelopes already claimed are skipped without reading
  // their payloads), then read the rows they take.
  const selectDue = db.prepare<[number, number], { seq: number }>(
    "SELECT seq FROM envelopes WHERE due_at <= ? ORDER BY due_at, seq LIMIT ?",
  );
  const selectOne = db.prepare<[number], Row>(
    "SELECT seq, id, project_id, received_at, context, payload, attempts FROM envelopes WHERE seq = ?",
  );
  const selectExpired = db.prepare<[number], Row>(
    "SELECT seq, id, project_id, received_at, context, payload, attempts FROM envelopes WHERE received_at < ?",
  );
  const deleteOne = db.prepare<[number]>("DELETE FROM envelopes WHERE seq = ? RETURNING size");
  const reschedule = db.prepare<[number, number]>(
    "UPDATE envelopes SET attempts = attempts + 1, due_at = ? WHERE seq = ?",
  );
  const unsynced = db.prepare("PRAGMA synchronous = NORMAL");
  const synced = db.prepare(`PRAGMA synchronous = ${synchronous}`);
  const totals = db.prepare<[], { depth: number; bytes: number | null }>(
    "SELECT count(*) AS depth, sum(size) AS bytes FROM envelopes",
  );

  const initial = totals.get();
  let depth = initial?.depth ?? 0;
  let bytes = initial?.bytes ?? 0;
  let totalsReadAt = now();
  /** With other writers, what this connection counted drifts from the database: read it again. */
  const refreshTotals = (): void => {
    if (!options.shared || now() - totalsReadAt < 1000) return;
    totalsReadAt = now();
    const current = totals.get();
    depth = current?.depth ?? 0;
    bytes = current?.bytes ?? 0;
  };
  let pendingBytes = 0;
  let pending: Pending[] = [];
  let flushScheduled = false;
  let closed = false;
  const claimed = new Set<number>();

  const insertRows = (batch: readonly Pending[]): number[] => {
    const handles: number[] = [];
    for (const { envelope } of batch) {
      const { lastInsertRowid } = insert.run(
        envelope.id,
        envelope.projectId,
        envelope.receivedAt,
        JSON.stringify(envelope.context),
        Buffer.from(envelope.payload.buffer, envelope.payload.byteOffset, envelope.payload.byteLength),
        envelope.payload.byteLength,
        envelope.receivedAt,
      );
      handles.push(Number(lastInsertRowid));
    }
    return handles;
  };

  const deleteRows = (handles: readonly number[]): { removed: number; removedBytes: number } => {
    let removed = 0;
    let removedBytes = 0;
    for (const handle of handles) {
      const row = deleteOne.get(handle) as { size: number } | undefined;
      if (row) {
        removed += 1;
        removedBytes += row.size;
      }
    }
    return { removed, removedBytes };
  };
  const deleteBatch = db.transaction(deleteRows);

  const rescheduleBatch = db.transaction((handles: readonly number[], dueAt: number) => {
    for (const handle of handles) reschedule.run(dueAt, handle);
  });

  // Acknowledgements wait for the same commit as the writes of their turn.
  let pendingAcks: { handles: readonly number[]; resolve: () => void; reject: (error: unknown) => void }[] = [];

  const commitTurn = db.transaction((batch: readonly Pending[], acked: readonly number[]) => ({ inserted: insertRows(batch), ...deleteRows(acked) }));

  /**
   * Runs a commit that only removes or reschedules envelopes without a disk sync of its own (WAL,
   * `synchronous = NORMAL`): it survives a crash of the process at once, and reaches the disk with
   * the next synced commit. A power loss in between can only bring back envelopes already
   * delivered (delivered twice), never lose one, so a disk sync per acknowledgement buys nothing.
   */
  function commitUnsynced<T>(commit: () => T): T {
    if (synchronous === "NORMAL") return commit();
    unsynced.run();
    try {
      return commit();
    } finally {
      synced.run();
    }
  }

  /** Commits every write and acknowledgement made in this turn in one transaction (one disk sync). */
  function flush(): void {
    flushScheduled = false;
    const batch = pending;
    pending = [];
    const batchBytes = pendingBytes;
    pendingBytes = 0;
    const acks = pendingAcks;
    pendingAcks = [];
    if (batch.length === 0 && acks.length === 0) return;
    if (closed) {
      const error = new Error("the spool is closed");
      for (const item of batch) item.reject(error);
      for (const item of acks) item.reject(error);
      return;
    }
    const acked = acks.flatMap((item) => item.handles);
    try {
      const { inserted, removed, removedBytes } = batch.length === 0 ? commitUnsynced(() => commitTurn(batch, acked)) : commitTurn(batch, acked);
      for (const handle of acked) claimed.delete(handle);
      // Held envelopes are claimed only when every envelope stored before them is claimed already.
      const holding = depth - removed === claimed.size;
      depth += batch.length - removed;
      bytes += batchBytes - removedBytes;
      batch.forEach((item, index) => {
        const handle = inserted[index]!;
        if (item.hold && holding) claimed.add(handle);
        item.resolve(item.hold && holding ? handle : undefined);
      });
      for (const item of acks) item.resolve();
    } catch (error) {
      for (const item of batch) item.reject(error);
      for (const item of acks) item.reject(error);
    }
  }

  function scheduleFlush(): void {
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(flush);
  }

  function toEnvelope(row: Row): ClaimedEnvelope {
    return {
      handle: row.seq,
      id: row.id,
      projectId: row.project_id,
      receivedAt: row.received_at,
      context: JSON.parse(row.context) as IngestContext,
      payload: new Uint8Array(row.payload.buffer, row.payload.byteOffset, row.payload.byteLength),
      attempts: row.attempts,
    };
  }

  let lastExpiryCheck = Number.NEGATIVE_INFINITY;

  function dropExpired(): void {
    // Expiry is a slow-moving bound: checking it once a second is plenty.
    if (now() - lastExpiryCheck < 1000) return;
    lastExpiryCheck = now();
    const rows = selectExpired.all(now() - options.maxAgeMs).filter((row) => !claimed.has(row.seq));
    if (rows.length === 0) return;
    const { removed, removedBytes } = commitUnsynced(() => deleteBatch(rows.map((row) => row.seq)));
    depth -= removed;
    bytes -= removedBytes;
    options.onExpired?.(rows.map(toEnvelope));
  }

  function assertOpen(): void {
    if (closed) throw new Error("the spool is closed");
  }

  function store(envelope: SpooledEnvelope, hold: boolean): Promise<number | undefined> {
    assertOpen();
    refreshTotals();
    const size = envelope.payload.byteLength;
    if (bytes + pendingBytes + size > options.maxBytes) {
      return Promise.reject(
        new SpoolFullError(`the spool holds ${bytes + pendingBytes} of ${options.maxBytes} bytes`),
      );
    }
    pendingBytes += size;
    return new Promise<number | undefined>((resolve, reject) => {
      pending.push({ envelope, resolve, reject, hold });
      scheduleFlush();
    });
  }

  return {
    enqueue: (envelope) => store(envelope, false).then(() => undefined),

    enqueueHeld: (envelope) => store(envelope, true),

    claim(max) {
      assertOpen();
      dropExpired();
      const due = selectDue.all(now(), max + claimed.size);
      const result: ClaimedEnvelope[] = [];
      for (const { seq } of due) {
        if (result.length >= max) break;
        if (claimed.has(seq)) continue;
        const row = selectOne.get(seq);
        if (!row) continue;
        claimed.add(seq);
        result.push(toEnvelope(row));
      }
      return Promise.resolve(result);
    },

    ack(handles) {
      assertOpen();
      return new Promise<void>((resolve, reject) => {
        pendingAcks.push({ handles, resolve, reject });
        scheduleFlush();
      });
    },

    retry(handles, delayMs) {
      assertOpen();
      commitUnsynced(() => {
        rescheduleBatch(handles, now() + delayMs);
      });
      for (const handle of handles) claimed.delete(handle);
      return Promise.resolve();
    },

    stats(): SpoolStats {
      if (!closed) refreshTotals();
      return { depth: depth + pending.length, bytes: bytes + pendingBytes, claimed: claimed.size };
    },

    close() {
      if (closed) return Promise.resolve();
      flush();
      closed = true;
      db.close();
      return Promise.resolve();
    },
  };
}
