import { createHash } from "node:crypto";
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  headers as natsHeaders,
  nanos,
  type JetStreamManager,
  type NatsConnection,
  type StreamConfig,
} from "nats";
import { MessagingError } from "./messaging-error.js";
import type { RemaphoreConfig } from "./remaphore-config.js";

/** The header that carries `--keep` (in milliseconds) beside a kept message. */
export const KEEP_HEADER = "Remaphore-Keep";

/** How long the stream drops a second copy of a kept message (same signature). */
const DUPLICATE_WINDOW_MS = 120_000;

/** The subjects of the kept-signal stream: every `<subject>.kept.<suffix>.<uuid>.<destination>`. */
function streamSubject(config: RemaphoreConfig): string {
  return `${config.subject}.kept.>`;
}

function suffixToken(suffix: string | undefined): string {
  return suffix === undefined || suffix === "" ? "all" : suffix;
}

/**
 * Where a kept message is stored: one subject per subject suffix, message id and destination
 * pattern, so that the stream's per-subject limit bounds each signal's history. The pattern can hold
 * `*` and `.`, which a subject cannot: it is named by the first 16 bytes of its sha256.
 */
export function keptSubject(
  config: RemaphoreConfig,
  message: { readonly subjectSuffix?: string | undefined; readonly uuid: Uint8Array; readonly destination: string },
): string {
  const { subjectSuffix: suffix, uuid, destination } = message;
  const id = uuid.length === 0 ? "_" : Buffer.from(uuid).toString("hex");
  const pattern = createHash("sha256").update(destination).digest("hex").slice(0, 32);
  return `${config.subject}.kept.${suffixToken(suffix)}.${id}.${pattern}`;
}

/**
 * The subjects a receiver reads: its suffix and, for `-u`, that message id. `*` stands for exactly
 * one token, so a suffix `a` never reads what was kept for a suffix `a.b`.
 */
export function keptFilter(config: RemaphoreConfig, suffix: string | undefined, uuid: Uint8Array | undefined): string {
  const id = uuid === undefined ? "*" : uuid.length === 0 ? "_" : Buffer.from(uuid).toString("hex");
  return `${config.subject}.kept.${suffixToken(suffix)}.${id}.*`;
}

function isNotFound(error: unknown): boolean {
  const apiError = (error as { api_error?: { code?: number; err_code?: number } }).api_error;
  return apiError?.code === 404 || /not found/i.test((error as Error).message);
}

/**
 * Creates the kept-signal stream named by `keep_stream`, or brings an existing one to the config's
 * limits (max age `keep_max_age`, `keep_max_msgs` per subject, our subjects among its subjects).
 */
export async function ensureKeptStream(jsm: JetStreamManager, config: RemaphoreConfig): Promise<void> {
  const settings = config.jetstream;
  const subject = streamSubject(config);
  const wanted: Partial<StreamConfig> & { name: string } = {
    name: settings.keepStream,
    subjects: [subject],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(settings.keepMaxAgeMs),
    max_msgs_per_subject: settings.keepMaxMsgs,
    num_replicas: settings.replicas,
    duplicate_window: nanos(Math.min(DUPLICATE_WINDOW_MS, settings.keepMaxAgeMs)),
    allow_direct: true,
  };
  const existing = await jsm.streams.info(settings.keepStream).catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
  if (!existing) {
    try {
      await jsm.streams.add(wanted);
      return;
    } catch (error) {
      // Another sender made it at the same moment: check it as an existing one.
      if (!/already in use|exists/i.test((error as Error).message)) throw error;
      return ensureKeptStream(jsm, config);
    }
  }
  const found = existing.config;
  const subjects = found.subjects.includes(subject) ? found.subjects : [...found.subjects, subject];
  if (found.max_age === wanted.max_age && found.max_msgs_per_subject === wanted.max_msgs_per_subject && subjects === found.subjects) return;
  try {
    await jsm.streams.update(settings.keepStream, { ...found, subjects, max_age: wanted.max_age, max_msgs_per_subject: wanted.max_msgs_per_subject });
  } catch (error) {
    throw new MessagingError(
      "jetstream_failed",
      `the stream ${settings.keepStream} cannot take the limits of this config (NATS: ${(error as Error).message}); pick another keep_stream`,
      { cause: error },
    );
  }
}

