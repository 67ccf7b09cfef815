import { checkMessage } from "./check-message.js";
import { readKept, type StoredMessage } from "./kept-signals.js";
import type { Listener, Received, ReceiveOptions, RemaphoreClient } from "./remaphore-client.js";

/** A received message, and whether it was read back from the kept-signal stream. */
export type KeptReceived = Received & { readonly stored: boolean };

/** What {@link listenWithKept} receives. */
export interface KeptReceiveOptions extends ReceiveOptions {
  /** Read what was kept from this time on (milliseconds since the epoch). */
  readonly since: number;
  /** `-u`: read only what was kept under this message id. */
  readonly uuid?: Uint8Array | undefined;
  /** Clock in milliseconds since the epoch, for `--keep`. */
  readonly now?: () => number;
}

/** A listener that first read the kept messages. */
export interface KeptListener extends Listener {
  /** Messages read back from the stream (accepted or not). */
  readonly storedRead: number;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

/**
 * Receives what was kept since `since`, then goes on live, without a gap or a copy between the
 * two: the live subscription is made first and what it gets meanwhile waits; then the stream is
 * read to its end; then the waiting live messages are handed on, except those the stream already
 * gave (same signature). A message published before the subscription was kept before it was
 * published (the sender stores first), so the stream has it.
 *
 * A kept message goes through the same checks as a live one ({@link checkMessage}: framing, peer,
 * verb, destination, signature), with one difference: its skew is judged against the time the
 * stream stored it, not the time it is read, so a message sent an hour ago is accepted when it
 * was stored within `allow_skew` of its own signed time, and a copy stored again later (a replay)
 * is not. Read after its `--keep`, it is refused as `expired`.
 */
export async function listenWithKept(client: RemaphoreClient, options: KeptReceiveOptions, onReceived: (received: KeptReceived) => void): Promise<KeptListener> {
  const now = options.now ?? Date.now;
  let replaying = true;
  const waiting: Received[] = [];
  const fromStream = new Set<string>();
  const live = (received: Received): void => {
    if (received.accepted && fromStream.has(hex(received.message.signature))) return;
    onReceived({ ...received, stored: false });
  };
  const listener = await client.listen(options, (received) => {
    if (replaying) waiting.push(received);
    else live(received);
  });
  const check = client.checkOptions(options);
  const subject = `${client.config.jetstream.keepStream} (kept)`;
  let storedRead: number;
  try {
    const onMessage = (stored: StoredMessage): void => {
      if (stored.storedAt + stored.keepMs < now()) {
        onReceived({ accepted: false, rejection: { reason: "expired", detail: `kept until ${new Date(stored.storedAt + stored.keepMs).toISOString()}` }, subject, stored: true });
        return;
      }
      const checked = checkMessage(stored.data, { ...check, now: stored.storedAt });
      if (!checked.ok) {
        onReceived({ accepted: false, rejection: checked.error, subject, stored: true });
        return;
      }
      const key = hex(checked.value.signature);
      if (fromStream.has(key)) return;
      fromStream.add(key);
      onReceived({ accepted: true, message: checked.value, subject, stored: true });
    };
    storedRead = await readKept(client.connection, client.config, { subjectSuffix: options.subjectSuffix, uuid: options.uuid, since: options.since, onMessage });
  } catch (error) {
    listener.stop();
    throw error;
  }
  replaying = false;
  for (const received of waiting.splice(0)) live(received);
  return { stop: () => { listener.stop(); }, storedRead };
}
