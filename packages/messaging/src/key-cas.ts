import type { JetStreamClient, KV } from "nats";

/**
 * Compare-and-set of one key of a JetStream key-value bucket, safe on clustered servers too.
 *
 * A bucket's own `update(key, value, revision)` sends only `Nats-Expected-Last-Subject-Sequence`.
 * A clustered stream checks that header against what it has applied, before proposing, without
 * counting proposals still in flight (nats-server before 2.11): two writers that both read
 * revision R can both be told they wrote on top of R, the second one silently replacing the first.
 * A clustered stream does count in-flight proposals for `Nats-Expected-Last-Sequence`, the whole
 * stream's last sequence, so every write here sends both: it lands only when nothing at all was
 * written to the bucket since, and the key is where we read it.
 *
 * The stream's last sequence is learned from what has landed: our own writes' acknowledgements,
 * the revisions read, and, when a write is refused, the stream's state as its leader has stored
 * it. (A refusal names the last sequence proposed, which may not have landed yet: writing on top
 * of it could pass the key's check against a store that does not have that write yet.) A write
 * refused because another key of the bucket moved the stream is retried as long as our key stayed
 * where we read it.
 */
export class KeyCas {
  private streamSeq = 0;
  private readonly subject: string;

  constructor(private readonly target: { readonly js: JetStreamClient; readonly kv: KV; readonly bucket: string; readonly key: string }) {
    this.subject = `$KV.${target.bucket}.${target.key}`;
  }

  /** Takes note of a revision seen (a bucket's revisions are its stream's sequence numbers). */
  observe(revision: number): void {
    if (revision > this.streamSeq) this.streamSeq = revision;
  }

  /**
   * Writes `value` if the key's revision is still `revision` (0: the key has no value). Resolves
   * to the new revision, or to `undefined` when the key was written first by someone else; throws
   * what the server or the connection threw otherwise (the write may then have landed or not).
   */
  async write(value: Uint8Array, revision: number): Promise<number | undefined> {
    for (;;) {
      try {
        const ack = await this.target.js.publish(this.subject, value, { expect: { lastSubjectSequence: revision, lastSequence: this.streamSeq } });
        this.observe(ack.seq);
        return ack.seq;
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
      }
      // Refused: our key moved, or only the stream did (another key was written, or ours is on its way).
      const [entry, status] = await Promise.all([this.target.kv.get(this.target.key), this.target.kv.status()]);
      this.observe(status.streamInfo.state.last_seq);
      if ((entry?.revision ?? 0) !== revision) return undefined;
    }
  }
}

/** Whether the server refused a write for an expected sequence (code 10071). */
function isWrongLastSequence(error: unknown): boolean {
  return /wrong last sequence|key exists|10071/i.test(`${(error as Error).message} ${JSON.stringify((error as { api_error?: unknown }).api_error ?? "")}`);
}
