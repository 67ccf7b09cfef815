import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { loadFastVerify, verifyBytes } from "@org/identity";
import type { NatsConnection, Subscription } from "nats";
import { suspectedResponders } from "./authorization.js";
import { checkMessage, type CheckOptions, type DestinationFilter, type Rejection, type VerifiedMessage } from "./check-message.js";
import { buildMessage } from "./build-message.js";
import { encodeMessage, publishSubject, replySubject } from "./message-codec.js";
import { MessagingError } from "./messaging-error.js";
import type { Identity, Peer, RemaphoreConfig } from "./remaphore-config.js";
import { ReplayCache } from "./replay-cache.js";

const encoder = new TextEncoder();

let randomPool = Buffer.alloc(0);
let randomOffset = 0;

/** Random bytes for message ids, drawn from the system a few kilobytes at a time (a reply needs 12). */
function pooledRandom(length: number): Uint8Array {
  if (randomOffset + length > randomPool.length) {
    randomPool = randomBytes(Math.max(4096, length));
    randomOffset = 0;
  }
  const out = new Uint8Array(randomPool.subarray(randomOffset, randomOffset + length));
  randomOffset += length;
  return out;
}

/** Messages waiting to be checked beyond which new ones are dropped (the Go client's default). */
export const MAX_PENDING_MESSAGES = 65_536;
/** Bytes waiting to be checked beyond which new messages are dropped (the Go client's default). */
export const MAX_PENDING_BYTES = 64 * 1024 * 1024;
/** Messages checked before the connection gets to read again. */
const DRAIN_SLICE = 256;
const EMPTY = { data: new Uint8Array(), arrivedAt: 0 };

/** Options of {@link connectRemaphore}. */
export interface ConnectOptions {
  /**
   * Use the config's `credentials` file (JWT + nkey seed, read again at every connect) when it
   * names one. Default true.
   */
  readonly useCredentials?: boolean;
  /** Give up connecting after this long (the first connect otherwise retries forever). */
  readonly connectDeadlineMs?: number;
  /** Clock in milliseconds since the epoch. */
  readonly now?: () => number;
  /** Random bytes, for message ids. */
  readonly random?: (length: number) => Uint8Array;
}

/** What to send. */
export interface SendOptions {
  /** Destination pattern (default `**`). */
  readonly destination?: string;
  /** Verb (default `ping`). */
  readonly verb?: string;
  /** `-u`: the message id's source text (see `messageUuid`). */
  readonly uuid?: string;
  readonly payload?: string | Uint8Array;
  /** `-p`: base58 key of the identity to send with (default `default_identity`). */
  readonly sender?: string;
  /** `-S`: subject suffix (default `all`). */
  readonly subjectSuffix?: string;
}

/** One received message: accepted, or dropped with the reason. */
export type Received =
  | { readonly accepted: true; readonly message: VerifiedMessage; readonly subject: string }
  | { readonly accepted: false; readonly rejection: Rejection; readonly subject: string };

/** What to receive. */
export interface ReceiveOptions {
  readonly subjectSuffix?: string;
  readonly destinationFilter?: DestinationFilter;
  /** `-p`: only accept messages from this sender. */
  readonly sender?: string;
  /** Ends the iteration (a pending `next()` resolves as done). */
  readonly signal?: AbortSignal;
}

/** A subscription made by {@link RemaphoreClient.listen}. */
export interface Listener {
  /** Unsubscribes; no more messages are delivered. */
  stop(): void;
}

/** A reply to a request. */
export interface Reply {
  readonly message: VerifiedMessage;
  /** The destination the requester's config lists for the replier. */
  readonly destination: string;
}

/** The outcome of a request. */
export interface RequestResult {
  readonly replies: readonly Reply[];
  /** Suspected responders that did not answer before the deadline. */
  readonly missing: readonly Peer[];
}

/** A connection to the NATS servers of a remaphore config. */
export class RemaphoreClient {
  readonly config: RemaphoreConfig;
  private readonly nc: NatsConnection;
  private readonly now: () => number;
  private readonly random: (length: number) => Uint8Array;
  private readonly replays: ReplayCache;

  constructor(config: RemaphoreConfig, nc: NatsConnection, options: ConnectOptions) {
    this.config = config;
    this.nc = nc;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? pooledRandom;
    this.replays = new ReplayCache(Math.max(2 * config.allowSkewMs, 1000) + 1000);
  }

  private build(options: SendOptions, request: boolean): { raw: Uint8Array; identity: Identity } {
    return buildMessage(this.config, { ...options, request }, { now: this.now, random: this.random });
  }

  /** Signs and publishes a message; resolves once the server has it. Returns the raw bytes sent. */
  async send(options: SendOptions = {}): Promise<Uint8Array> {
    const { raw } = this.build(options, false);
    await this.publish(raw, options.subjectSuffix);
    return raw;
  }