/** What {@link keepMessage} stores. */
export interface KeepOptions {
  /** The exact bytes published live. */
  readonly raw: Uint8Array;
  readonly uuid: Uint8Array;
  readonly destination: string;
  readonly signature: Uint8Array;
  readonly subjectSuffix?: string | undefined;
  /** `--keep`: how long receivers may still act on it. */
  readonly keepMs: number;
}

/**
 * Stores a signed message, byte for byte, in the kept-signal stream (made or updated first).
 * Resolves once the stream has it. The signature is its message id, so a copy sent again within
 * the stream's duplicate window is dropped.
 */
export async function keepMessage(nc: NatsConnection, config: RemaphoreConfig, options: KeepOptions): Promise<void> {
  if (options.keepMs > config.jetstream.keepMaxAgeMs) {
    throw new MessagingError("invalid_field", `--keep is longer than keep_max_age (${config.jetstream.keepMaxAgeMs} ms) in the config`);
  }
  try {
    await ensureKeptStream(await nc.jetstreamManager(), config);
    const meta = natsHeaders();
    meta.set(KEEP_HEADER, String(Math.round(options.keepMs)));
    await nc.jetstream().publish(keptSubject(config, options), options.raw, {
      msgID: Buffer.from(options.signature).toString("hex"),
      headers: meta,
      expect: { streamName: config.jetstream.keepStream },
    });
  } catch (error) {
    if (error instanceof MessagingError) throw error;
    throw new MessagingError("jetstream_failed", `not kept: ${(error as Error).message}`, { cause: error });
  }
}

/** A message read back from the kept-signal stream. */
export interface StoredMessage {
  /** The bytes as they were published. */
  readonly data: Uint8Array;
  /** When the stream stored it, in milliseconds since the epoch (the server's clock). */
  readonly storedAt: number;
  /** Its `--keep`, in milliseconds. */
  readonly keepMs: number;
  /** Its sequence number in the stream. */
  readonly sequence: number;
}

/** What {@link readKept} reads. */
export interface ReadKeptOptions {
  readonly subjectSuffix?: string | undefined;
  /** `-u`: only this message id. */
  readonly uuid?: Uint8Array | undefined;
  /** Read what was stored from this time on (milliseconds since the epoch). */
  readonly since: number;
  /** Called with each message read, oldest first. */
  readonly onMessage: (message: StoredMessage) => void;
}

/**
 * Reads every message kept since `since` for the suffix (and id), oldest first, through an
 * ephemeral consumer that starts at that time, and resolves once nothing is left to read. A stream
 * that does not exist yet has kept nothing.
 */
export async function readKept(nc: NatsConnection, config: RemaphoreConfig, options: ReadKeptOptions): Promise<number> {
  const { onMessage } = options;
  const stream = config.jetstream.keepStream;
  const jsm = await nc.jetstreamManager();
  let info;
  try {
    info = await jsm.consumers.add(stream, {
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: new Date(options.since).toISOString(),
      filter_subject: keptFilter(config, options.subjectSuffix, options.uuid),
      inactive_threshold: nanos(60_000),
      mem_storage: true,
      num_replicas: 1,
    });
  } catch (error) {
    if (isNotFound(error)) return 0;
    throw new MessagingError("jetstream_failed", `cannot read the stream ${stream}: ${(error as Error).message}`, { cause: error });
  }
  let read = 0;
  try {
    if (info.num_pending === 0) return 0;
    const consumer = await nc.jetstream().consumers.get(stream, info.name);
    for (let pending = info.num_pending; pending > 0; ) {
      const batch = await consumer.fetch({ max_messages: 256, expires: 2000 });
      let got = false;
      try {
        for await (const message of batch) {
          got = true;
          const keep = Number(message.headers?.get(KEEP_HEADER) ?? "");
          onMessage({
            data: message.data,
            storedAt: Math.floor(message.info.timestampNanos / 1e6),
            keepMs: Number.isFinite(keep) && keep > 0 ? keep : config.jetstream.keepMaxAgeMs,
            sequence: message.info.streamSequence,
          });
          read += 1;
          pending = message.info.pending;
          if (pending === 0) break;
        }
      } finally {
        batch.stop();
      }
      // An empty batch: what was pending may have aged out of the stream meanwhile.
      if (!got) pending = (await consumer.info()).num_pending;
    }
  } finally {
    await jsm.consumers.delete(stream, info.name).catch(() => undefined);
  }
  return read;
}
