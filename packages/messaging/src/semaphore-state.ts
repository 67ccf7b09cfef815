import { acquireVerb } from "./authorization.js";
import { checkMessage, type Rejection, type VerifiedMessage } from "./check-message.js";
import { encodeMessage } from "./message-codec.js";
import type { Identity, Peer, RemaphoreConfig } from "./remaphore-config.js";

/**
 * A semaphore is one key of the bucket whose value is a list of signed records, one a line, each a
 * remaphore message (so old tools could even decode it): destination empty, verb `acquire:<name>`,
 * the message id naming one acquisition, and the payload `<kind> <seq> <ttl ms> <slots>`:
 *
 * - `wait`: waiting in line (lines keep their order: first come, first served);
 * - `hold`: holding a slot;
 * - `done`: released (kept for one TTL, so that a copy of the `hold` record written back is ignored).
 *
 * Every change is a compare-and-set on the key's revision, so a decision is made on the latest
 * list or not at all. Each holder and waiter renews its own record (seq + 1) well within its TTL; a
 * record nobody renewed for its TTL is expired. A record counts only if a configured peer (or one
 * of our identities) allowed to `acquire:<name>` signed it; forged, unknown, stale or replayed
 * records are ignored and dropped at the next write.
 */
export type RecordKind = "wait" | "hold" | "done";

/** One verified record of a semaphore. */
export interface SemaphoreRecord {
  readonly kind: RecordKind;
  /** The acquisition's id (hex of the message id). */
  readonly id: string;
  /** Renewal counter: each renewal signs the record again with seq + 1. */
  readonly seq: number;
  readonly ttlMs: number;
  /** The slots its holder asked for (`-n`); the smallest among the live records is the limit. */
  readonly slots: number;
  /** When it was signed, in milliseconds since the epoch. */
  readonly signedAt: number;
  /** The signer. */
  readonly peer: Peer;
  /** The line as written. */
  readonly line: Uint8Array;
}

/** When each record was last seen to change, on this host's monotonic clock. */
export type Observations = Map<string, { readonly seq: number; readonly changedAt: number }>;

/** A semaphore's list as one host judges it now. */
export interface SemaphoreView {
  /** Live holders, in list order. */
  readonly holders: readonly SemaphoreRecord[];
  /** Live waiters, in list order (the first is next in line). */
  readonly waiters: readonly SemaphoreRecord[];
  /** `done` records still kept. */
  readonly released: readonly SemaphoreRecord[];
  /** Holders and waiters nobody renewed within their TTL. */
  readonly expired: readonly SemaphoreRecord[];
  /** Lines that failed a check, with why. */
  readonly ignored: readonly Rejection[];
  /** The number of slots: the smallest `-n` among the live holders and waiters (and ours). */
  readonly limit: number;
  /** The monotonic time at which the next live record expires if not renewed. */
  readonly nextExpiry: number | undefined;
}

const MAX_TTL_MS = 24 * 3_600_000;
const NEWLINE = 0x0a;
const PAYLOAD = /^(wait|hold|done) (\d{1,15}) (\d{1,9}) (\d{1,4})$/;
const verifiers = new WeakMap<RemaphoreConfig, RemaphoreConfig>();

/** The config with our own identities as peers too: our other processes write records as well. */
function verifier(config: RemaphoreConfig): RemaphoreConfig {
  let extended = verifiers.get(config);
  if (!extended) {
    const own: Peer[] = config.identities.map((id) => ({ destination: config.destination, publicKeyText: id.publicKeyText, publicKey: id.keyPair.publicKey, verbs: id.verbs }));
    extended = { ...config, peers: [...config.peers, ...own] };
    verifiers.set(config, extended);
  }
  return extended;
}

/** Splits a list into its lines. */
export function recordLines(value: Uint8Array): Uint8Array[] {
  const lines: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i <= value.length; i++) {
    if (i === value.length || value[i] === NEWLINE) {
      if (i > start) lines.push(value.subarray(start, i));
      start = i + 1;
    }
  }
  return lines;
}

