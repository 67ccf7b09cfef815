import { readFileSync } from "node:fs";
import {
  AckPolicy,
  DiscardPolicy,
  Events,
  RetentionPolicy,
  StorageType,
  connect,
  credsAuthenticator,
  headers as natsHeaders,
  nanos,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
} from "nats";
import type { ClaimedEnvelope, IngestContext, Spool, SpoolStats } from "./spool.js";
import { SpoolFullError } from "./spool.js";

/** Options of {@link openJetStreamSpool}. */
export interface JetStreamSpoolOptions {
  /** NATS server URLs (`nats://host:4222`); several for a cluster. */
  readonly servers: string | readonly string[];
  /** A NATS credentials file (JWT + seed), read at every connect. */
  readonly credentialsFile?: string | undefined;
  /** Stream name, shared by every relay that forwards what any of them accepts. */
  readonly stream: string;
  /** Durable consumer name the forwarding relays share. */
  readonly consumer?: string | undefined;
  /** Copies of each message in a cluster (1, 3 or 5). */
  readonly replicas?: number | undefined;
  /** Largest total size kept; beyond it the stream refuses and the relay answers 503. */
  readonly maxBytes: number;
  /** Envelopes older than this are dropped by the stream. */
  readonly maxAgeMs: number;
  /** How long a claimed envelope may stay unacknowledged before another relay gets it. */
  readonly ackWaitMs?: number | undefined;
  /** The window in which a second envelope with the same id is dropped as a duplicate. */
  readonly duplicateWindowMs?: number | undefined;
  /** Name of this connection, shown in NATS monitoring. */
  readonly name?: string | undefined;
}

/** Counters a JetStream spool adds to {@link SpoolStats}. */
export interface JetStreamSpool extends Spool {
  /** Envelopes handed out again after a relay failed to acknowledge them in time. */
  readonly redeliveries: number;
}

/** Connects to the spool's NATS servers as the relay does; `reconnect: false` gives up at the first failure. */
function connectSpoolServers(
  options: Pick<JetStreamSpoolOptions, "servers" | "credentialsFile" | "name">,
  how: { readonly reconnect: boolean; readonly timeoutMs?: number | undefined },
): Promise<NatsConnection> {
  const credentials = options.credentialsFile;
  return connect({
    servers: typeof options.servers === "string" ? options.servers : [...options.servers],
    name: options.name ?? "relay-spool",
    maxReconnectAttempts: how.reconnect ? -1 : 0,
    // nats.js copies every key over its defaults, an undefined one too.
    ...(how.timeoutMs === undefined ? {} : { timeout: how.timeoutMs }),
    authenticator: credentials ? credsAuthenticator(() => readFileSync(credentials)) : undefined,
  });
}

/**
 * Connects to a JetStream spool's servers once, as {@link openJetStreamSpool} would, and says
 * whether its stream exists yet; creates nothing. Rejects when the servers cannot be reached or
 * have no JetStream.
 */
export async function probeJetStreamSpool(
  options: Pick<JetStreamSpoolOptions, "servers" | "credentialsFile" | "stream" | "name"> & { readonly timeoutMs: number },
): Promise<{ readonly streamExists: boolean }> {
  const nc = await connectSpoolServers(options, { reconnect: false, timeoutMs: options.timeoutMs });
  try {
    const manager = await nc.jetstreamManager();
    const streamExists = await manager.streams.info(options.stream).then(
      () => true,
      () => false,
    );
    return { streamExists };
  } finally {
    await nc.close();
  }
}

/**
 * A spool in a NATS JetStream stream, shared by several relays: an envelope is published (and
 * acknowledged by the stream, with its id as the message id so retries within the duplicate
 * window are dropped) before the relay answers 200; every relay's forwarding pipeline pulls from
 * one durable consumer and acknowledges only after the upstream's 2xx. What a relay claimed and
 * never acknowledged (it crashed) is handed to another after `ackWaitMs`.
 */
