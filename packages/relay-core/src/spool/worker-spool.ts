import { Worker } from "node:worker_threads";
import type { Result } from "@org/protocol/result";
import type { ClaimedEnvelope, Spool, SpoolStats, SpooledEnvelope } from "./spool.js";
import { SpoolFullError } from "./spool.js";
import type { SqliteSpoolOptions } from "./sqlite-spool.js";

/** A call to the spool worker, before it is numbered. */
export type SpoolCall =
  | { readonly op: "enqueue"; readonly envelopes: readonly SpooledEnvelope[]; readonly hold?: boolean }
  | { readonly op: "claim"; readonly max: number }
  | { readonly op: "ack"; readonly handles: readonly number[] }
  | { readonly op: "retry"; readonly handles: readonly number[]; readonly delayMs: number }
  | { readonly op: "close" };

/** A call to the spool worker. */
export type SpoolRequest =
  | { readonly op: "enqueue"; readonly id: number; readonly envelopes: readonly SpooledEnvelope[]; readonly hold?: boolean }
  | { readonly op: "claim"; readonly id: number; readonly max: number }
  | { readonly op: "ack"; readonly id: number; readonly handles: readonly number[] }
  | { readonly op: "retry"; readonly id: number; readonly handles: readonly number[]; readonly delayMs: number }
  | { readonly op: "close"; readonly id: number };

/** A message from the spool worker. */
export type SpoolResponse =
  | { readonly kind: "ready"; readonly stats: SpoolStats }
  | { readonly kind: "failed"; readonly message: string }
  | { readonly kind: "result"; readonly id: number; readonly value: unknown; readonly stats: SpoolStats }
  | { readonly kind: "error"; readonly id: number; readonly full: boolean; readonly message: string; readonly stats: SpoolStats }
  | { readonly kind: "expired"; readonly envelopes: SpooledEnvelope[] };

/**
 * The answer to one envelope of an `enqueue` call: `null` when it is stored, `held` (its handle)
 * when it is stored and claimed for the caller, who still has it (see `SqliteSpool.enqueueHeld`).
 */
export type EnqueueResult = { readonly full: boolean; readonly message: string } | { readonly held: number } | null;

/**
 * At most this many envelopes (and bytes) are held on the calling thread, claimed as they were
 * stored, until the pipeline takes them.
 */
const MAX_HELD = 512;
const MAX_HELD_BYTES = 16 * 1024 * 1024;

/**
 * Acknowledgements wait this long for others before they cross to the worker, or until
 * {@link MAX_PENDING_ACKS} are waiting: under load, one message and one commit then remove what
 * several turns delivered (measured at 50 connections: a sixth of the acknowledgement messages,
 * half the commits). A crash in between can only bring back envelopes already delivered.
 */
const ACK_DELAY_MS = 10;
const MAX_PENDING_ACKS = 512;

/** Options of {@link openWorkerSpool}: those of the SQLite spool, without a clock. */
export type WorkerSpoolOptions = Omit<SqliteSpoolOptions, "now">;

/**
 * The SQLite spool in a worker thread: the same durability and grouping, but inserts, commits
 * (and their disk syncs) and reads happen off the event loop that answers clients. Resolves once
 * the database is open.
 */