/** Joins lines into a list. */
export function joinRecords(lines: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(lines.reduce((sum, line) => sum + line.length + 1, 0));
  let at = 0;
  for (const line of lines) {
    out.set(line, at);
    out[at + line.length] = NEWLINE;
    at += line.length + 1;
  }
  return out;
}

type Verified = { ok: true; record: SemaphoreRecord } | { ok: false; rejection: Rejection };

/** Lines already checked, per config: a list is judged at every change, its lines rarely change. */
const checkedLines = new WeakMap<RemaphoreConfig, Map<string, Verified>>();
const CHECKED_LINES_KEPT = 4096;

/**
 * Checks one line: signed by a peer (or ours) allowed `acquire:<name>`, and well formed. A line's
 * verdict is remembered (the same bytes always get the same one), so each signature is checked
 * once however often the list is judged.
 */
export function verifyRecord(line: Uint8Array, context: Pick<ViewContext, "config" | "name" | "now">): Verified {
  const { config, name } = context;
  let cache = checkedLines.get(config);
  if (!cache) {
    cache = new Map();
    checkedLines.set(config, cache);
  }
  const key = `${name}\n${Buffer.from(line).toString("latin1")}`;
  const known = cache.get(key);
  if (known) return known;
  const verdict = verifyLine(line, context);
  if (cache.size >= CHECKED_LINES_KEPT) cache.clear();
  cache.set(key, verdict);
  return verdict;
}

function verifyLine(line: Uint8Array, context: Pick<ViewContext, "config" | "name" | "now">): Verified {
  const { config, name, now } = context;
  // The time is judged below against the record's own TTL, not allow_skew.
  const checked = checkMessage(line, { config: verifier(config), kind: "message", destinationFilter: { kind: "none" }, now, allowSkewMs: MAX_TTL_MS });
  if (!checked.ok) return { ok: false, rejection: checked.error };
  const message: VerifiedMessage = checked.value;
  if (message.verb !== acquireVerb(name)) return { ok: false, rejection: { reason: "malformed", detail: `a record of another semaphore (${message.verb})`, senderText: message.senderText } };
  const payload = PAYLOAD.exec(Buffer.from(message.payload).toString("latin1"));
  if (!payload || message.uuid.length === 0) return { ok: false, rejection: { reason: "malformed", detail: "not a semaphore record", senderText: message.senderText } };
  return {
    ok: true,
    record: {
      kind: payload[1] as RecordKind,
      id: Buffer.from(message.uuid).toString("hex"),
      seq: Number(payload[2]),
      ttlMs: Math.min(Number(payload[3]), MAX_TTL_MS),
      slots: Math.max(1, Number(payload[4])),
      signedAt: Number(message.time / 1_000_000n),
      peer: message.peer,
      line,
    },
  };
}

/** What {@link viewSemaphore} judges with. */
export interface ViewContext {
  readonly config: RemaphoreConfig;
  readonly name: string;
  /** Wall clock, ms since the epoch. */
  readonly now: number;
  /** Monotonic clock, ms. */
  readonly mono: number;
  /** Updated in place: when each record's seq was first seen. */
  readonly observations: Observations;
  /** Our own `-n`, part of the limit. */
  readonly slots: number;
}

/**
 * Judges a list: verifies every line, keeps the highest seq of each acquisition (a lower one
 * written back is a replay), drops acquisitions that were released, and sorts the rest into live
 * holders, live waiters and expired. A record is expired when this host has seen it unchanged for
 * its TTL (its own clock, so hosts need not agree on the time), or when its signed time is older
 * than its TTL plus `allow_skew`.
 */
