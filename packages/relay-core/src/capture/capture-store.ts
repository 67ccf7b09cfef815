import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";

/** An envelope kept in capture mode, exactly as the relay would have forwarded it. */
export interface CapturedEnvelope {
  /** The event id (32 hex), or the spool id for envelopes without an event. */
  readonly id: string;
  readonly projectId: string;
  /** When the relay accepted it, in milliseconds since the epoch. */
  readonly receivedAt: number;
  /** Item types in order, for listings. */
  readonly itemTypes: readonly string[];
  /** A one-line description: the event's message or exception, or the item types. */
  readonly title: string;
  /** The processed envelope bytes. */
  readonly envelope: Uint8Array;
}

/** One line of the captured-events listing. */
export type CapturedSummary = Omit<CapturedEnvelope, "envelope">;

/** Where capture mode keeps what it would have forwarded, newest first, bounded in count. */
export interface CaptureStore {
  /** Keeps an envelope, replacing one with the same id, and forgets the oldest beyond the bound. */
  add(envelope: CapturedEnvelope): void;
  /** {@link add} for several envelopes, in one transaction. */
  addMany(envelopes: readonly CapturedEnvelope[]): void;
  /** The newest envelopes first. */
  list(limit: number, offset?: number): CapturedSummary[];
  /** One envelope by id. */
  get(id: string): CapturedEnvelope | undefined;
  /** How many are kept. */
  count(): number;
  /** Forgets every kept envelope; returns how many there were. Subscribers are told. */
  clear(): number;
  /**
   * Calls `listener` after each write with what was added (newest last), or with `"cleared"`
   * after {@link clear}. Returns the function that stops the calls.
   */
  subscribe(listener: CaptureListener): () => void;
  close(): void;
}

/** Told about every change of a {@link CaptureStore}. */
export type CaptureListener = (change: { readonly added: readonly CapturedEnvelope[] } | "cleared") => void;

interface Row {
  id: string;
  project_id: string;
  received_at: number;
  item_types: string;
  title: string;
  envelope?: Buffer;
}

/** A capture store in a SQLite database (`:memory:` for a throwaway one). */
export function openCaptureStore(path: string, maxEntries: number): CaptureStore {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  // Captured events are for looking at during development: survive a crash, not a power loss.
  db.pragma("synchronous = NORMAL");
  db.exec(`CREATE TABLE IF NOT EXISTS captured (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    project_id TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    item_types TEXT NOT NULL,
    title TEXT NOT NULL,
    envelope BLOB NOT NULL
  )`);
  const upsert = db.prepare(
    `INSERT INTO captured (id, project_id, received_at, item_types, title, envelope) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET project_id = excluded.project_id, received_at = excluded.received_at,
       item_types = excluded.item_types, title = excluded.title, envelope = excluded.envelope`,
  );
  const trim = db.prepare(
    "DELETE FROM captured WHERE seq <= (SELECT seq FROM captured ORDER BY seq DESC LIMIT 1 OFFSET ?)",
  );
  const list = db.prepare<[number, number], Row>(
    "SELECT id, project_id, received_at, item_types, title FROM captured ORDER BY seq DESC LIMIT ? OFFSET ?",
  );
  const getOne = db.prepare<[string], Row>(
    "SELECT id, project_id, received_at, item_types, title, envelope FROM captured WHERE id = ?",
  );
  const count = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM captured");
  const deleteAll = db.prepare("DELETE FROM captured");
  const listeners = new Set<CaptureListener>();
  const tell = (change: Parameters<CaptureListener>[0]): void => {
    for (const listener of listeners) listener(change);
  };

  const summary = (row: Row): CapturedSummary => ({
    id: row.id,
    projectId: row.project_id,
    receivedAt: row.received_at,
    itemTypes: JSON.parse(row.item_types) as string[],
    title: row.title,
  });

  const addMany = db.transaction((envelopes: readonly CapturedEnvelope[]) => {
    for (const envelope of envelopes) {
      upsert.run(
        envelope.id,
        envelope.projectId,
        envelope.receivedAt,
        JSON.stringify(envelope.itemTypes),
        envelope.title,
        Buffer.from(envelope.envelope.buffer, envelope.envelope.byteOffset, envelope.envelope.byteLength),
      );
    }
    trim.run(maxEntries);
  });

  return {
    add(envelope) {
      addMany([envelope]);
      tell({ added: [envelope] });
    },
    addMany(envelopes) {
      addMany(envelopes);
      if (envelopes.length > 0) tell({ added: envelopes });
    },
    list: (limit, offset = 0) => list.all(limit, offset).map(summary),
    get(id) {
      const row = getOne.get(id);
      if (!row?.envelope) return undefined;
      return { ...summary(row), envelope: new Uint8Array(row.envelope) };
    },
    count: () => count.get()?.n ?? 0,
    clear() {
      const { changes } = deleteAll.run();
      tell("cleared");
      return changes;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    close: () => {
      listeners.clear();
      db.close();
    },
  };
}