export async function openWorkerSpool(options: WorkerSpoolOptions): Promise<Spool> {
  const { onExpired, ...workerOptions } = options;
  const worker = new Worker(new URL("./spool-worker.js", import.meta.url), { workerData: workerOptions });
  const calls = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let stats: SpoolStats = { depth: 0, bytes: 0, claimed: 0 };
  let failure: Error | undefined;
  let closed = false;

  const ready = new Promise<void>((resolve, reject) => {
    worker.on("message", (message: SpoolResponse) => {
      switch (message.kind) {
        case "ready":
          stats = message.stats;
          resolve();
          return;
        case "failed":
          reject(new Error(message.message));
          return;
        case "expired":
          onExpired?.(message.envelopes);
          return;
        case "result":
        case "error": {
          stats = message.stats;
          const call = calls.get(message.id);
          calls.delete(message.id);
          if (!call) return;
          if (message.kind === "result") call.resolve(message.value);
          else call.reject(message.full ? new SpoolFullError(message.message) : new Error(message.message));
          return;
        }
      }
    });
    worker.on("error", (error) => {
      failure = error;
      reject(error);
      for (const call of calls.values()) call.reject(error);
      calls.clear();
    });
    worker.on("exit", (code) => {
      failure ??= new Error(`the spool worker exited (${code})`);
      reject(failure);
      for (const call of calls.values()) call.reject(failure);
      calls.clear();
    });
  });
  try {
    await ready;
  } catch (error) {
    await worker.terminate();
    throw error;
  }

  const call = <T>(request: SpoolCall): Promise<T> => {
    if (closed) return Promise.reject(new Error("the spool is closed"));
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      calls.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...request, id });
    });
  };

  // Once this thread claims (it runs the pipeline, not only ingest), what it enqueues is claimed
  // as it is stored when nothing older waits: the pipeline takes it from here, and its payload
  // is neither read back from the database nor sent back from the worker.
  let consuming = false;
  const held: ClaimedEnvelope[] = [];
  let heldBytes = 0;

  // Enqueues and acknowledgements made in one turn of the event loop cross to the worker as one
  // message each way.
  const enqueues = turnBatcher<SpooledEnvelope, undefined>((envelopes) => {
    const bytes = envelopes.reduce((sum, envelope) => sum + envelope.payload.byteLength, 0);
    const hold = consuming && held.length + envelopes.length <= MAX_HELD && heldBytes + bytes <= MAX_HELD_BYTES;
    return call<EnqueueResult[]>({ op: "enqueue", envelopes, hold }).then((results) =>
      results.map((result, index) => {
        if (result === null) return { ok: true, value: undefined };
        if ("held" in result) {
          const envelope = envelopes[index]!;
          held.push({ ...envelope, handle: result.held, attempts: 0 });
          heldBytes += envelope.payload.byteLength;
          return { ok: true, value: undefined };
        }
        return { ok: false, error: result.full ? new SpoolFullError(result.message) : new Error(result.message) };
      }),
    );
  });

  const claim = (max: number): Promise<ClaimedEnvelope[]> => {
    consuming = true;
    if (held.length === 0 || closed || failure) {
      // When the worker's last answer said that every stored envelope is claimed already (by this
      // spool: no backlog, no retry waiting), there is nothing to ask it for. Other writers to a
      // shared database are not counted there, so a shared spool always asks.
      if (!options.shared && !closed && !failure && stats.depth === stats.claimed) return Promise.resolve([]);
      return call<ClaimedEnvelope[]>({ op: "claim", max });
    }
    const taken = held.splice(0, max);
    for (const envelope of taken) heldBytes -= envelope.payload.byteLength;
    return Promise.resolve(taken);
  };
  const acks = turnBatcher<readonly number[], undefined>(
    (batches) => call<undefined>({ op: "ack", handles: batches.flat() }).then(() => batches.map(() => ({ ok: true, value: undefined }))),
    { delayMs: ACK_DELAY_MS, maxItems: MAX_PENDING_ACKS },
  );

  return {
    enqueue: (envelope) => (closed || failure ? call<undefined>({ op: "enqueue", envelopes: [envelope] }) : enqueues.add(envelope)),
    claim,
    ack: (handles) => (closed || failure ? call<undefined>({ op: "ack", handles }) : acks.add(handles)),
    retry: (handles, delayMs) => call<undefined>({ op: "retry", handles, delayMs }),
    stats: () => stats,
    available: () => failure === undefined && !closed,
    async close() {
      if (closed) return;
      // Waiting acknowledgements go first: the worker answers in order, and commits them on close.
      acks.send();
      if (!failure) await call<undefined>({ op: "close" });
      closed = true;
      await worker.terminate();
    },
  };
}

type Settled<T> = Result<T, Error>;

/** Calls grouped into one call of `run`: `add` one, `send` the group now. */
interface Batcher<I, O> {
  add(item: I): Promise<O>;
  send(): void;
}

/**
 * Groups calls into one call of `run`, which answers each item in order; if `run` fails, every
 * call of the group fails with its error. A group is the calls of one turn of the event loop, or,
 * with `delayMs`, those of that long (sent at once when `maxItems` are waiting).
 */
function turnBatcher<I, O>(run: (items: I[]) => Promise<Settled<O>[]>, options: { readonly delayMs?: number; readonly maxItems?: number } = {}): Batcher<I, O> {
  let items: I[] = [];
  let waiters: { resolve: (value: O) => void; reject: (error: Error) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const send = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (items.length === 0) return;
    const group = waiters;
    const sent = items;
    items = [];
    waiters = [];
    run(sent).then(
      (results) => {
        group.forEach((waiter, index) => {
          const result = results[index];
          if (result?.ok) waiter.resolve(result.value);
          else waiter.reject(result?.ok === false ? result.error : new Error("the spool worker gave no answer"));
        });
      },
      (error: unknown) => {
        for (const waiter of group) waiter.reject(error as Error);
      },
    );
  };
  return {
    add: (item) =>
      new Promise<O>((resolve, reject) => {
        if (items.length === 0) {
          if (options.delayMs === undefined) setImmediate(send);
          else timer = setTimeout(send, options.delayMs);
        }
        items.push(item);
        waiters.push({ resolve, reject });
        if (options.maxItems !== undefined && items.length >= options.maxItems) send();
      }),
    send,
  };
}
