import { createHash } from "node:crypto";
import { homedir } from "node:os";
import { join } from "node:path";
import { buildMessage, decodeMessage, type DestinationFilter, type RemaphoreClient, type RemaphoreConfig, type SendOptions } from "@org/messaging";
import { keepMessage, listenWithKept, SeenRecord } from "@org/messaging/jetstream";

// Loaded only for --keep and --since: a plain -s or receiver never reads this module.
export { listenWithKept };

/**
 * `-s --keep D`: signs the message once, stores those bytes in the kept-signal stream, then
 * publishes the same bytes live. Stored first, so that a receiver subscribing meanwhile finds it in
 * one place or the other. A message the stream refused is still published live; the error follows.
 */
export async function sendKept(
  client: RemaphoreClient,
  message: SendOptions & { readonly keepMs: number },
  io: { now: () => number; random: (length: number) => Uint8Array },
): Promise<void> {
  const { keepMs } = message;
  const { raw } = buildMessage(client.config, { ...message, request: false }, io);
  const decoded = decodeMessage(raw);
  if (!decoded.ok) throw decoded.error;
  const kept = await keepMessage(client.connection, client.config, {
    raw,
    uuid: decoded.value.uuid,
    destination: decoded.value.destination,
    signature: decoded.value.signature,
    subjectSuffix: message.subjectSuffix,
    keepMs,
  }).then(
    () => undefined,
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
  );
  await client.publish(raw, message.subjectSuffix);
  if (kept !== undefined) throw kept;
}

/** What names a receiver in its seen record: the same identity, subject, filters and command. */
export interface ReceiverIdentity {
  readonly subjectSuffix: string | undefined;
  readonly filter: DestinationFilter;
  readonly sender: string | undefined;
  readonly verbs: readonly string[] | undefined;
  readonly uuid: string | undefined;
  readonly args: readonly string[];
}

/** The user's state folder: `state_dir`, else `$XDG_STATE_HOME/remaphore`, else `~/.local/state/remaphore`. */
export function stateDir(config: RemaphoreConfig, env: NodeJS.ProcessEnv): string {
  if (config.jetstream.stateDir !== undefined) return config.jetstream.stateDir;
  const base = env.XDG_STATE_HOME !== undefined && env.XDG_STATE_HOME !== "" ? env.XDG_STATE_HOME : join(homedir(), ".local", "state");
  return join(base, "remaphore");
}

/**
 * Opens the record of the kept messages this receiver acted on: one file per receiver, named by
 * what it listens for and what it runs, so two receivers on one host (another script, another -u)
 * each run a message once.
 */
export function openSeenRecord(config: RemaphoreConfig, receiver: ReceiverIdentity, at: { readonly env: NodeJS.ProcessEnv; readonly now: number }): SeenRecord {
  const { env, now } = at;
  const name = createHash("sha256")
    .update(JSON.stringify([config.defaultIdentity, config.subject, receiver.subjectSuffix ?? "", receiver.filter, receiver.sender ?? "", receiver.verbs ?? [], receiver.uuid ?? "", receiver.args]))
    .digest("hex")
    .slice(0, 32);
  return SeenRecord.open(join(stateDir(config, env), `seen-${name}`), now);
}