export function viewSemaphore(value: Uint8Array | undefined, context: ViewContext): SemaphoreView {
  const { config, now, mono, observations } = context;
  const ignored: Rejection[] = [];
  const latest = new Map<string, SemaphoreRecord>();
  const order: string[] = [];
  for (const line of value === undefined ? [] : recordLines(value)) {
    const verified = verifyRecord(line, context);
    if (!verified.ok) {
      ignored.push(verified.rejection);
      continue;
    }
    const record = verified.record;
    const seen = observations.get(record.id);
    if (seen !== undefined && record.seq < seen.seq) {
      ignored.push({ reason: "replay", detail: `record ${record.id} seq ${record.seq} is older than seq ${seen.seq} seen before`, senderText: record.peer.publicKeyText });
      continue;
    }
    const previous = latest.get(record.id);
    const claimedBy = previous?.peer.publicKeyText;
    if (claimedBy !== undefined && claimedBy !== record.peer.publicKeyText) {
      ignored.push({ reason: "replay", detail: `record ${record.id} claimed by two keys`, senderText: record.peer.publicKeyText });
      continue;
    }
    if (!previous) order.push(record.id);
    if (!previous || record.seq > previous.seq || (record.seq === previous.seq && record.kind === "done")) latest.set(record.id, record);
  }
  const holders: SemaphoreRecord[] = [];
  const waiters: SemaphoreRecord[] = [];
  const released: SemaphoreRecord[] = [];
  const expired: SemaphoreRecord[] = [];
  let nextExpiry: number | undefined;
  let limit = context.slots;
  for (const id of order) {
    const record = latest.get(id)!;
    let seen = observations.get(id);
    if (seen?.seq !== record.seq) {
      seen = { seq: record.seq, changedAt: mono };
      observations.set(id, seen);
    }
    const changedAt = seen.changedAt;
    const stale = now > record.signedAt + record.ttlMs + config.allowSkewMs;
    if (stale || mono - changedAt >= record.ttlMs) {
      if (record.kind !== "done") expired.push(record);
      continue;
    }
    if (record.kind === "done") {
      released.push(record);
      continue;
    }
    const expiresAt = Math.min(changedAt + record.ttlMs, mono + (record.signedAt + record.ttlMs + config.allowSkewMs - now));
    nextExpiry = nextExpiry === undefined ? expiresAt : Math.min(nextExpiry, expiresAt);
    limit = Math.min(limit, record.slots);
    (record.kind === "hold" ? holders : waiters).push(record);
  }
  return { holders, waiters, released, expired, ignored, limit, nextExpiry };
}

/** The list to write: every live record as it was, with ours replaced (or removed, or added). */
export function rewriteRecords(view: SemaphoreView, id: string, ours: Uint8Array | undefined): Uint8Array {
  const lines: Uint8Array[] = [];
  let placed = false;
  for (const record of [...view.released, ...mergeInOrder(view)]) {
    if (record.id === id) {
      if (ours !== undefined && !placed) lines.push(ours);
      placed = true;
    } else {
      lines.push(record.line);
    }
  }
  if (!placed && ours !== undefined) lines.push(ours);
  return joinRecords(lines);
}

/** Holders, then waiters in line order: a waiter that becomes a holder keeps its place among holders. */
function mergeInOrder(view: SemaphoreView): SemaphoreRecord[] {
  return [...view.holders, ...view.waiters];
}

/** Signs one record. */
export function signRecord(
  identity: Identity,
  name: string,
  fields: { readonly kind: RecordKind; readonly id: Uint8Array; readonly seq: number; readonly ttlMs: number; readonly slots: number; readonly now: number },
): Uint8Array {
  const encoded = encodeMessage(
    {
      destination: "",
      time: BigInt(Math.round(fields.now)) * 1_000_000n,
      uuid: fields.id,
      verb: acquireVerb(name),
      request: false,
      payload: new TextEncoder().encode(`${fields.kind} ${fields.seq} ${Math.round(fields.ttlMs)} ${fields.slots}`),
    },
    identity.keyPair,
  );
  if (!encoded.ok) throw encoded.error;
  return encoded.value;
}
