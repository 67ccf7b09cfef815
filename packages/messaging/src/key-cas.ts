import type { JetStreamClient, JetStreamManager } from "nats";

/**
 * Compare-and-set of one key of a JetStream key-value bucket, safe on clustered servers too.
 *
 * A bucket's own `update(key, value, revision)` sends only `Nats-Expected-Last-Subject-Sequence`.
 * A clustered stream checks that header against what it has applied, before proposing, without
 * counting proposals still in flight (nats-server before 2.11): two writers that both read
 * revision R can both be told they wrote on top of R, the second one silently replacing the first.
 * A clustered stream does count in-flight proposals for `Nats-Expected-Last-Sequence`, the whole
 * stream's last sequence. Every write here therefore names a stream position S at which the key
 * is known to be at the expected revision, and lands only if nothing at all was written to the
 * bucket since S:
 *
 * - for revision R > 0, S = R is always right (the message at R is the key's own);
 * - after a write of ours lands at S, the key is at S;
 * - when a write is refused (another key moved the stream, or ours moved), the stream's last
 *   sequence and the key's last message are read from the stream's leader: if the key is where
 *   the write expects it, the write is sent again at that position.
 *
 * Once the stream's last sequence is the one a write names, no write is in flight, and the
 * key-level header (still sent) is checked against a complete store. A read served by a replica
 * that lags only costs a refusal.
 */
export class KeyCas {
  private readonly subject: string;
  private readonly stream: string;
  /** A stream position and the key's revision there, both as the stream's leader stored them. */
  private known: { readonly stream: number; readonly key: number } | undefined;
  private manager: Promise<JetStreamManager> | undefined;

  constructor(private readonly target: { readonly js: JetStreamClient; readonly bucket: string; readonly key: string }) {
    this.subject = `$KV.${target.bucket}.${target.key}`;
    this.stream = `KV_${target.bucket}`;
  }

  /**
   * Writes `value` if the key's revision is still `revision` (0: the key has no value). Resolves
   * to the new revision, or to `undefined` when the key was written first by someone else; throws
   * what the server or the connection threw otherwise (the write may then have landed or not).
   */
  async write(value: Uint8Array, revision: number): Promise<number | undefined> {
    let at = this.known?.key === revision ? this.known.stream : revision;
    for (;;) {
      try {
        const ack = await this.target.js.publish(this.subject, value, { expect: { lastSubjectSequence: revision, lastSequence: at } });
        this.known = { stream: ack.seq, key: ack.seq };
        return ack.seq;
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
      }
      // Refused: our key moved, or only the stream did (another key was written, or ours is on its way).
      const position = await this.leaderPosition();
      this.known = position;
      if (position.key !== revision) return undefined;
      at = position.stream;
    }
  }

  /** The stream's last sequence and the key's revision at it, as the stream's leader has them stored. */
  private async leaderPosition(): Promise<{ stream: number; key: number }> {
    this.manager ??= this.target.js.jetstreamManager(false);
    const jsm = await this.manager;
    for (;;) {
      const [info, key] = await Promise.all([
        jsm.streams.info(this.stream),
        jsm.streams.getMessage(this.stream, { last_by_subj: this.subject }).then(
          (message) => message.seq,
          (error: unknown) => {
            if (/no message found|10037/i.test(`${(error as Error).message} ${JSON.stringify((error as { api_error?: unknown }).api_error ?? "")}`)) return 0;
            throw error;
          },
        ),
      ]);
      // Both read at once: a key revision past the stream's position was written in between. (One
      // written before it, at or below the position, is stored there, and the key-level header
      // refuses a write that expects an older one: nothing is in flight once the stream's last
      // sequence is the one expected.)
      if (key <= info.state.last_seq) return { stream: info.state.last_seq, key };
    }
  }
}

/** Whether the server refused a write for an expected sequence (code 10071). */
function isWrongLastSequence(error: unknown): boolean {
  return /wrong last sequence|key exists|10071/i.test(`${(error as Error).message} ${JSON.stringify((error as { api_error?: unknown }).api_error ?? "")}`);
}