export async function openJetStreamSpool(options: JetStreamSpoolOptions): Promise<JetStreamSpool> {
  const nc = await connectSpoolServers(options, { reconnect: true });
  const subject = `${options.stream}.envelopes`;
  const durable = options.consumer ?? "relay-forwarders";
  let jsm: JetStreamManager;
  let js: JetStreamClient;
  const config = {
    name: options.stream,
    subjects: [subject],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    discard: DiscardPolicy.New,
    max_bytes: options.maxBytes,
    max_age: nanos(options.maxAgeMs),
    num_replicas: options.replicas ?? 1,
    duplicate_window: nanos(options.duplicateWindowMs ?? 120_000),
  };
  const ackWait = nanos(options.ackWaitMs ?? 60_000);
  /** Creates the stream and the shared consumer, or brings existing ones to this configuration. */
  const ensureStream = async (): Promise<void> => {
    const existing = await jsm.streams.info(options.stream).catch(() => undefined);
    if (existing) {
      try {
        await jsm.streams.update(options.stream, config);
      } catch (error) {
        // Some settings (storage, retention) cannot change on a live stream: say what is there.
        const found = existing.config;
        throw new Error(
          `the JetStream stream ${options.stream} exists with settings the spool cannot change in place ` +
            `(NATS: ${(error as Error).message}); it has storage ${found.storage}, retention ${found.retention}, ` +
            `subjects ${found.subjects.join(", ")}, and the spool needs storage file, retention workqueue, subjects ${subject}. ` +
            `Use another stream name (spool.nats.stream), or remove that stream once nothing in it is needed.`,
          { cause: error },
        );
      }
    } else {
      await jsm.streams.add(config);
    }
    const consumerExists = await jsm.consumers.info(options.stream, durable).then(
      () => true,
      () => false,
    );
    // Relays started with another ack_wait update the shared consumer rather than fail.
    if (consumerExists) await jsm.consumers.update(options.stream, durable, { ack_wait: ackWait, max_ack_pending: -1 });
    else await jsm.consumers.add(options.stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, ack_wait: ackWait, max_ack_pending: -1 });
  };
  try {
    jsm = await nc.jetstreamManager();
    await ensureStream();
    js = nc.jetstream();
  } catch (error) {
    await nc.close();
    throw error;
  }

  // Whether the connection is up, for readiness: load balancers should send clients elsewhere.
  let connected = true;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === Events.Disconnect) connected = false;
      else if (status.type === Events.Reconnect) connected = true;
    }
  })();

  const claimed = new Map<number, JsMsg>();
  let nextHandle = 1;
  let redeliveries = 0;
  let stats: SpoolStats = { depth: 0, bytes: 0, claimed: 0 };
  let closed = false;

  const refresh = async (): Promise<void> => {
    try {
      const info = await jsm.streams.info(options.stream);
      stats = { depth: info.state.messages, bytes: info.state.bytes, claimed: claimed.size };
    } catch {
      // Stats are best effort; the next refresh tries again.
    }
  };
  await refresh();
  const timer = setInterval(() => void refresh(), 1_000);
  timer.unref();

  const assertOpen = (): void => {
    if (closed) throw new Error("the spool is closed");
  };

  return {
    get redeliveries() {
      return redeliveries;
    },
    async enqueue(envelope) {
      assertOpen();
      const meta = natsHeaders();
      meta.set("Relay-Project", envelope.projectId);
      meta.set("Relay-Received-At", String(envelope.receivedAt));
      meta.set("Relay-Context", JSON.stringify(envelope.context));
      meta.set("Relay-Id", envelope.id);
      const publish = () => js.publish(subject, envelope.payload, { msgID: envelope.id, headers: meta });
      try {
        try {
          await publish();
        } catch (error) {
          // No stream listens any more (deleted, or its server lost its data): make it again, once.
          if ((error as { code?: string }).code !== "503" || (error as { api_error?: unknown }).api_error !== undefined) throw error;
          await ensureStream();
          await publish();
        }
      } catch (error) {
        const description = (error as { api_error?: { description?: string } }).api_error?.description ?? (error as Error).message;
        if (/maximum (bytes|messages)|resource limits|insufficient/i.test(description)) {
          throw new SpoolFullError(`the stream ${options.stream} is full: ${description}`);
        }
        throw error;
      }
      stats = { ...stats, depth: stats.depth + 1, bytes: stats.bytes + envelope.payload.byteLength };
    },

    async claim(max) {
      assertOpen();
      const result: ClaimedEnvelope[] = [];
      // `no_wait` answers with what is there now; the newer consumer API waits for a full batch.
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- see above
      const messages = js.fetch(options.stream, durable, { batch: max, no_wait: true, expires: 500 });
      for await (const msg of messages) {
        const handle = nextHandle++;
        claimed.set(handle, msg);
        const attempts = msg.info.deliveryCount - 1;
        if (attempts > 0) redeliveries++;
        const header = msg.headers;
        const context = header?.get("Relay-Context") ?? "";
        result.push({
          handle,
          attempts,
          id: header?.get("Relay-Id") ?? "",
          projectId: header?.get("Relay-Project") ?? "",
          receivedAt: Number(header?.get("Relay-Received-At") ?? 0),
          context: (context === "" ? { publicKey: "" } : JSON.parse(context)) as IngestContext,
          payload: msg.data,
        });
      }
      stats = { ...stats, claimed: claimed.size };
      return result;
    },

    async ack(handles) {
      assertOpen();
      await Promise.all(
        handles.map(async (handle) => {
          const msg = claimed.get(handle);
          if (!msg) return;
          // Double acknowledgement: resolved once the stream has recorded it.
          await msg.ackAck();
          claimed.delete(handle);
        }),
      );
      stats = { ...stats, claimed: claimed.size };
    },

    async retry(handles, delayMs) {
      assertOpen();
      for (const handle of handles) {
        claimed.get(handle)?.nak(delayMs);
        claimed.delete(handle);
      }
      stats = { ...stats, claimed: claimed.size };
      // The server has seen the negative acknowledgements once it answers a ping sent after them.
      await nc.flush();
    },

    stats: () => stats,

    available: () => connected && !closed,

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      // What this relay holds goes back to the others at once rather than after the ack wait.
      for (const msg of claimed.values()) msg.nak();
      claimed.clear();
      await nc.drain();
    },
  };
}