  /** Publishes a message already signed (see `buildMessage`); resolves once the server has it. */
  async publish(raw: Uint8Array, subjectSuffix?: string): Promise<void> {
    this.nc.publish(publishSubject(this.config.subject, subjectSuffix), raw);
    await this.nc.flush();
  }

  /**
   * Subscribes to the subject and calls `onReceived` for every message, in arrival order. Each
   * message is stamped with its arrival time the moment the connection reads it and queued; the
   * queue is worked through in slices between socket reads, so the connection keeps reading (and
   * answering the server's PONGs) however long a burst takes to check. Checks run cheapest first
   * (framing, peer, verb, destination, then signature, skew against the arrival time, replay), so a
   * flood of forgeries costs one cheap check each; signatures are checked by libsodium where it
   * loads, with OpenSSL's verdicts (`loadFastVerify`). Beyond {@link MAX_PENDING_MESSAGES} or
   * {@link MAX_PENDING_BYTES} waiting, new messages are dropped as `overflow`, as the Go client drops
   * them for a slow consumer: memory stays bounded. Resolves once the server has the subscription.
   */
  async listen(options: ReceiveOptions, onReceived: (received: Received) => void): Promise<Listener> {
    const subject = publishSubject(this.config.subject, options.subjectSuffix);
    // OpenSSL until libsodium is loaded: the same verdicts either way, and the subscription is made
    // at once, before this method's first await.
    const check = { ...this.checkOptions(options), verify: verifyBytes, replayCache: this.replays };
    const pending: { data: Uint8Array; arrivedAt: number }[] = [];
    let head = 0;
    let pendingBytes = 0;
    let scheduled = false;
    let stopped = false;
    const drain = (): void => {
      scheduled = false;
      const sliceEnd = Math.min(pending.length, head + DRAIN_SLICE);
      while (head < sliceEnd && !stopped) {
        const item = pending[head]!;
        pending[head] = EMPTY;
        head += 1;
        pendingBytes -= item.data.length;
        const checked = checkMessage(item.data, { ...check, now: item.arrivedAt });
        onReceived(checked.ok ? { accepted: true, message: checked.value, subject } : { accepted: false, rejection: checked.error, subject });
      }
      if (head === pending.length || stopped) {
        pending.length = 0;
        head = 0;
        pendingBytes = 0;
      } else {
        // Messages keep coming while a backlog is worked off: drop the slots already done.
        if (head >= 4096) {
          pending.splice(0, head);
          head = 0;
        }
        scheduled = true;
        setImmediate(drain);
      }
    };
    void loadFastVerify().then((verify) => {
      check.verify = verify;
    });
    const subscription = this.nc.subscribe(subject, {
      callback: (error, nats) => {
        if (error || stopped) return;
        const arrivedAt = this.now();
        if (pending.length - head >= MAX_PENDING_MESSAGES || pendingBytes + nats.data.length > MAX_PENDING_BYTES) {
          onReceived({ accepted: false, rejection: { reason: "overflow", detail: `more than ${MAX_PENDING_MESSAGES} messages or ${MAX_PENDING_BYTES} bytes wait to be checked` }, subject });
          return;
        }
        pending.push({ data: nats.data, arrivedAt });
        pendingBytes += nats.data.length;
        if (!scheduled) {
          scheduled = true;
          setImmediate(drain);
        }
      },
    });
    await this.nc.flush();
    return {
      stop: () => {
        stopped = true;
        subscription.unsubscribe();
      },
    };
  }

  /**
   * Receives messages on the subject, as {@link listen} does, as an iterator: every message is
   * checked when it arrives, then yielded as accepted or with the reason it was dropped.
   */
  async *receive(options: ReceiveOptions = {}): AsyncGenerator<Received, void, undefined> {
    const queue: Received[] = [];
    let wake: (() => void) | undefined;
    let ended = options.signal?.aborted ?? false;
    const stop = (): void => {
      ended = true;
      wake?.();
    };
    options.signal?.addEventListener("abort", stop, { once: true });
    const listener = await this.listen(options, (received) => {
      queue.push(received);
      wake?.();
    });
    try {
      for (;;) {
        const item = queue.shift();
        if (item) {
          yield item;
          continue;
        }
        if (ended || this.nc.isClosed()) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      options.signal?.removeEventListener("abort", stop);
      listener.stop();
    }
  }

  /**
   * Sends a request and collects replies until every suspected responder (a configured peer whose
   * destination matches the pattern) has answered, or until `timeoutMs` (no timeout: wait for all).
   */
  async request(
    options: SendOptions & { readonly timeoutMs?: number; readonly onReply?: (reply: Reply) => void; readonly onRejected?: (rejection: Rejection) => void },
  ): Promise<RequestResult> {
    const pattern = options.destination ?? "**";
    const expected = new Map(suspectedResponders(this.config, pattern).map((peer) => [peer.publicKeyText, peer]));
    if (expected.size === 0) throw new MessagingError("no_known_receivers", "no known receivers");
    const { raw } = this.build({ ...options, destination: pattern }, true);
    const subscription: Subscription = this.nc.subscribe(replySubject(this.config.subject, raw));
    await this.nc.flush();
    this.nc.publish(publishSubject(this.config.subject, options.subjectSuffix), raw);
    await this.nc.flush();
    const replies: Reply[] = [];
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => { subscription.unsubscribe(); }, options.timeoutMs);
    try {
      for await (const nats of subscription) {
        const checked = checkMessage(nats.data, { config: this.config, now: this.now(), replayCache: this.replays, kind: "reply" });
        if (!checked.ok) {
          options.onRejected?.(checked.error);
          continue;
        }
        const reply = { message: checked.value, destination: checked.value.peer.destination };
        replies.push(reply);
        options.onReply?.(reply);
        expected.delete(checked.value.senderText);
        if (expected.size === 0) break;
      }
    } finally {
      clearTimeout(timer);
      subscription.unsubscribe();
    }
    return { replies, missing: [...expected.values()] };
  }

  /**
   * Answers a request: a `reply` message signed by the default identity, on the request's reply
   * subject. Resolves once the server has it, unless `flush` is false (a receiver answering many
   * requests leaves the flushing to the connection's buffer).
   */
  async reply(to: VerifiedMessage, payload: string | Uint8Array, options: { readonly flush?: boolean } = {}): Promise<void> {
    const identity = this.config.identities.find((id) => id.publicKeyText === this.config.defaultIdentity) ?? this.config.identities[0];
    if (!identity) throw new MessagingError("no_sender_identity", "no private key with sender permission found");
    const raw = encodeMessage(
      {
        destination: "",
        time: BigInt(Math.round(this.now())) * 1_000_000n,
        uuid: this.random(12),
        verb: "reply",
        request: false,
        payload: typeof payload === "string" ? encoder.encode(payload) : payload,
      },
      identity.keyPair,
    );
    if (!raw.ok) throw raw.error;
    this.nc.publish(replySubject(this.config.subject, to.raw), raw.value);
    if (options.flush !== false) await this.nc.flush();
  }

  /** The NATS connection underneath, for JetStream (see `@org/messaging/jetstream`). */
  get connection(): NatsConnection {
    return this.nc;
  }

  /** The checks {@link listen} applies, for messages that reach a receiver another way (a stream). */
  checkOptions(options: ReceiveOptions): Omit<CheckOptions, "now" | "replayCache"> {
    return {
      config: this.config,
      kind: "message",
      destinationFilter: options.destinationFilter ?? { kind: "match", destination: this.config.destination },
      sender: options.sender,
    };
  }

  /** The largest message the server accepts (its `max_payload`), in bytes. */
  get maxPayload(): number {
    return this.nc.info?.max_payload ?? 1024 * 1024;
  }

  /** Resolves once the server has processed everything sent so far (subscriptions included). */
  async flush(): Promise<void> {
    await this.nc.flush();
  }

  /** Flushes and closes the connection. */
  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    await this.nc.drain().catch(() => this.nc.close());
  }
}

/**
 * Connects to every configured server (random order), reconnecting forever every 200 ms, pinging
 * every 3 s with 3 outstanding, 5 s per connect attempt, retrying the first connect until
 * `connectDeadlineMs`. The credentials file is read at every connect, so a rotated file is used.
 */
export async function connectRemaphore(config: RemaphoreConfig, options: ConnectOptions = {}): Promise<RemaphoreClient> {
  // Loaded on first use: a short-lived `remaphore -s` may not need it at all (see publishOnce).
  const { connect, credsAuthenticator } = await import("nats");
  const credentials = options.useCredentials === false ? undefined : config.credentials;
  const authenticator = credentials === undefined ? undefined : credsAuthenticator(() => new Uint8Array(readFileSync(credentials)));
  const pending = connect({
    servers: [...config.servers],
    name: "remaphore",
    authenticator,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 200,
    pingInterval: 3000,
    maxPingOut: 3,
    timeout: 5000,
    waitOnFirstConnect: true,
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline =
    options.connectDeadlineMs === undefined
      ? undefined
      : new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => {
            reject(new MessagingError("timeout", "nats: timeout"));
          }, options.connectDeadlineMs);
        });
  try {
    const nc = await (deadline ? Promise.race([pending, deadline]) : pending);
    return new RemaphoreClient(config, nc, options);
  } catch (error) {
    // A connection that arrives after the deadline is closed at once.
    void pending.then((nc) => nc.close()).catch(() => undefined);
    if (error instanceof MessagingError) throw error;
    throw new MessagingError("connection_failed", `nats: ${(error as Error).message}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
